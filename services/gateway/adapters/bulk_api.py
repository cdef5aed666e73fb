"""Bulk batches run as the caller: each kind in one call to its service's batch route (ADR 0040,
0046): signal reports, relay sessions and delivery steps to broadcast, indicator values to
metrics.

Every function takes the items that decoded, with their place in the partner's request, and
answers one ``ItemResult`` per item at that place. A service's refusal of an item is that
item's rejection with the service's code; a service that cannot answer rejects the items it
was running with ``service_unavailable`` (their keys make sending them again safe).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from typing import TypeVar

import httpx
import msgspec

from contracts.api.batches import (
    BatchResult,
    DeliveryStepBatch,
    DeliveryStepItem,
    IndicatorValueBatch,
    IndicatorValueItem,
    ItemResult,
    RelaySessionBatch,
    RelaySessionItem,
    SignalReportBatch,
    SignalReportItem,
    item_key,
)
from services.gateway.adapters.internal import ServiceCaller, ServiceUnavailableError
from services.gateway.cache.scope import is_key_name

T = TypeVar("T", bound=msgspec.Struct)
BATCH_TIMEOUT = httpx.Timeout(300.0, connect=2.0)
"""A full batch of single commands (10,000 values) takes seconds, more than a command's call may."""
Numbered = Sequence[tuple[int, T]]
"""Items with their index in the partner's request."""


async def report_signals(caller: ServiceCaller, items: Numbered[SignalReportItem]) -> list[ItemResult]:
    if not items:
        return []
    body = SignalReportBatch(items=[item for _, item in items])
    return await _batch(caller, "broadcast", "/commands/batches/signal-reports", body, items)


async def record_relays(caller: ServiceCaller, items: Numbered[RelaySessionItem]) -> list[ItemResult]:
    if not items:
        return []
    body = RelaySessionBatch(items=[item for _, item in items])
    return await _batch(caller, "broadcast", "/commands/batches/relay-sessions", body, items)


async def report_values(caller: ServiceCaller, items: Numbered[IndicatorValueItem]) -> list[ItemResult]:
    if not items:
        return []
    body = IndicatorValueBatch(items=[item for _, item in items])
    return await _batch(caller, "metrics", "/commands/batches/indicator-values", body, items)


async def record_delivery_steps(caller: ServiceCaller, items: Numbered[DeliveryStepItem]) -> list[ItemResult]:
    if not items:
        return []
    body = DeliveryStepBatch(items=[item for _, item in items])
    return await _batch(caller, "broadcast", "/commands/batches/delivery-steps", body, items)


async def _batch(
    caller: ServiceCaller, service: str, path: str, body: msgspec.Struct, items: Numbered[T]
) -> list[ItemResult]:
    written = msgspec.json.encode(keys_named(item for _, item in items))
    try:
        answer = await caller.post(service, path, body, BatchResult, timeout=BATCH_TIMEOUT, written=written)
    except ServiceUnavailableError:
        return [_unavailable(index, item) for index, item in items]
    if items[-1][0] == len(items) - 1:
        return answer.items  # every item decoded: the service's numbers are the partner's
    # The service numbers the items it was sent; the partner's numbers count the ones that did not decode.
    return [msgspec.structs.replace(r, index=items[r.index][0]) for r in answer.items]


def keys_named(items: Iterable[msgspec.Struct]) -> dict[str, list[str]]:
    """The ids and codes the items name (their key-named fields: ``cluster_id``, ``unit_code``…),
    each once: what the response cache needs to know of a batch, in a few hundred bytes
    rather than a walk over every field of 10,000 items (the items hold no nested keys)."""
    named: dict[str, set[str]] = {}
    for item in items:
        for name in _key_fields(type(item)):
            value = getattr(item, name)
            if isinstance(value, str):
                named.setdefault(name, set()).add(value)
            elif isinstance(value, list):
                named.setdefault(name, set()).update(v for v in value if isinstance(v, str))
    return {name: sorted(values) for name, values in named.items()}


@functools.cache
def _key_fields(shape: type[msgspec.Struct]) -> tuple[str, ...]:
    return tuple(name for name in shape.__struct_fields__ if is_key_name(name))


def _unavailable(index: int, item: msgspec.Struct) -> ItemResult:
    return ItemResult(
        index=index,
        status="rejected",
        key=item_key(item, getattr(item, "key", None)),
        code="service_unavailable",
        message="an internal service is unavailable; send the item again shortly (its key makes that safe)",
    )
