"""Persisted query documents by SHA-256, in the gateway's PostgreSQL schema.

Stored in PostgreSQL so every gateway replica knows a document another registered, with who
stored it: a partner's quota is counted there, so it holds across replicas. Each process keeps
the documents it has seen in a small LRU cache in front, bounded in bytes (a document never
changes under its hash, so the cache needs no invalidation).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable

import asyncpg

CACHE_BYTES = 4 * 1024 * 1024
"""The documents a process keeps in memory (their UTF-8 text); the rest are read again."""


class PersistedQueries:
    def __init__(self, pool: Callable[[], asyncpg.Pool], cache_bytes: int = CACHE_BYTES) -> None:
        self._pool = pool
        self._cache: OrderedDict[str, str] = OrderedDict()
        self._cache_bytes = cache_bytes
        self._cached_bytes = 0

    async def get(self, sha256: str) -> str | None:
        cached = self._cache.get(sha256)
        if cached is not None:
            self._cache.move_to_end(sha256)
            return cached
        document: str | None = await self._pool().fetchval(
            "SELECT document FROM gateway.persisted_queries WHERE sha256 = $1", sha256
        )
        if document is not None:
            self._remember(sha256, document)
        return document

    async def put(self, sha256: str, document: str, *, stored_by: str, quota: int | None) -> bool:
        """Stores a document for ``stored_by``; False (nothing stored) when it already stored
        ``quota`` documents (None: no quota). A partner's stores are serialised by an advisory
        lock, so replicas storing at once cannot both take the last place."""
        async with self._pool().acquire() as conn, conn.transaction():
            if quota is not None:
                await conn.execute(
                    "SELECT pg_advisory_xact_lock(hashtextextended('gateway.persisted_queries:' || $1, 0))", stored_by
                )
                stored = await conn.fetchval(
                    "SELECT count(*) FROM gateway.persisted_queries WHERE stored_by = $1", stored_by
                )
                if stored >= quota:
                    return False
            await conn.execute(
                "INSERT INTO gateway.persisted_queries (sha256, document, stored_by) VALUES ($1, $2, $3) "
                "ON CONFLICT (sha256) DO NOTHING",
                sha256,
                document,
                stored_by,
            )
        self._remember(sha256, document)
        return True

    def _remember(self, sha256: str, document: str) -> None:
        size = len(document.encode())
        if size > self._cache_bytes or sha256 in self._cache:
            return
        self._cache[sha256] = document
        self._cached_bytes += size
        while self._cached_bytes > self._cache_bytes:
            _, evicted = self._cache.popitem(last=False)
            self._cached_bytes -= len(evicted.encode())
