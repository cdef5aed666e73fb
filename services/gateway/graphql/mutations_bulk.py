# mypy: disallow-untyped-decorators=False
"""Batch mutations for small batches (at most ``MAX_GRAPHQL_BATCH`` items): the bulk routes'
operations in GraphQL, with the same per-item results (ADR 0040).

Each item's ``idempotencyKey`` is its key (else its content is); the items are charged to the
caller's bulk item quota before any runs. Larger batches go to ``/api/v1/bulk/…``.
"""

from __future__ import annotations

import datetime
import enum
from typing import Any

import msgspec
import strawberry
from strawberry.types import Info

from contracts.api.batches import (
    BatchResult,
    DeliveryStepItem,
    IndicatorValueItem,
    ItemResult,
    RelaySessionItem,
    SignalReportItem,
)
from libs.common.errors import InvalidInputError
from services.gateway.adapters import bulk_api
from services.gateway.graphql.context import context_of
from services.gateway.graphql.contract_types import FromContract, contract_type
from services.gateway.graphql.ids import raw_id
from services.gateway.graphql.inputs import (
    KEY_HELP,
    RecordRelayInput,
    ReportClusterSignalInput,
    ReportIndicatorValueInput,
)
from services.gateway.graphql.mutations import SIGNAL_REPORT_KINDS
from services.gateway.security.charging import Meter

Ctx = Info[Any, Any]

MAX_GRAPHQL_BATCH = 100
"""Items of one batch mutation at most: a GraphQL answer is built in memory, field by field."""


@strawberry.enum(description="What became of one item of a batch.")
class BulkItemStatus(enum.Enum):
    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"
    """Its key was used before for the same item: nothing ran again."""
    REJECTED = "rejected"


@strawberry.enum
class DeliveryStepKind(enum.Enum):
    RECEIVED = "received"
    AIRED = "aired"
    FAILED = "failed"


@contract_type(
    ItemResult,
    fields=("index", "status", "key", "ids", "code", "message"),
    name="BulkItemResult",
    description="One item's result: accepted, duplicate, or rejected with a code and the reason.",
    convert={"code": lambda code: code and code.upper()},  # as GraphQL errors' codes are
)
class BulkItemResult(FromContract[ItemResult]):
    status: BulkItemStatus


@contract_type(BatchResult, fields=("accepted", "duplicate", "rejected", "items"), name="BulkResult")
class BulkResult(FromContract[BatchResult]):
    pass


@strawberry.input
class BulkDeliveryStepInput:
    programme_id: strawberry.ID
    station_id: strawberry.ID
    step: DeliveryStepKind
    at: datetime.datetime | None = None
    reason: str | None = strawberry.field(default=None, description="Why it failed (required for FAILED).")
    content_hash: str | None = None
    idempotency_key: str | None = strawberry.field(default=None, description=KEY_HELP)


def _decoded(fields: list[dict[str, Any]], shape: type[Any]) -> tuple[list[tuple[int, Any]], list[ItemResult]]:
    decoded: list[tuple[int, Any]] = []
    rejected: list[ItemResult] = []
    for index, item in enumerate(fields):
        try:
            decoded.append((index, msgspec.convert({k: v for k, v in item.items() if v is not None}, shape)))
        except msgspec.ValidationError as exc:
            rejected.append(ItemResult(index=index, status="rejected", code="invalid_item", message=str(exc)))
    return decoded, rejected


async def _admitted(info: Ctx, count: int) -> None:
    if count > MAX_GRAPHQL_BATCH:
        raise InvalidInputError(
            f"a batch mutation takes at most {MAX_GRAPHQL_BATCH} items; send larger ones to /api/v1/bulk",
            code="too_many_items",
            details={"max_items": MAX_GRAPHQL_BATCH, "items": count},
        )
    meter = context_of(info).meter
    if isinstance(meter, Meter):
        await meter.charge_items(count)


@strawberry.type
class BulkMutation:
    @strawberry.mutation(
        description="Report loudspeaker clusters' signal, each report with its own result (broadcast)."
    )
    async def report_cluster_signals(self, info: Ctx, input: list[ReportClusterSignalInput]) -> BulkResult:
        caller = context_of(info).writer()
        await _admitted(info, len(input))
        rejected: list[ItemResult] = []
        fields: list[dict[str, Any]] = []
        for index, item in enumerate(input):
            kind = SIGNAL_REPORT_KINDS.get(item.signal)
            if kind is None:
                message = "UNKNOWN is not a signal a cluster can report"
                rejected.append(ItemResult(index=index, status="rejected", code="invalid_item", message=message))
            fields.append(
                {
                    "cluster_id": raw_id(item.cluster_id, "SpeakerCluster", "clusterId"),
                    "kind": kind or "",
                    "observed_at": item.observed_at,
                    "key": item.idempotency_key,
                }
            )
        decoded, invalid = _decoded(fields, SignalReportItem)
        skip = {r.index for r in rejected}
        rejected += [r for r in invalid if r.index not in skip]
        results = await bulk_api.report_signals(caller, [(i, d) for i, d in decoded if i not in skip])
        return BulkResult.of(BatchResult.of([*rejected, *results]))

    @strawberry.mutation(description="Record stations' relay sessions, each with its own result (broadcast).")
    async def record_relay_sessions(self, info: Ctx, input: list[RecordRelayInput]) -> BulkResult:
        caller = context_of(info).writer()
        await _admitted(info, len(input))
        fields = [
            {
                "station_id": raw_id(item.station_id, "RadioStation", "stationId"),
                "source": item.source.value,
                "started_at": item.started_at,
                "ended_at": item.ended_at,
                "key": item.idempotency_key,
            }
            for item in input
        ]
        decoded, rejected = _decoded(fields, RelaySessionItem)
        return BulkResult.of(BatchResult.of([*rejected, *await bulk_api.record_relays(caller, decoded)]))

    @strawberry.mutation(description="Report indicators' values, each with its own result (metrics).")
    async def report_indicator_values(self, info: Ctx, input: list[ReportIndicatorValueInput]) -> BulkResult:
        caller = context_of(info).writer()
        await _admitted(info, len(input))
        fields = [
            {
                "indicator_code": item.indicator_code,
                "unit_code": item.unit_code,
                "period": str(item.period),
                "value": item.value,
                "source": item.source,
                "key": item.idempotency_key,
            }
            for item in input
        ]
        decoded, rejected = _decoded(fields, IndicatorValueItem)
        return BulkResult.of(BatchResult.of([*rejected, *await bulk_api.report_values(caller, decoded)]))

    @strawberry.mutation(description="Record programmes' deliveries at stations: received, aired, failed (broadcast).")
    async def record_delivery_steps(self, info: Ctx, input: list[BulkDeliveryStepInput]) -> BulkResult:
        caller = context_of(info).writer()
        await _admitted(info, len(input))
        fields = [
            {
                "programme_id": raw_id(item.programme_id, "Programme", "programmeId"),
                "station_id": raw_id(item.station_id, "RadioStation", "stationId"),
                "step": item.step.value,
                "at": item.at,
                "reason": item.reason,
                "content_hash": item.content_hash,
                "key": item.idempotency_key,
            }
            for item in input
        ]
        decoded, rejected = _decoded(fields, DeliveryStepItem)
        return BulkResult.of(BatchResult.of([*rejected, *await bulk_api.record_delivery_steps(caller, decoded)]))
