"""A bulk batch inside one command transaction: every item with its own idempotency key and
its own result (ADR 0040).

A batch handler keeps an :class:`ItemBatch` for the attempt: it rejects the items that fail a
rule (:meth:`reject`), asks which of the others were done before (:meth:`settle_used_keys`,
one query for the batch), claims the keys of those it will apply (:meth:`claim`, one
statement, in the narrow ``item_keys``: ``item_keys.py``) and applies them together. The keys'
records are saved in the same transaction as the items' events, so an item is either applied
and remembered or neither; a retry of the batch finds the records and answers ``duplicate``
for those items without running them again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from typing import Any, Generic, TypeVar

import asyncpg
import msgspec

from contracts.api.batches import BatchResult, ItemResult
from libs.common.db import Conn
from libs.common.errors import DomainError
from libs.common.eventstore.context import CommandContext
from libs.common.eventstore.item_keys import DIGEST_BYTES, ItemKeys, ItemRecord

B = TypeVar("B", bound=msgspec.Struct)


class Item(msgspec.Struct, Generic[B], frozen=True, gc=False):
    """``gc=False``: a batch makes thousands at once and none is part of a reference cycle, so
    the cyclic collector has nothing to find in them, only time to spend scanning them."""

    index: int
    body: B
    key: str
    digest: bytes
    """The key's name in ``item_keys``."""
    item_hash: bytes


class ItemBatch(Generic[B]):
    """One attempt at a batch: the items still pending and the results given so far."""

    def __init__(self, kind: str, items: Sequence[B], ctx: CommandContext, records: ItemKeys) -> None:
        meta = ctx.metadata
        owner = (meta.partner or meta.actor if meta is not None else None) or "anonymous"
        self.records = records
        self.results: dict[int, ItemResult] = {}
        self.pending: list[Item[B]] = []
        self._twins: list[tuple[Item[B], Item[B]]] = []
        """Items sent twice in one batch: the second answers as the first does."""
        first: dict[bytes, Item[B]] = {}
        encode = msgspec.json.Encoder(order="deterministic").encode
        sha256 = hashlib.sha256
        prefix = f"{owner}\x00bulk:{kind}:"
        for index, body in enumerate(items):
            # One digest is both the item's key (when it has none: ``item_key``'s) and what its
            # record is checked against: a key sent again with another item is told apart by it.
            content = sha256(encode(body)).digest()
            given: str | None = getattr(body, "key", None)
            key = given if given is not None else "sha256-" + content.hex()[:40]
            # ``key_digest(owner, f"bulk:{kind}:{key}")``, written out: it runs once per item.
            digest = sha256((prefix + key).encode()).digest()[:DIGEST_BYTES]
            item = Item(index, body, key, digest, content[:DIGEST_BYTES])
            earlier = first.setdefault(digest, item)
            if earlier is item:
                self.pending.append(item)
            elif earlier.item_hash == item.item_hash:
                self._twins.append((item, earlier))
            else:
                self.reject(item, _reused(key))

    def attempt(self) -> ItemBatch[B]:
        """A copy to run one attempt of the transaction on: the digests are made once, before
        it, and an attempt retried after a conflict starts again from here."""
        copy = object.__new__(ItemBatch)
        copy.records = self.records
        copy.results = dict(self.results)
        copy.pending = list(self.pending)
        copy._twins = self._twins
        return copy

    def reject(self, item: Item[B], error: DomainError) -> None:
        self._give(item, "rejected", code=error.code, message=error.message, details=error.details)

    def reject_where(self, refusals: dict[int, DomainError]) -> None:
        """Reject the pending items whose index has a refusal; keep the others pending."""
        keep: list[Item[B]] = []
        for item in self.pending:
            if (error := refusals.get(item.index)) is not None:
                self.reject(item, error)
            else:
                keep.append(item)
        self.pending = keep

    async def settle_used_keys(self, conn: Conn) -> None:
        """Items whose key was used before: ``duplicate`` (same item) or rejected (another item)."""
        await self._settle(conn, self.pending)

    async def refuse(self, conn: Conn, refusals: dict[int, DomainError]) -> None:
        """Reject the pending items with a refusal, except those done before, which answer
        ``duplicate`` (or ``idempotency_key_reused``) as a retry must: one look-up, of the
        refused items' keys only, and none when nothing is refused. With :meth:`claim_free`,
        instead of :meth:`settle_used_keys` before the checks and :meth:`claim` after them."""
        refused = [item for item in self.pending if item.index in refusals]
        if not refused:
            return
        await self._settle(conn, refused)
        self.reject_where(refusals)

    async def claim_free(self, conn: Conn, ids: dict[int, list[str]]) -> None:
        """Save the records of the pending items whose keys are free, in one statement, and
        settle the others as what their records say (done before, or by a batch racing this
        one): the batch's items are mostly new, so claiming first spares looking them all up
        before. ``ON CONFLICT DO NOTHING`` waits for a concurrent transaction holding a key,
        in digest order (``ItemKeys.claim``), then sees whether it committed the key."""
        records = [ItemRecord(item.digest, item.item_hash, ids.get(item.index, [])) for item in self.pending]
        claimed = await self.records.claim(conn, records)
        if len(claimed) < len(records):
            await self._settle(conn, [item for item in self.pending if item.digest not in claimed])

    async def claim(self, conn: Conn, ids: dict[int, list[str]]) -> None:
        """Save the records of the pending items (``ids``: what each will create or act on);
        an item whose key a concurrent batch saved meanwhile is settled as that batch's."""
        records = [ItemRecord(item.digest, item.item_hash, ids.get(item.index, [])) for item in self.pending]
        try:
            # Plain inserts are the common case and the cheap one: only a batch racing this one
            # with the same items finds a key taken since they were looked up.
            async with conn.transaction():
                await self.records.save(conn, records)
            return
        except asyncpg.UniqueViolationError:
            claimed = await self.records.claim(conn, records)
        taken = [item for item in self.pending if item.digest not in claimed]
        if taken:
            await self._settle(conn, taken)

    def accept(self, ids: dict[int, list[str]]) -> None:
        for item in self.pending:
            self.results[item.index] = ItemResult(
                index=item.index, status="accepted", key=item.key, ids=ids.get(item.index, [])
            )
        self.pending = []

    def result(self) -> BatchResult:
        for twin, earlier in self._twins:
            first = self.results[earlier.index]
            if first.status == "rejected":
                self.results[twin.index] = msgspec.structs.replace(first, index=twin.index)
            else:
                self._give(twin, "duplicate", ids=first.ids)
        return BatchResult.of(list(self.results.values()))

    async def _settle(self, conn: Conn, items: Iterable[Item[B]]) -> None:
        items = list(items)
        if not items:
            return
        found = await self.records.find(conn, [item.digest for item in items])
        settled: set[int] = set()
        for item in items:
            record = found.get(item.digest)
            if record is None:
                continue
            settled.add(item.index)
            if record.item_hash != item.item_hash:
                self.reject(item, _reused(item.key))
            else:
                self._give(item, "duplicate", ids=record.ids)
        self.pending = [item for item in self.pending if item.index not in settled]

    def _give(self, item: Item[B], status: Any, **fields: Any) -> None:
        self.results[item.index] = ItemResult(index=item.index, status=status, key=item.key, **fields)


def _reused(key: str) -> DomainError:
    return DomainError(
        f"the item key {key!r} was used before for a different item",
        code="idempotency_key_reused",
        details={"key": key},
    )
