"""asyncpg connection pools, made in a composition root and passed in (never at import).

jsonb travels as raw JSON bytes in both directions: events are encoded and decoded by
msgspec, so asyncpg's default str round trip through Python's json module is skipped.
"""

from __future__ import annotations

from typing import TypeAlias

import asyncpg
from asyncpg.pool import PoolConnectionProxy

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


async def create_pool(url: str, *, service: str, max_size: int = 10, min_size: int = 1) -> asyncpg.Pool:
    pool = await asyncpg.create_pool(
        url,
        min_size=min_size,
        max_size=max_size,
        server_settings={"application_name": f"tinhso-{service}"},
        command_timeout=60,
        init=init_connection,
        reset=_keep_session,
    )
    assert pool is not None
    return pool


async def connect(url: str, *, service: str = "cli") -> asyncpg.Connection:
    conn = await asyncpg.connect(url, server_settings={"application_name": f"tinhso-{service}"})
    await init_connection(conn)
    return conn


def describe_db_error(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text.splitlines()[0]
