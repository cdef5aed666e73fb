import asyncpg
import pytest

from contracts.services import SERVICES
from libs.common.migrations import Migration, MigrationError, apply_migrations
from services.cli.catalogue import all_migrations


async def test_migrating_twice_applies_everything_once(fresh_database: str) -> None:
    conn = await asyncpg.connect(fresh_database)
    try:
        first = await apply_migrations(conn, all_migrations())
        second = await apply_migrations(conn, all_migrations())
        recorded = await conn.fetchval("SELECT count(*) FROM public.tinhso_migrations")
        schemas = {r["nspname"] for r in await conn.fetch("SELECT nspname FROM pg_namespace")}
    finally:
        await conn.close()
    assert len(first) == len(all_migrations()) == recorded
    assert second == []
    assert set(SERVICES) <= schemas


async def test_an_applied_migration_that_was_edited_is_refused(fresh_database: str) -> None:
    conn = await asyncpg.connect(fresh_database)
    try:
        await apply_migrations(conn, [Migration("demo", "0001_t", "CREATE TABLE t (x int)")])
        with pytest.raises(MigrationError, match="changed after it was applied"):
            await apply_migrations(conn, [Migration("demo", "0001_t", "CREATE TABLE t (x bigint)")])
    finally:
        await conn.close()


async def test_a_failing_migration_leaves_nothing_half_applied(fresh_database: str) -> None:
    conn = await asyncpg.connect(fresh_database)
    broken = Migration("demo", "0001_broken", "CREATE TABLE half (x int); SELECT no_such_function();")
    try:
        with pytest.raises(MigrationError, match="0001_broken failed"):
            await apply_migrations(conn, [broken])
        assert await conn.fetchval("SELECT to_regclass('public.half')") is None
        assert await conn.fetchval("SELECT count(*) FROM public.tinhso_migrations") == 0
    finally:
        await conn.close()
