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
from services.cli.infrastructure import Infrastructure, StartupError, migrate


@asynccontextmanager
async def database(settings: Settings, *, migrate_first: bool = False, own: bool = False) -> AsyncIterator[Settings]:
    """Settings whose ``database_url`` points at a live database.

    A database this command starts itself (embedded, nothing running) is migrated, since it
    may be brand new, unless the caller migrates it itself (``own``: ``tinhso migrate``). A
    configured or running one is migrated only when ``migrate_first``: an operator listing
    dead letters does not expect schema changes as a side effect.
    """
    if settings.embedded_database:
        running = platform_state.running(settings.state_path)
        if running is not None:
            if running.starting:
                raise StartupError(f"tinhso up is starting from {settings.state_path}; try again in a few seconds")
            resolved = msgspec.structs.replace(settings, database_url=running.database_url)
            if migrate_first:
                await migrate(resolved.database_url)
            yield resolved
            return
    infra = Infrastructure(settings)
    try:
        resolved = await infra.start(with_broker=False)
        if migrate_first or (infra.postgres is not None and not own):
            await migrate(resolved.database_url)
        yield resolved
    finally:
        infra.stop()


@asynccontextmanager
async def pool(settings: Settings, *, migrate_first: bool = False) -> AsyncIterator[asyncpg.Pool]:
    async with database(settings, migrate_first=migrate_first) as resolved:
        p = await create_pool(resolved.database_url, service="cli", max_size=4)
        try:
            yield p
        finally:
            await p.close()
