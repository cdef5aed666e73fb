"""Internal REST API of the broadcast service's bulk batches: signal reports and relay sessions,
each item with its own key and result (ADR 0040). The gateway's ``/api/v1/bulk/…`` routes call
them; the answer is 200 whatever the items' fates, each item saying its own."""

from __future__ import annotations

from litestar import Controller, post
from litestar.params import JSONBody

from contracts.api.batches import BatchResult, RelaySessionBatch, SignalReportBatch
from libs.common.http.context import Ctx, command_context
from services.broadcast.entrypoints.scopes import WRITE, Handlers


class BatchCommands(Controller):
    path = "/commands/batches"
    tags = ["broadcast: commands"]  # noqa: RUF012 - Litestar declares it as an instance attribute
    dependencies = {"ctx": command_context(WRITE)}  # noqa: RUF012

    @post("/signal-reports", operation_id="reportClusterSignalsBulk", status_code=200)
    async def signal_reports(self, data: JSONBody[SignalReportBatch], ctx: Ctx, handlers: Handlers) -> BatchResult:
        return await handlers.batches.report_signals(data, ctx)

    @post("/relay-sessions", operation_id="recordRelaySessionsBulk", status_code=200)
    async def relay_sessions(self, data: JSONBody[RelaySessionBatch], ctx: Ctx, handlers: Handlers) -> BatchResult:
        return await handlers.batches.record_relays(data, ctx)
