"""A bulk batch whose items each run as the service's own single command (ADR 0046): indicator
values, delivery steps.

Each item is its command exactly as if it had come alone (``report``, ``air`` …), so every rule
of that command, its ownership check included, holds for the item; it carries its own
idempotency key (``bulk:<kind>:<item key>``, named for the single command's path, so an item
sent before through that command is recognised) and its own result. The items run side by side
inside the service, ``AT_ONCE`` at a time, where the executor's group commit gathers the ones
that arrive together into one transaction: a 10,000-item batch is one request and a few
hundred commits, not 10,000 requests. Items of one lane (one delivery, one value) run in the
request's order: a receipt before its airing, a value before its correction.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable, Sequence
from typing import TypeVar

import msgspec

from contracts.api.batches import BatchResult, ItemResult, item_key
from libs.common.errors import DomainError
from libs.common.eventstore.commands import CommandExecutor
from libs.common.eventstore.context import CommandContext
from libs.common.eventstore.idempotency import IdempotencyKey, remembered
from libs.common.eventstore.results import CommandResult, replayed

B = TypeVar("B", bound=msgspec.Struct)

AT_ONCE = 32
"""Items in flight at once: enough to fill a group commit, few enough to leave the pool to others."""


async def each_item(
    kind: str,
    items: Sequence[B],
    ctx: CommandContext,
    run: Callable[[B, CommandContext], Awaitable[CommandResult]],
    *,
    executor: CommandExecutor,
    request: Callable[[B], object],
    lane: Callable[[B], Hashable],
    path: Callable[[B], str],
) -> BatchResult:
    """Run ``run`` for every item with the item's own key; ``request``: the single command's
    input the item becomes (what its key is checked against), ``path``: that command's path."""
    gate = asyncio.Semaphore(AT_ONCE)
    contexts: dict[int, tuple[str, CommandContext, IdempotencyKey | None]] = {}
    for index, item in enumerate(items):
        key = item_key(item, getattr(item, "key", None))
        # The batch's own Idempotency-Key, if any, is not the item's: the items' keys make a
        # batch sent again safe.
        own = msgspec.structs.replace(ctx, idempotency_key=f"bulk:{kind}:{key}", request_path=path(item))
        contexts[index] = (key, own, own.idempotency(request(item)))
    # One look-up for the whole batch: an item done before answers at once, without the reads
    # its command makes before it would find its key (a batch sent again costs one query).
    async with executor.pool.acquire() as conn:
        found = await executor.idempotency.find_many(conn, [k for _, _, k in contexts.values() if k is not None])
    lanes: dict[Hashable, list[tuple[int, B]]] = {}
    for index, item in enumerate(items):
        lanes.setdefault(lane(item), []).append((index, item))

    async def one(index: int, item: B) -> ItemResult:
        key, own, idempotency = contexts[index]
        record = found.get((idempotency.principal, idempotency.key)) if idempotency is not None else None
        async with gate:
            try:
                if record is not None and idempotency is not None:
                    result = replayed(remembered(idempotency, *record))
                else:
                    result = await run(item, own)
            except DomainError as refused:
                return ItemResult(
                    index=index,
                    status="rejected",
                    key=key,
                    code=refused.code,
                    message=refused.message,
                    details=refused.details,
                )
        return ItemResult(index=index, status="duplicate" if result.replayed else "accepted", key=key, ids=result.ids)

    async def in_order(queue: list[tuple[int, B]]) -> list[ItemResult]:
        return [await one(index, item) for index, item in queue]

    done = await asyncio.gather(*(in_order(queue) for queue in lanes.values()))
    return BatchResult.of([result for results in done for result in results])
