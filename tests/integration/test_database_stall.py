"""A database that stops answering: requests get 503 ``not_ready`` within seconds, not a hang.

The test owns its PostgreSQL (nothing else shares it) and stops it with SIGSTOP: the server
and every backend, so connections stay open and simply go silent, as a stalled host or a
frozen disk would leave them. Before the fix every pool acquire waited without limit and every
statement for 60 s, so a request hung for a minute and then came back a masked 500.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import msgspec
import psutil
import pytest
from litestar.testing import AsyncTestClient

from libs.common.embedded.postgres import EmbeddedPostgres
from libs.common.migrations import apply_migrations
from libs.common.settings import Settings
from services.cli.catalogue import all_migrations
from services.registry.app import create_app as create_registry
from tests.support.principals import service_client

POOL_SIZE = 2
ACQUIRE_TIMEOUT = 1.0
COMMAND_TIMEOUT = 2.0
BOUND = ACQUIRE_TIMEOUT + 2 * COMMAND_TIMEOUT + 1.5
"""The slowest answer allowed: a wait for a connection, a statement and its rollback, slack."""


@pytest.fixture
def own_postgres(tmp_path: Path) -> Iterator[EmbeddedPostgres]:
    server = EmbeddedPostgres(tmp_path / "pgdata")
    server.start()
    try:
        yield server
    finally:
        if server.pid is not None:
            _stall(server, signal.SIGCONT)  # a failed test must not leave it stopped
        server.stop()


@pytest.fixture
async def registry(own_postgres: EmbeddedPostgres, settings: Settings) -> AsyncIterator[AsyncTestClient[Any]]:
    conn = await asyncpg.connect(own_postgres.url)
    await apply_migrations(conn, all_migrations())
    await conn.close()
    stalling = msgspec.structs.replace(
        settings,
        database_url=own_postgres.url,
        db_pool_size=POOL_SIZE,
        db_acquire_timeout_seconds=ACQUIRE_TIMEOUT,
        db_command_timeout_seconds=COMMAND_TIMEOUT,
    )
    async with service_client(create_registry(stalling), stalling) as client:
        yield client


def _stall(server: EmbeddedPostgres, sig: signal.Signals) -> None:
    """The postmaster and every process it forked: each backend calls setsid(), so signalling
    the postmaster's process group would leave the connections' processes running."""
    assert server.pid is not None
    postmaster = psutil.Process(server.pid)
    for process in [postmaster, *postmaster.children(recursive=True)]:
        with contextlib.suppress(psutil.NoSuchProcess):
            process.send_signal(sig)


async def _timed(request: Any) -> tuple[float, Any]:
    started = time.monotonic()
    response = await request
    return time.monotonic() - started, response


async def test_requests_to_a_stalled_database_get_503_not_ready_quickly_and_recover(
    own_postgres: EmbeddedPostgres, registry: AsyncTestClient[Any]
) -> None:
    await _answers(registry)  # the read model exists (its projection made it)
    _stall(own_postgres, signal.SIGSTOP)
    try:
        # More requests than the pool has connections: some wait for one, some hold one.
        async with asyncio.timeout(30):
            answers = await asyncio.gather(
                *(_timed(registry.get("/organisations", params={"ids": f"o-{i}"})) for i in range(POOL_SIZE + 3)),
                _timed(
                    registry.post(
                        "/commands/units/register",
                        json={"code": "06", "name": "Tỉnh Hà Tĩnh", "level": "province", "valid_from": "2020-01-01"},
                    )
                ),
            )
    finally:
        _stall(own_postgres, signal.SIGCONT)
    for elapsed, response in answers:
        assert response.status_code == 503, response.text
        assert response.json()["code"] == "not_ready"
        assert response.headers["retry-after"] == "1"
        assert elapsed < BOUND, elapsed
    # The pool replaces the connections it gave up on: the service answers again by itself.
    await _answers(registry)


async def _answers(registry: AsyncTestClient[Any]) -> None:
    async with asyncio.timeout(20):
        while (await registry.get("/organisations", params={"ids": "o-1"})).status_code != 200:  # noqa: ASYNC110
            await asyncio.sleep(0.2)
