"""SQL of the command side's unit index (``registry.unit_lookup``)."""

from __future__ import annotations

import datetime

import asyncpg

from libs.common.db import Conn
from libs.common.errors import ConflictError


async def unit_id_for_code(conn: Conn, code: str, on: datetime.date) -> str | None:
    """FOR SHARE: a command that builds on the unit (a child under it, a merge of it) and one
    that ends it cannot both commit; the second waits and sees the first's outcome."""
    unit_id: str | None = await conn.fetchval(
        "SELECT unit_id FROM registry.unit_lookup WHERE code = $1 AND validity @> $2::date FOR SHARE", code, on
    )
    return unit_id


async def unit_id_on(conn: Conn, code: str, on: datetime.date) -> str | None:
    """The unit that holds ``code`` on ``on``, without a lock: for a check before a command."""
    unit_id: str | None = await conn.fetchval(
        "SELECT unit_id FROM registry.unit_lookup WHERE code = $1 AND validity @> $2::date", code, on
    )
    return unit_id


async def latest_unit_id_for_code(conn: Conn, code: str) -> str | None:
    """The unit that holds (or last held) ``code``."""
    unit_id: str | None = await conn.fetchval(
        "SELECT unit_id FROM registry.unit_lookup WHERE code = $1 ORDER BY lower(validity) DESC LIMIT 1", code
    )
    return unit_id


async def claim_code(conn: Conn, unit_id: str, code: str, level: str, valid_from: datetime.date) -> None:
    try:
        async with conn.transaction():  # a savepoint: the caller's transaction survives the refusal
            await conn.execute(
                "INSERT INTO registry.unit_lookup (unit_id, code, level, validity) "
                "VALUES ($1, $2, $3, daterange($4, NULL))",
                unit_id,
                code,
                level,
                valid_from,
            )
    except asyncpg.ExclusionViolationError:
        holder = await conn.fetchval(
            "SELECT unit_id FROM registry.unit_lookup WHERE code = $1 AND validity && daterange($2, NULL)",
            code,
            valid_from,
        )
        raise ConflictError(
            f"code {code} is already held by another unit on or after {valid_from.isoformat()}",
            code="duplicate_code",
            details={"code": code, "unit_id": holder},
        ) from None


async def end_code(conn: Conn, unit_id: str, on: datetime.date) -> None:
    await conn.execute(
        "UPDATE registry.unit_lookup SET validity = daterange(lower(validity), $2) WHERE unit_id = $1", unit_id, on
    )
