"""A real projection stalled the way a rebuild's swap stalls it: its advisory lock, which every
batch takes (shared) before it applies, held exclusively until the block ends."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterable

import asyncpg

from libs.common.projections.projection import Projection


@contextlib.asynccontextmanager
async def stalled(database_url: str, projections: Iterable[Projection]) -> AsyncIterator[None]:
    """The projections apply nothing until the block ends."""
    conn = await asyncpg.connect(database_url)
    try:
        for projection in projections:
            await conn.execute("SELECT pg_advisory_lock($1)", projection.lock_key())
        yield
    finally:
        await conn.close()  # releases every lock at once
