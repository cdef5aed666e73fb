"""The database a one-off command talks to: configured, the running platform's, or embedded.

With no ``TINHSO_DATABASE_URL``, a command uses the database of the ``tinhso up`` running from
the same state directory; when none runs, it starts the embedded PostgreSQL just for itself.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
import msgspec

from libs.common.db import create_pool
from libs.common.settings import Settings
from services.cli import platform_state
from services.cli.infrastructure import Infrastructure, migrate


@asynccontextmanager
async def database(settings: Settings, *, migrated: bool = True) -> AsyncIterator[Settings]:
    """Settings whose ``database_url`` points at a live (and, unless told, migrated) database."""
    if settings.embedded_database:
        running = platform_state.running(settings.state_path)
        if running is not None:
            yield msgspec.structs.replace(settings, database_url=running.database_url)
            return
    infra = Infrastructure(settings)
    try:
        resolved = await infra.start(with_broker=False)
        if migrated:
            await migrate(resolved.database_url)
        yield resolved
    finally:
        infra.stop()


@asynccontextmanager
async def pool(settings: Settings) -> AsyncIterator[asyncpg.Pool]:
    async with database(settings) as resolved:
        p = await create_pool(resolved.database_url, service="cli", max_size=4)
        try:
            yield p
        finally:
            await p.close()
