"""Remembers the result of a command sent with an idempotency key.

The record is written in the same transaction as the events, so "appended" and "remembered"
cannot disagree after a crash. The same key with a different request is refused: a client
bug must not be answered with another request's result.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import msgspec

from libs.common.db import Conn
from libs.common.eventstore.errors import IdempotencyKeyReusedError


class IdempotencyKey(msgspec.Struct, frozen=True):
    principal: str
    key: str
    request_hash: str

    @classmethod
    def for_request(cls, principal: str, key: str, request: object) -> IdempotencyKey:
        digest = hashlib.sha256(msgspec.json.encode(request, order="deterministic")).hexdigest()
        return cls(principal, key, digest)


class IdempotencyRecords:
    def __init__(self, schema: str) -> None:
        self._find = f"SELECT request_hash, result FROM {schema}.idempotency_keys WHERE principal = $1 AND key = $2"
        self._save = (
            f"INSERT INTO {schema}.idempotency_keys (principal, key, request_hash, result) VALUES ($1, $2, $3, $4)"
        )
        self._find_many = f"""
            SELECT r.principal, r.key, r.request_hash, r.result
            FROM {schema}.idempotency_keys r
            JOIN unnest($1::text[], $2::text[]) AS k(principal, key) USING (principal, key)
        """
        self._save_many = f"""
            INSERT INTO {schema}.idempotency_keys (principal, key, request_hash, result)
            SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::jsonb[])
        """

    async def lock(self, conn: Conn, key: IdempotencyKey) -> None:
        """Serialise requests with one key until the holder's transaction ends."""
        await conn.execute("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", _lock_name(key))

    async def try_lock_many(self, conn: Conn, keys: Sequence[IdempotencyKey]) -> set[tuple[str, str]]:
        """:meth:`lock` for several keys without waiting: the (principal, key) pairs another
        transaction holds, whose locks were not taken. A batch must not wait on one client's
        key while it holds everyone else's commands."""
        names = {_lock_name(k): (k.principal, k.key) for k in keys}
        held = await conn.fetch(
            "SELECT k FROM unnest($1::text[]) AS k WHERE NOT pg_try_advisory_xact_lock(hashtextextended(k, 0))",
            sorted(names),
        )
        return {names[row["k"]] for row in held}

    async def find_many(self, conn: Conn, keys: Sequence[IdempotencyKey]) -> dict[tuple[str, str], tuple[str, bytes]]:
        """(principal, key) -> (request hash, result) of the keys already used."""
        rows = await conn.fetch(self._find_many, [k.principal for k in keys], [k.key for k in keys])
        return {(r["principal"], r["key"]): (r["request_hash"], r["result"]) for r in rows}

    async def save_many(self, conn: Conn, records: Sequence[tuple[IdempotencyKey, bytes]]) -> None:
        if records:
            await conn.execute(
                self._save_many,
                [k.principal for k, _ in records],
                [k.key for k, _ in records],
                [k.request_hash for k, _ in records],
                [result for _, result in records],
            )

    async def find(self, conn: Conn, key: IdempotencyKey) -> bytes | None:
        row = await conn.fetchrow(self._find, key.principal, key.key)
        if row is None:
            return None
        return remembered(key, row["request_hash"], row["result"])

    async def save(self, conn: Conn, key: IdempotencyKey, result: bytes) -> None:
        await conn.execute(self._save, key.principal, key.key, key.request_hash, result)


def remembered(key: IdempotencyKey, request_hash: str, result: bytes) -> bytes:
    """The result recorded for ``key``, or :class:`IdempotencyKeyReusedError` when it was
    recorded for a different request."""
    if request_hash != key.request_hash:
        raise IdempotencyKeyReusedError(
            f"idempotency key {key.key!r} was already used for a different request",
            details={"idempotency_key": key.key},
        )
    return result


def _lock_name(key: IdempotencyKey) -> str:
    return f"{key.principal}|{key.key}"
