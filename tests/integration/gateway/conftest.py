"""Fixtures the gateway's integration tests share."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import pytest

from libs.common.db import create_pool
from libs.common.migrations import apply_migrations
from libs.common.settings import Settings
from services.cli.catalogue import all_migrations
from tests.integration.gateway.admission_support import StalledService
from tests.support.http_server import Server, listening_socket


@pytest.fixture
async def migrated(settings: Settings) -> AsyncIterator[asyncpg.Pool]:
    """A small pool on the test's database with every service's migrations applied."""
    conn = await asyncpg.connect(settings.database_url)
    await apply_migrations(conn, all_migrations())
    await conn.close()
    pool = await create_pool(settings.database_url, service="test", max_size=2)
    yield pool
    await pool.close()


@pytest.fixture
async def stalled() -> AsyncIterator[tuple[StalledService, str]]:
    """A stand-in internal service whose calls wait until the test releases them, and its URL."""
    service = StalledService()
    sock = listening_socket()
    server = Server(service, sock, lifespan="off")
    await server.start()
    try:
        yield service, f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        service.release.set()
        await server.stop()
        sock.close()
