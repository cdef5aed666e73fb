"""Bulk batches run as the caller: signal reports and relay sessions in one call to the
broadcast service's batch routes, indicator values and delivery steps item by item through
the services' own commands, each with the item's key (ADR 0040).

Every function takes the items that decoded, with their place in the partner's request, and
answers one ``ItemResult`` per item at that place. A service's refusal of an item is that
item's rejection with the service's code; a service that cannot answer rejects the items it
was running with ``service_unavailable`` (their keys make sending them again safe).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable, Sequence
from typing import TypeVar

import msgspec

from contracts.api.batches import (
    BatchResult,
    DeliveryStepItem,
    IndicatorValueItem,
    ItemResult,
    RelaySessionBatch,
    RelaySessionItem,
    SignalReportBatch,
    SignalReportItem,
    item_key,
)
from contracts.api.broadcast import DeliveryStepBody
from contracts.api.metrics import ReportValue
from libs.common.errors import DomainError
from libs.common.eventstore.results import CommandResult
from services.gateway.adapters.internal import ServiceCaller, ServiceUnavailableError

T = TypeVar("T", bound=msgspec.Struct)
Numbered = Sequence[tuple[int, T]]
"""Items with their index in the partner's request."""

ONE_BY_ONE = 16
"""Items run at once when a batch goes through a service's single-item command."""

STEP_PATHS = {"received": "receive", "aired": "air", "failed": "fail"}


async def report_signals(caller: ServiceCaller, items: Numbered[SignalReportItem]) -> list[ItemResult]:
    if not items:
        return []
    body = SignalReportBatch(items=[item for _, item in items])
    return await _batch(caller, "/commands/batches/signal-reports", body, items)


async def record_relays(caller: ServiceCaller, items: Numbered[RelaySessionItem]) -> list[ItemResult]:
    if not items:
        return []
    body = RelaySessionBatch(items=[item for _, item in items])
    return await _batch(caller, "/commands/batches/relay-sessions", body, items)


async def report_values(caller: ServiceCaller, items: Numbered[IndicatorValueItem]) -> list[ItemResult]:
    async def run(item: IndicatorValueItem, key: str) -> CommandResult:
        body = ReportValue(
            indicator_code=item.indicator_code,
            unit_code=item.unit_code,
            period=item.period,
            value=item.value,
            source=item.source,
            comment=item.comment,
        )
        return await caller.post("metrics", "/commands/values/report", body, CommandResult, idempotency_key=key)

    return await _one_by_one("value", items, run, lambda v: (v.indicator_code, v.unit_code, v.period))


async def record_delivery_steps(caller: ServiceCaller, items: Numbered[DeliveryStepItem]) -> list[ItemResult]:
    async def run(item: DeliveryStepItem, key: str) -> CommandResult:
        path = f"/commands/deliveries/{item.programme_id}/{item.station_id}/{STEP_PATHS[item.step]}"
        body = DeliveryStepBody(at=item.at, reason=item.reason, content_hash=item.content_hash)
        return await caller.post("broadcast", path, body, CommandResult, idempotency_key=key)

    return await _one_by_one("delivery", items, run, lambda d: (d.programme_id, d.station_id))


async def _batch(caller: ServiceCaller, path: str, body: msgspec.Struct, items: Numbered[T]) -> list[ItemResult]:
    try:
        answer = await caller.post("broadcast", path, body, BatchResult)
    except ServiceUnavailableError:
        return [_unavailable(index, item) for index, item in items]
    # The service numbers the items it was sent; the partner's numbers count the ones that did not decode.
    return [msgspec.structs.replace(r, index=items[r.index][0]) for r in answer.items]


async def _one_by_one(
    kind: str,
    items: Numbered[T],
    run: Callable[[T, str], Awaitable[CommandResult]],
    lane: Callable[[T], Hashable],
) -> list[ItemResult]:
    """Items in the same lane (one delivery, one value) run in the request's order, one after
    another: a station's receipt before its airing, a value before its correction. Lanes run
    side by side, ``ONE_BY_ONE`` items at a time."""
    gate = asyncio.Semaphore(ONE_BY_ONE)
    lanes: dict[Hashable, list[tuple[int, T]]] = {}
    for index, item in items:
        lanes.setdefault(lane(item), []).append((index, item))

    async def one(index: int, item: T) -> ItemResult:
        key = item_key(item, getattr(item, "key", None))
        async with gate:
            try:
                result = await run(item, f"bulk:{kind}:{key}")
            except DomainError as refused:  # the service's refusal, or an id the gateway refuses to send
                details = refused.details
                return ItemResult(
                    index=index, status="rejected", key=key, code=refused.code, message=refused.message, details=details
                )
            except ServiceUnavailableError:
                return _unavailable(index, item)
        return ItemResult(index=index, status="duplicate" if result.replayed else "accepted", key=key, ids=result.ids)

    async def in_order(queue: list[tuple[int, T]]) -> list[ItemResult]:
        return [await one(index, item) for index, item in queue]

    done = await asyncio.gather(*(in_order(queue) for queue in lanes.values()))
    return [result for results in done for result in results]


def _unavailable(index: int, item: msgspec.Struct) -> ItemResult:
    return ItemResult(
        index=index,
        status="rejected",
        key=item_key(item, getattr(item, "key", None)),
        code="service_unavailable",
        message="an internal service is unavailable; send the item again shortly (its key makes that safe)",
    )
