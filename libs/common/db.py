"""asyncpg connection pools, made in a composition root and passed in (never at import).

jsonb travels as raw JSON bytes in both directions: events are encoded and decoded by
msgspec, so asyncpg's default str round trip through Python's json module is skipped.

Every wait on the database is bounded (ADR 0023): taking a connection from the pool, and each
statement on it. A stalled server then costs a request seconds and a 503 ``not_ready``
(``libs.common.http.errors``), not a minute and a 500.
"""

from __future__ import annotations

from typing import Any, TypeAlias

import asyncpg
from asyncpg.pool import PoolAcquireContext, PoolConnectionProxy

Conn: TypeAlias = asyncpg.Connection | PoolConnectionProxy
"""A plain connection or one borrowed from a pool: repositories accept either."""

_JSONB_BINARY_VERSION = b"\x01"


def _encode_jsonb(value: bytes | str) -> bytes:
    raw = value.encode() if isinstance(value, str) else value
    return _JSONB_BINARY_VERSION + raw


def _decode_jsonb(value: bytes) -> bytes:
    return value[1:]


async def init_connection(conn: asyncpg.Connection) -> None:
    await conn.set_type_codec(
        "jsonb", schema="pg_catalog", encoder=_encode_jsonb, decoder=_decode_jsonb, format="binary"
    )


async def _keep_session(_: asyncpg.Connection) -> None:
    """Pooled connections keep no session state: no session advisory locks, LISTEN, cursors or
    SET (the relay's lock and LISTEN live on a dedicated connection). asyncpg still rolls back
    an open transaction on release; skipping its reset query saves a round trip per request."""


DEFAULT_ACQUIRE_TIMEOUT = 30.0
"""For pools outside a service (``tinhso`` commands, tests, benchmarks); services use settings."""
DEFAULT_COMMAND_TIMEOUT = 60.0


class BoundedPool(asyncpg.Pool):
    """A pool whose ``acquire()`` without a timeout waits at most ``acquire_timeout`` seconds.

    asyncpg has no pool-wide acquire timeout; its ``fetch``/``execute`` shortcuts acquire through
    ``acquire()`` too, so one override bounds every way a connection is taken. The timeout is
    also the budget asyncpg gives the connection's release (a cancelled statement, a reset)."""

    __slots__ = ("_acquire_timeout",)

    def __init__(self, *args: Any, acquire_timeout: float, **kwargs: Any) -> None:
        self._acquire_timeout = acquire_timeout
        super().__init__(*args, **kwargs)

    def acquire(self, *, timeout: float | None = None) -> PoolAcquireContext:
        return super().acquire(timeout=self._acquire_timeout if timeout is None else timeout)


async def create_pool(
    url: str,
    *,
    service: str,
    max_size: int = 10,
    min_size: int = 1,
    acquire_timeout: float = DEFAULT_ACQUIRE_TIMEOUT,
    command_timeout: float = DEFAULT_COMMAND_TIMEOUT,
) -> asyncpg.Pool:
    """``acquire_timeout`` bounds the wait for a free connection, ``command_timeout`` each statement
    (asyncpg cancels it on the server and raises ``TimeoutError``)."""
    pool = BoundedPool(
        url,
        min_size=min_size,
        max_size=max_size,
        max_queries=50000,
        max_inactive_connection_lifetime=300.0,
        connect=None,
        setup=None,
        init=init_connection,
        reset=_keep_session,
        loop=None,
        connection_class=asyncpg.Connection,
        record_class=asyncpg.Record,
        acquire_timeout=acquire_timeout,
        server_settings={"application_name": f"tinhso-{service}"},
        command_timeout=command_timeout,
    )
    await pool  # opens min_size connections, as asyncpg.create_pool does
    return pool


async def connect(url: str, *, service: str = "cli") -> asyncpg.Connection:
    conn = await asyncpg.connect(url, server_settings={"application_name": f"tinhso-{service}"})
    await init_connection(conn)
    return conn


def describe_db_error(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text.splitlines()[0]
