"""``tinhso projections`` and ``tinhso dlq`` against a real database, as an operator runs them."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest
from click.testing import CliRunner

from libs.common.eventstore.store import EventStore
from libs.common.migrations import apply_migrations
from libs.common.projections.projection import ensure_schema
from libs.common.settings import Settings
from services.cli import operations
from services.cli.catalogue import all_migrations
from tests.support.counter import CounterIncremented
from tests.support.counter_projection import CounterTotals, totals


@pytest.fixture
def cli_env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    # The counter projection stands in for a service's: the catalogue is the only thing faked.
    monkeypatch.setattr(operations, "all_projections", lambda: {"test_totals": CounterTotals()})
    monkeypatch.setattr(operations, "EVENT_SOURCED", ("test",))
    return {"TINHSO_DATABASE_URL": settings.database_url, "TINHSO_TOPIC_PREFIX": settings.topic_prefix}


async def _seed(pool: asyncpg.Pool, url: str) -> None:
    conn = await asyncpg.connect(url)
    await apply_migrations(conn, all_migrations())
    await conn.close()
    store = EventStore("test")
    async with pool.acquire() as c:
        for n in range(3):
            await store.append(c, f"s-{n}", "counter", 0, [CounterIncremented(by=n + 1) for _ in range(4)])
        await store.append(c, "bad", "counter", 0, [CounterIncremented(by=9, note="poison")])
        await ensure_schema(c, CounterTotals())


def _cli(env: dict[str, str], *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        operations.projections if args[0] != "dlq" else operations.dlq,
        list(args[1:] if args[0] == "dlq" else args),
        env=env,
    )
    return result.exit_code, result.output


async def test_rebuild_from_the_command_line_fills_the_read_model_and_reports_progress(
    cli_env: dict[str, str], store_pool: asyncpg.Pool, settings: Settings
) -> None:
    await _seed(store_pool, settings.database_url)
    code, out = await asyncio.to_thread(_cli, cli_env, "rebuild", "test_totals")
    assert code == 0, out
    assert "rebuilt test_totals: 13 events" in out
    async with store_pool.acquire() as conn:
        assert await totals(conn) == {"s-0": (4, 4, 4), "s-1": (8, 4, 4), "s-2": (12, 4, 4)}

    code, out = await asyncio.to_thread(_cli, cli_env, "list")
    assert code == 0
    assert "test_totals" in out
    code, out = await asyncio.to_thread(_cli, cli_env, "status")
    assert code == 0, out
    assert "projection test_totals" in out
    assert "dead_letters=1" in out

    code, out = await asyncio.to_thread(_cli, cli_env, "rebuild", "nope")
    assert code == 2
    assert "no projection named 'nope'" in out


async def test_dead_letters_are_listed_shown_retried_and_discarded(
    cli_env: dict[str, str], store_pool: asyncpg.Pool, settings: Settings
) -> None:
    await _seed(store_pool, settings.database_url)
    code, out = await asyncio.to_thread(_cli, cli_env, "rebuild", "test_totals")
    assert code == 0, out
    code, out = await asyncio.to_thread(_cli, cli_env, "dlq", "list")
    assert code == 0, out
    [line] = [ln for ln in out.splitlines() if ln.startswith("test ")]
    letter_id = line.split()[1]
    assert "PoisonError" in line

    code, out = await asyncio.to_thread(_cli, cli_env, "dlq", "show", "test", letter_id)
    assert code == 0, out
    assert '"type": "test.counter_incremented"' in out
    assert "poison" in out

    code, out = await asyncio.to_thread(_cli, cli_env, "dlq", "retry", "test", letter_id)
    assert code == 1
    assert "retry failed: PoisonError" in out

    code, out = await asyncio.to_thread(_cli, cli_env, "dlq", "discard", "test", letter_id)
    assert code == 0, out
    code, out = await asyncio.to_thread(_cli, cli_env, "dlq", "discard", "test", letter_id)
    assert code == 1
    assert "no dead letter" in out
    code, out = await asyncio.to_thread(_cli, cli_env, "dlq", "list")
    assert "no dead letters" in out


async def test_retrying_a_dead_letter_over_a_later_version_of_its_stream_is_refused_with_the_way_out(
    cli_env: dict[str, str], store_pool: asyncpg.Pool, settings: Settings
) -> None:
    """Failed before the fix: the retry went ahead (and failed or applied) whatever the
    projection had applied since; the operator learnt nothing of the newer state."""
    await _seed(store_pool, settings.database_url)
    async with store_pool.acquire() as c:
        await EventStore("test").append(c, "bad", "counter", 1, [CounterIncremented(by=5)])
    code, out = await asyncio.to_thread(_cli, cli_env, "rebuild", "test_totals")
    assert code == 0, out
    code, out = await asyncio.to_thread(_cli, cli_env, "dlq", "list")
    [line] = [ln for ln in out.splitlines() if ln.startswith("test ")]
    letter_id = line.split()[1]

    code, out = await asyncio.to_thread(_cli, cli_env, "dlq", "retry", "test", letter_id)

    assert code == 1
    assert out.startswith("tinhso: not re-applied: test_totals has already applied version 2 of stream 'bad'")
    assert f"tinhso dlq discard test {letter_id}" in out
    assert "Traceback" not in out
    async with store_pool.acquire() as conn:
        assert (await totals(conn))["bad"] == (5, 1, 2)
    code, out = await asyncio.to_thread(_cli, cli_env, "dlq", "list")
    assert letter_id in out
