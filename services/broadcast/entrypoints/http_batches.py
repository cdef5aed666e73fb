"""Internal REST API of the broadcast service's bulk batches: signal reports, relay sessions and
delivery steps, each item with its own key and result (ADR 0040, 0046). The gateway's ``/api/v1/bulk/…`` routes call
them; the answer is 200 whatever the items' fates, each item saying its own."""

from __future__ import annotations

from contracts.api.batches import BatchResult, DeliveryStepBatch, RelaySessionBatch, SignalReportBatch
from libs.common.http.routes import CommandRoute, CommandTable
from services.broadcast.application.handlers import BroadcastHandlers
from services.broadcast.entrypoints.scopes import WRITE

Row = CommandRoute[BroadcastHandlers]

BATCHES = CommandTable[BroadcastHandlers](
    "/commands/batches",
    "broadcast: commands",
    [
        Row(
            "POST",
            "/signal-reports",
            "reportClusterSignalsBulk",
            SignalReportBatch,
            WRITE,
            lambda h: h.batches.report_signals,
            status=200,
            returns=BatchResult,
        ),
        Row(
            "POST",
            "/relay-sessions",
            "recordRelaySessionsBulk",
            RelaySessionBatch,
            WRITE,
            lambda h: h.batches.record_relays,
            status=200,
            returns=BatchResult,
        ),
        Row(
            "POST",
            "/delivery-steps",
            "recordDeliveryStepsBulk",
            DeliveryStepBatch,
            WRITE,
            lambda h: h.batches.record_delivery_steps,
            status=200,
            returns=BatchResult,
        ),
    ],
)
