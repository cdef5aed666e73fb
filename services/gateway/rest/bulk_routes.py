"""``/api/v1/bulk/…``: batch ingestion for integrators, up to 10,000 items a request (ADR 0040).

Signal reports, relay sessions, indicator values and delivery steps, each as a JSON array or a
CSV file (``rest.bulk_body``). The answer is 200 with one result per item (accepted, duplicate,
rejected with a code), whatever the items' fates; a retry of the same batch does nothing twice,
because every item carries a key (its own ``key`` field, else its content). A request costs one
token of the caller's request limit when it arrives, then its items from the bulk item quota
(``TINHSO_RATE_LIMIT_BULK_ITEMS_*``) before any item runs: a refusal there is a 429 with
``Retry-After`` and nothing applied. Scopes and ownership are the services' to decide, per item.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import msgspec
from litestar import Controller, Request, Response, post
from litestar.openapi.spec import Example, OpenAPIMediaType, RequestBody, Schema
from litestar.openapi.spec.operation import Operation

from contracts.api.batches import (
    MAX_BATCH_ITEMS,
    BatchResult,
    DeliveryStepItem,
    IndicatorValueItem,
    ItemResult,
    RelaySessionItem,
    SignalReportItem,
)
from libs.common.http.errors import ErrorBody
from services.gateway.adapters import bulk_api
from services.gateway.adapters.internal import ServiceCaller, ServiceError, ServiceUnavailableError
from services.gateway.graphql.context import Gateway, GatewayContext
from services.gateway.rest.bulk_body import TooManyItemsError, UnsupportedMediaError, read_items
from services.gateway.rest.routes import service_error, service_unavailable
from services.gateway.security.wiring import GatewaySecurity

Req = Request[Any, Any, Any]
T = TypeVar("T", bound=msgspec.Struct)
Runner = Callable[[ServiceCaller, list[tuple[int, Any]]], Awaitable[list[ItemResult]]]

EXAMPLES: dict[type[msgspec.Struct], tuple[list[dict[str, Any]], str]] = {
    SignalReportItem: (
        [{"cluster_id": "0193…", "kind": "HEARTBEAT", "observed_at": "2026-01-05T08:00:00+07:00"}],
        "cluster_id,kind,observed_at,key\n0193…,NO_SIGNAL,2026-01-05T08:00:00+07:00,\n",
    ),
    RelaySessionItem: (
        [
            {
                "station_id": "0192…",
                "source": "VOV1",
                "started_at": "2025-01-01T05:00:00+07:00",
                "ended_at": "2025-01-01T06:00:00+07:00",
                "key": "ba-be-2025-0001",
            }
        ],
        "station_id,source,started_at,ended_at,key\n0192…,VOV1,2025-01-01T05:00:00+07:00,2025-01-01T06:00:00+07:00,\n",
    ),
    IndicatorValueItem: (
        [{"indicator_code": "radio.communes.ip_share", "unit_code": "061", "period": "2025", "value": 62.5}],
        "indicator_code,unit_code,period,value,comment\nradio.communes.ip_share,061,2025,62.5,\n",
    ),
    DeliveryStepItem: (
        [{"programme_id": "0194…", "station_id": "0192…", "step": "aired", "at": "2026-01-05T18:00:00+07:00"}],
        "programme_id,station_id,step,at,reason\n0194…,0192…,failed,2026-01-05T18:00:00+07:00,no power\n",
    ),
}


def _operation(shape: type[msgspec.Struct]) -> type[Operation]:
    """An operation whose body the route reads itself (JSON or CSV), documented here."""
    json_example, csv_example = EXAMPLES[shape]
    fields = ", ".join(f for f in shape.__struct_fields__)

    @dataclasses.dataclass
    class BulkOperation(Operation):
        def __post_init__(self) -> None:
            self.request_body = RequestBody(
                required=True,
                description=f"Up to {MAX_BATCH_ITEMS:,} items (JSON array, or CSV with a header row): {fields}.",
                content={
                    "application/json": OpenAPIMediaType(
                        schema=Schema(type=None, description=f"[{{{fields}}}]"),
                        examples={"items": Example(value=json_example)},
                    ),
                    "text/csv": OpenAPIMediaType(
                        schema=Schema(description="one item per row"), examples={"rows": Example(value=csv_example)}
                    ),
                },
            )

    return BulkOperation


def _status(code: int) -> Callable[[Req, Exception], Response[ErrorBody]]:
    def handler(_: Req, exc: Exception) -> Response[ErrorBody]:
        assert isinstance(exc, TooManyItemsError | UnsupportedMediaError)
        return Response(ErrorBody(exc.code, exc.message, exc.details), status_code=code)

    return handler


def bulk_controllers(gateway: Gateway, security: GatewaySecurity) -> list[type[Controller]]:
    async def run_batch(request: Req, shape: type[T], runner: Runner) -> BatchResult:
        principal = await security.admit(request.headers.get("authorization"), request.scope)
        caller = GatewayContext.create(gateway, principal).writer()  # 401 without credentials
        items = read_items(await request.body(), request.headers.get("content-type", ""), shape)
        await security.charge_items(principal, request.scope, items.count)
        return BatchResult.of([*items.rejected, *await runner(caller, items.decoded)])

    class BulkApi(Controller):
        path = "/api/v1/bulk"
        tags = ["bulk ingestion"]  # noqa: RUF012 - Litestar declares it as an instance attribute
        security = [{"bearerAuth": []}]  # noqa: RUF012
        exception_handlers = {  # noqa: RUF012
            TooManyItemsError: _status(413),
            UnsupportedMediaError: _status(415),
            ServiceError: service_error,  # a whole batch refused (a scope the caller lacks): the service's code
            ServiceUnavailableError: service_unavailable,
        }

        @post(
            "/signal-reports",
            operation_id="reportClusterSignalsBulk",
            status_code=200,
            operation_class=_operation(SignalReportItem),
            summary="Report loudspeaker clusters' signal in bulk",
            description="Each report: `cluster_id`, `kind` (HEARTBEAT, RESTORED, NO_SIGNAL, OFFLINE), "
            "`observed_at` with its UTC offset, optional `key`. Needs `broadcast:write`.",
        )
        async def signal_reports(self, request: Req) -> BatchResult:
            return await run_batch(request, SignalReportItem, bulk_api.report_signals)

        @post(
            "/relay-sessions",
            operation_id="recordRelaySessionsBulk",
            status_code=200,
            operation_class=_operation(RelaySessionItem),
            summary="Record relay sessions in bulk (a year of a station's log in one request)",
            description="Each session: `station_id`, `source`, `started_at`, `ended_at` (at most 24 h), "
            "optional `programme_id`, `note`, `key`. A session overlapping another of its station is "
            "rejected alone. Needs `broadcast:write`.",
        )
        async def relay_sessions(self, request: Req) -> BatchResult:
            return await run_batch(request, RelaySessionItem, bulk_api.record_relays)

        @post(
            "/indicator-values",
            operation_id="reportIndicatorValuesBulk",
            status_code=200,
            operation_class=_operation(IndicatorValueItem),
            summary="Report indicator values in bulk",
            description="Each value: `indicator_code`, `unit_code`, `period`, `value`, optional `source`, "
            "`comment`, `key`. Reporting a new value for the same unit and period corrects it. Needs "
            "`metrics:write`.",
        )
        async def indicator_values(self, request: Req) -> BatchResult:
            return await run_batch(request, IndicatorValueItem, bulk_api.report_values)

        @post(
            "/delivery-steps",
            operation_id="recordDeliveryStepsBulk",
            status_code=200,
            operation_class=_operation(DeliveryStepItem),
            summary="Record programme deliveries at stations in bulk: received, aired, failed",
            description="Each step: `programme_id`, `station_id`, `step` (received, aired, failed), optional "
            "`at`, `reason` (required for failed), `content_hash`, `key`. Needs `broadcast:write`.",
        )
        async def delivery_steps(self, request: Req) -> BatchResult:
            return await run_batch(request, DeliveryStepItem, bulk_api.record_delivery_steps)

    return [BulkApi]
