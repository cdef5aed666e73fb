"""Applies each service's SQL migrations, in order, once.

A migration is a ``.sql`` file named ``NNNN_what.sql`` in a package. Applied migrations are
recorded in ``public.tinhso_migrations`` with a checksum; a file edited after it was applied
is refused rather than silently skipped. An advisory lock makes concurrent runs (two
replicas starting at once) safe: the second waits, then finds nothing to do.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Sequence
from importlib import resources

import asyncpg
import msgspec

log = logging.getLogger(__name__)

_FILE = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
_LOCK_KEY = 0x7D1_5000  # any constant shared by every tinhso process

_BOOKKEEPING = """
CREATE TABLE IF NOT EXISTS public.tinhso_migrations (
    service     text        NOT NULL,
    id          text        NOT NULL,
    checksum    text        NOT NULL,
    applied_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (service, id)
)
"""


class Migration(msgspec.Struct, frozen=True):
    service: str
    id: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()


class MigrationError(RuntimeError):
    pass


def discover(service: str, package: str, *, prefix: str = "") -> list[Migration]:
    """The migrations in ``package``, in file-name order; ``prefix`` namespaces their ids."""
    found = []
    for entry in resources.files(package).iterdir():
        if entry.name.endswith(".sql"):
            if not _FILE.match(entry.name):
                raise MigrationError(f"{package}/{entry.name}: migration files are named NNNN_what.sql")
            found.append(Migration(service, prefix + entry.name.removesuffix(".sql"), entry.read_text("utf-8")))
    return sorted(found, key=lambda m: m.id)


async def apply_migrations(conn: asyncpg.Connection, migrations: Sequence[Migration]) -> list[Migration]:
    """Apply what is not applied yet; returns what was applied now."""
    applied_now: list[Migration] = []
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", _LOCK_KEY)
        await conn.execute(_BOOKKEEPING)
    for migration in migrations:
        async with conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock($1)", _LOCK_KEY)
            recorded = await conn.fetchval(
                "SELECT checksum FROM public.tinhso_migrations WHERE service = $1 AND id = $2",
                migration.service,
                migration.id,
            )
            if recorded is not None:
                if recorded != migration.checksum:
                    raise MigrationError(
                        f"{migration.service}/{migration.id} was changed after it was applied; "
                        "write a new migration instead of editing an applied one"
                    )
                continue
            try:
                await conn.execute(migration.sql)
            except asyncpg.PostgresError as exc:
                raise MigrationError(f"{migration.service}/{migration.id} failed: {exc}") from exc
            await conn.execute(
                "INSERT INTO public.tinhso_migrations (service, id, checksum) VALUES ($1, $2, $3)",
                migration.service,
                migration.id,
                migration.checksum,
            )
            log.info("applied migration %s/%s", migration.service, migration.id)
            applied_now.append(migration)
    return applied_now
