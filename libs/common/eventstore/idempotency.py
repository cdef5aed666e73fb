"""Remembers the result of a command sent with an idempotency key.

The record is written in the same transaction as the events, so "appended" and "remembered"
cannot disagree after a crash. The same key with a different request is refused: a client
bug must not be answered with another request's result.
"""

from __future__ import annotations

import hashlib

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

    async def lock(self, conn: Conn, key: IdempotencyKey) -> None:
        """Serialise requests with one key until the holder's transaction ends."""
        await conn.execute("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", f"{key.principal}|{key.key}")

    async def find(self, conn: Conn, key: IdempotencyKey) -> bytes | None:
        row = await conn.fetchrow(self._find, key.principal, key.key)
        if row is None:
            return None
        if row["request_hash"] != key.request_hash:
            raise IdempotencyKeyReusedError(
                f"idempotency key {key.key!r} was already used for a different request",
                details={"idempotency_key": key.key},
            )
        result: bytes = row["result"]
        return result

    async def save(self, conn: Conn, key: IdempotencyKey, result: bytes) -> None:
        await conn.execute(self._save, key.principal, key.key, key.request_hash, result)
