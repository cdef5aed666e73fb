"""``tinhso bootstrap`` on a configured database, as an operator runs it after ``tinhso migrate``."""

from __future__ import annotations

import asyncio

import asyncpg
from click.testing import CliRunner

from services.cli.main import cli
from services.gateway.security import api_keys
from services.gateway.security.partner_store import PartnerStore


def _tinhso(database_url: str, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), env={"TINHSO_DATABASE_URL": database_url})
    return result.exit_code, result.output


async def test_bootstrap_prints_a_working_admin_key_once_and_a_second_run_changes_nothing(
    fresh_database: str,
) -> None:
    code, out = await asyncio.to_thread(_tinhso, fresh_database, "migrate")
    assert code == 0, out

    code, first = await asyncio.to_thread(_tinhso, fresh_database, "bootstrap")
    assert code == 0, first
    assert "partner admin created (scopes: admin)" in first
    token = first.strip().splitlines()[-1]
    presented = api_keys.parse(token)
    assert presented is not None, first

    code, second = await asyncio.to_thread(_tinhso, fresh_database, "bootstrap")
    assert code == 0, second
    assert "partner admin exists already: nothing changed" in second
    assert token not in second

    pool = await asyncpg.create_pool(fresh_database, min_size=1, max_size=1)
    try:
        store = PartnerStore(pool)
        [listing] = await store.list()
        record = await store.key(presented.key_id)
    finally:
        await pool.close()
    assert listing.partner.name == "admin"
    assert listing.partner.scopes == frozenset({"admin"})
    assert listing.current_key == presented.key_id
    assert record is not None
    assert api_keys.matches(presented, record.secret_hash)


async def test_bootstrap_on_a_database_never_migrated_says_to_migrate_first(fresh_database: str) -> None:
    code, out = await asyncio.to_thread(_tinhso, fresh_database, "bootstrap", "--name", "ops")
    assert code == 1
    assert "run `tinhso migrate` first" in out
    assert "Traceback" not in out


def test_bootstrap_refuses_a_malformed_name_without_touching_the_database() -> None:
    code, out = _tinhso("postgresql://nobody@127.0.0.1:1/none", "bootstrap", "--name", "no spaces")
    assert code == 2
    assert "partner name 'no spaces' is invalid" in out
