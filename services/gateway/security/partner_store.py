"""The partners and API keys in PostgreSQL (``gateway.partners``, ``gateway.api_keys``).

Every change is one transaction, so a partner never exists without its first key and a
rotation never leaves a partner without a current key.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import asyncpg
import msgspec

from libs.common.db import Conn
from libs.common.errors import ConflictError, NotFoundError
from services.gateway.security import api_keys
from services.gateway.security.partners import Partner


class KeyRecord(msgspec.Struct, frozen=True, kw_only=True):
    """A stored key together with the partner it belongs to, as authentication needs it."""

    key_id: str
    secret_hash: bytes
    expires_at: datetime.datetime | None
    partner: Partner


class PartnerListing(msgspec.Struct, frozen=True, kw_only=True):
    partner: Partner
    current_key: str | None
    keys_in_grace: int


def _partner(row: asyncpg.Record, prefix: str = "") -> Partner:
    return Partner(
        name=row[prefix + "name"],
        scopes=frozenset(row[prefix + "scopes"]),
        organisation=row[prefix + "organisation"],
        unit_code=row[prefix + "unit_code"],
        created_at=row[prefix + "created_at"],
        revoked_at=row[prefix + "revoked_at"],
    )


PoolSource = Callable[[], asyncpg.Pool]
"""Where the pool comes from: a service's pool exists only once its app has started."""


class PartnerStore:
    def __init__(self, pool: asyncpg.Pool | PoolSource) -> None:
        self._source: PoolSource = pool if callable(pool) else (lambda: pool)

    @property
    def _pool(self) -> asyncpg.Pool:
        return self._source()

    async def create(self, partner: Partner) -> str:
        """Store a new partner with its first key; returns the key (the only time it is seen)."""
        key = api_keys.generate()
        async with self._pool.acquire() as conn, conn.transaction():
            try:
                await conn.execute(
                    "INSERT INTO gateway.partners (name, scopes, organisation, unit_code) VALUES ($1, $2, $3, $4)",
                    partner.name,
                    sorted(partner.scopes),
                    partner.organisation,
                    partner.unit_code,
                )
            except asyncpg.UniqueViolationError:
                raise ConflictError(f"a partner named {partner.name} exists already", code="partner_exists") from None
            await _insert_key(conn, partner.name, key)
        return key.token

    async def rotate_key(self, name: str, *, grace: datetime.timedelta) -> str:
        """A new current key; the previous ones stop after ``grace`` (zero: at once)."""
        key = api_keys.generate()
        async with self._pool.acquire() as conn, conn.transaction():
            await _active_partner_for_update(conn, name)
            await conn.execute(
                """
                UPDATE gateway.api_keys SET expires_at = now() + $2::interval
                 WHERE partner = $1 AND (expires_at IS NULL OR expires_at > now() + $2::interval)
                """,
                name,
                grace,
            )
            await _insert_key(conn, name, key)
        return key.token

    async def revoke(self, name: str) -> None:
        """The partner and every key it holds stop now; the rows stay for the audit trail."""
        async with self._pool.acquire() as conn, conn.transaction():
            await _active_partner_for_update(conn, name)
            await conn.execute("UPDATE gateway.partners SET revoked_at = now() WHERE name = $1", name)
            await conn.execute(
                "UPDATE gateway.api_keys SET expires_at = now() WHERE partner = $1 "
                "AND (expires_at IS NULL OR expires_at > now())",
                name,
            )

    async def list(self) -> list[PartnerListing]:
        rows = await self._pool.fetch(
            """
            SELECT p.*,
                   (SELECT k.key_id FROM gateway.api_keys k
                     WHERE k.partner = p.name AND k.expires_at IS NULL) AS current_key,
                   (SELECT count(*) FROM gateway.api_keys k
                     WHERE k.partner = p.name AND k.expires_at > now()) AS keys_in_grace
              FROM gateway.partners p
             ORDER BY p.name
            """
        )
        return [
            PartnerListing(partner=_partner(r), current_key=r["current_key"], keys_in_grace=r["keys_in_grace"])
            for r in rows
        ]

    async def key(self, key_id: str) -> KeyRecord | None:
        """The key with this id if it still works (partner not revoked, key not expired)."""
        row = await self._pool.fetchrow(
            """
            SELECT k.key_id, k.secret_hash, k.expires_at,
                   p.name, p.scopes, p.organisation, p.unit_code, p.created_at, p.revoked_at
              FROM gateway.api_keys k JOIN gateway.partners p ON p.name = k.partner
             WHERE k.key_id = $1
               AND p.revoked_at IS NULL
               AND (k.expires_at IS NULL OR k.expires_at > now())
            """,
            key_id,
        )
        if row is None:
            return None
        return KeyRecord(
            key_id=row["key_id"],
            secret_hash=bytes(row["secret_hash"]),
            expires_at=row["expires_at"],
            partner=_partner(row),
        )


async def _insert_key(conn: Conn, partner: str, key: api_keys.NewKey) -> None:
    await conn.execute(
        "INSERT INTO gateway.api_keys (key_id, partner, secret_hash) VALUES ($1, $2, $3)",
        key.key_id,
        partner,
        key.secret_hash,
    )


async def _active_partner_for_update(conn: Conn, name: str) -> Any:
    row = await conn.fetchrow("SELECT revoked_at FROM gateway.partners WHERE name = $1 FOR UPDATE", name)
    if row is None:
        raise NotFoundError(f"no partner named {name}", code="unknown_partner", details={"name": name})
    if row["revoked_at"] is not None:
        raise ConflictError(f"partner {name} was revoked", code="partner_revoked")
    return row
