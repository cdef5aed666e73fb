"""Session-wide fixtures: one embedded PostgreSQL and one embedded broker for the whole run.

Integration tests talk to these real servers; every test that needs a clean slate makes
its own database (``fresh_database``) rather than truncating shared state. ``make test``
splits the run over pytest-xdist workers, each a session of its own: its own servers, on
ports the kernel hands out, and its own state directory, so workers share nothing.
"""

from __future__ import annotations

import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest

from contracts.services import EVENT_SOURCED
from libs.common.db import create_pool
from libs.common.embedded.broker import EmbeddedBroker
from libs.common.embedded.postgres import EmbeddedPostgres
from libs.common.event_signing import ensure_event_keys
from libs.common.eventstore.schema import backbone_migrations
from libs.common.migrations import apply_migrations
from libs.common.principal import ensure_keypair
from libs.common.settings import Idempotence, Settings, load_settings
from tests.support.telemetry import Telemetry


@pytest.fixture(scope="session")
def state_dir() -> Iterator[Path]:
    """Also holds the gateway's key pair, which every service app needs to verify callers,
    and each service's event key, which its relay signs records with (ADR 0022).

    Not under pytest's basetemp: a newer pytest run deletes all but the last three basetemps,
    and PostgreSQL shuts down when its data directory disappears under it.
    """
    path = Path(tempfile.mkdtemp(prefix="tinhso-test-state-"))
    ensure_keypair(load_settings({}, state_dir=str(path)))
    ensure_event_keys(load_settings({}, state_dir=str(path)), (*EVENT_SOURCED, "test"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


# The tests never crash PostgreSQL itself, so it need not wait for the disk: without these,
# flushing at every commit and at each test's CREATE/DROP DATABASE is much of the suite's time.
# (`tinhso up`, the end-to-end tests and the benchmarks run it durable.)
TEST_SERVER_SETTINGS = ("fsync=off", "synchronous_commit=off", "full_page_writes=off")


@pytest.fixture(scope="session")
def postgres(state_dir: Path) -> Iterator[EmbeddedPostgres]:
    server = EmbeddedPostgres(state_dir / "pgdata", settings=TEST_SERVER_SETTINGS)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def broker(state_dir: Path) -> Iterator[EmbeddedBroker]:
    server = EmbeddedBroker(state_dir / "broker.log")
    server.start()
    yield server
    server.stop()


@pytest.fixture
async def fresh_database(postgres: EmbeddedPostgres) -> AsyncIterator[str]:
    """The URL of a new, empty database, dropped after the test."""
    name = "t_" + uuid.uuid4().hex[:12]
    admin = await asyncpg.connect(postgres.url)
    await admin.execute(f"CREATE DATABASE {name}")
    try:
        yield postgres.url.rsplit("/", 1)[0] + "/" + name
    finally:
        await admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        await admin.close()


@pytest.fixture
def settings(fresh_database: str, broker: EmbeddedBroker, state_dir: Path) -> Settings:
    return load_settings(
        {},
        database_url=fresh_database,
        kafka_bootstrap=broker.bootstrap,
        kafka_enable_idempotence=Idempotence.OFF.value,
        projection_assignment="manual",
        topic_prefix="t" + uuid.uuid4().hex[:8],
        state_dir=str(state_dir),
    )


@pytest.fixture
async def store_pool(fresh_database: str) -> AsyncIterator[asyncpg.Pool]:
    """A pool on a fresh database whose ``test`` schema has the backbone tables."""
    conn = await asyncpg.connect(fresh_database)
    await apply_migrations(conn, backbone_migrations("test"))
    await conn.close()
    pool = await create_pool(fresh_database, service="test", max_size=12)
    yield pool
    await pool.close()


@pytest.fixture(scope="session")
def telemetry() -> Telemetry:
    return Telemetry()
