"""SQL of the command side's asset index (``registry.asset_lookup``): organisation codes, the
one active digital team and the one radio station per unit."""

from __future__ import annotations

import asyncpg

from libs.common.db import Conn
from libs.common.errors import ConflictError

# Which rule a unique index stands for, as the conflict callers see.
_CONFLICTS: dict[str, tuple[str, str]] = {
    "asset_lookup_organisation_code": ("duplicate_organisation_code", "an organisation with this code exists"),
    "asset_lookup_one_active_team": ("team_exists", "the unit already has an active digital team"),
    "asset_lookup_one_station": ("station_exists", "the commune already has a radio station"),
}


async def claim(conn: Conn, asset_id: str, kind: str, *, unit_id: str | None = None, code: str | None = None) -> None:
    """Record the asset; a unique index refusing it becomes a :class:`ConflictError`."""
    try:
        async with conn.transaction():  # a savepoint: the caller's transaction survives the refusal
            await conn.execute(
                "INSERT INTO registry.asset_lookup (asset_id, kind, unit_id, code) VALUES ($1, $2, $3, $4)",
                asset_id,
                kind,
                unit_id,
                code,
            )
    except asyncpg.UniqueViolationError as exc:
        found = _CONFLICTS.get(exc.constraint_name or "")
        if found is None:
            raise
        holder = await conn.fetchval(
            "SELECT asset_id FROM registry.asset_lookup WHERE kind = $1 AND active "
            "AND (unit_id = $2 OR code = $3) LIMIT 1",
            kind,
            unit_id,
            code,
        )
        code_, message = found
        details = {"holder_id": holder, **({"unit_id": unit_id} if unit_id else {}), **({"code": code} if code else {})}
        raise ConflictError(message, code=code_, details=details) from None


async def release(conn: Conn, asset_id: str) -> None:
    """The asset stopped counting for its unit (a team disbanded, a station decommissioned)."""
    await conn.execute("UPDATE registry.asset_lookup SET active = false WHERE asset_id = $1", asset_id)


async def organisation_id_for_code(conn: Conn, code: str) -> str | None:
    found: str | None = await conn.fetchval(
        "SELECT asset_id FROM registry.asset_lookup WHERE kind = 'organisation' AND code = $1", code
    )
    return found
