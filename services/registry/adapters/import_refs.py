"""SQL the bulk importer's asset kinds read to find what an item refers to: the radio stations
recorded for a commune (the command-side ``registry.asset_lookup``), and what an earlier keyed
import item created (its idempotency record). Both are command-side truth, never a read model."""

from __future__ import annotations

from libs.common.db import Conn


async def radio_station_ids(conn: Conn, unit_id: str) -> list[str]:
    """Every radio station ever registered at the unit, the one in service first."""
    rows = await conn.fetch(
        "SELECT asset_id FROM registry.asset_lookup WHERE kind = 'radio_station' AND unit_id = $1 "
        "ORDER BY active DESC, asset_id",
        unit_id,
    )
    return [r["asset_id"] for r in rows]


async def remembered_result(conn: Conn, principal: str, key: str) -> bytes | None:
    """The stored result (a ``CommandResult`` as JSON) of the command sent by ``principal``
    with idempotency key ``key``, if any."""
    result: bytes | None = await conn.fetchval(
        "SELECT result FROM registry.idempotency_keys WHERE principal = $1 AND key = $2", principal, key
    )
    return result
