"""The record of every bulk item done: a narrow row per item in the service's ``item_keys``
(ADR 0046).

A bulk batch writes thousands of these per request, so each is as small as a key can be: 16
bytes naming (caller, kind, item key), 16 bytes of the item's digest to tell a key sent again
with another item apart, and the ids the item created or acted on. A command's own
``idempotency_keys`` row (a JSON result, text keys) costs several times as much to index and
look up, which is what kept bulk signal reports far below the raw update they amount to.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import msgspec

from libs.common.db import Conn

DIGEST_BYTES = 16
"""128 bits: a collision between two keys is not a concern at any volume a service sees."""


class ItemRecord(msgspec.Struct, frozen=True, gc=False):
    """``gc=False``: thousands per batch, in no reference cycle (as ``ItemResult``)."""

    digest: bytes
    """:func:`key_digest` of the caller and the item's key."""
    item_hash: bytes
    """The first :data:`DIGEST_BYTES` of the item's SHA-256."""
    ids: list[str]


def key_digest(owner: str, key: str) -> bytes:
    """The item key's name in ``item_keys``: ``key`` is already ``bulk:<kind>:<item key>``."""
    return hashlib.sha256(f"{owner}\x00{key}".encode()).digest()[:DIGEST_BYTES]


class ItemKeys:
    def __init__(self, schema: str) -> None:
        self._find = f"SELECT digest, item_hash, ids FROM {schema}.item_keys WHERE digest = ANY($1::bytea[])"
        self._save = f"""
            INSERT INTO {schema}.item_keys (digest, item_hash, ids)
            SELECT * FROM unnest($1::bytea[], $2::bytea[], $3::json[])
        """
        self._claim = self._save + " ON CONFLICT (digest) DO NOTHING RETURNING digest"

    async def find(self, conn: Conn, digests: Sequence[bytes]) -> dict[bytes, ItemRecord]:
        """The records of the keys already used, by digest."""
        rows = await conn.fetch(self._find, list(digests))
        return {r["digest"]: ItemRecord(r["digest"], r["item_hash"], _ids.decode(r["ids"])) for r in rows}

    async def save(self, conn: Conn, records: Sequence[ItemRecord]) -> None:
        """Insert the records; a key taken meanwhile fails the statement (a unique violation)."""
        if records:
            await conn.execute(self._save, *_columns(records))

    async def claim(self, conn: Conn, records: Sequence[ItemRecord]) -> set[bytes]:
        """Save the records whose keys are free; the digests saved. A key another transaction is
        saving makes this wait for it (then it is not free); records go in digest order, so two
        batches wait for each other in one order, never in a cycle."""
        if not records:
            return set()
        rows = await conn.fetch(self._claim, *_columns(sorted(records, key=lambda r: r.digest)))
        return {r["digest"] for r in rows}


_ids = msgspec.json.Decoder(list[str])


def _columns(records: Sequence[ItemRecord]) -> tuple[list[bytes], list[bytes], list[str]]:
    # Items of a batch mostly name a few ids (a signal report its cluster): each encoded once.
    encoded: dict[tuple[str, ...], str] = {}
    ids: list[str] = []
    for record in records:
        named = tuple(record.ids)
        if (text := encoded.get(named)) is None:
            text = encoded[named] = msgspec.json.encode(record.ids).decode()
        ids.append(text)
    return [r.digest for r in records], [r.item_hash for r in records], ids
