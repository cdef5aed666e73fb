"""Persisted query documents by SHA-256, in the gateway's PostgreSQL schema.

Stored in PostgreSQL so every gateway replica knows a document another registered; each
process keeps the documents it has seen in a small LRU cache in front (a document never
changes under its hash, so the cache needs no invalidation).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable

import asyncpg

CACHE_ENTRIES = 2_000
MAX_DOCUMENT_BYTES = 100_000


class PersistedQueries:
    def __init__(self, pool: Callable[[], asyncpg.Pool]) -> None:
        self._pool = pool
        self._cache: OrderedDict[str, str] = OrderedDict()

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

    async def put(self, sha256: str, document: str) -> None:
        await self._pool().execute(
            "INSERT INTO gateway.persisted_queries (sha256, document) VALUES ($1, $2) ON CONFLICT (sha256) DO NOTHING",
            sha256,
            document,
        )
        self._remember(sha256, document)

    def _remember(self, sha256: str, document: str) -> None:
        self._cache[sha256] = document
        self._cache.move_to_end(sha256)
        while len(self._cache) > CACHE_ENTRIES:
            self._cache.popitem(last=False)
