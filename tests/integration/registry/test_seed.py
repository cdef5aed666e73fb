"""``tinhso seed`` against a real database, as an operator runs it, and the 2025 merge it replays."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import pytest
from click.testing import CliRunner

from libs.common.settings import Settings
from services.cli import seed as seed_command
from services.cli.main import cli
from services.registry.seed.merge_2025 import merge_groups
from tests.integration.registry.conftest import Registry

STRUCTURE = 1 + 8 + 108 + 1292


@pytest.fixture
def cli_env(settings: Settings) -> dict[str, str]:
    return {"TINHSO_DATABASE_URL": settings.database_url, "TINHSO_TOPIC_PREFIX": settings.topic_prefix}


def _seed(env: dict[str, str], *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["seed", *args], env=env)
    return result.exit_code, result.output


async def _events(url: str) -> int:
    conn = await asyncpg.connect(url)
    try:
        count: int = await conn.fetchval("SELECT count(*) FROM registry.events")
        return count
    finally:
        await conn.close()


async def test_seeding_twice_reports_everything_unchanged_the_second_time(
    cli_env: dict[str, str], settings: Settings
) -> None:
    code, out = await asyncio.to_thread(_seed, cli_env)
    assert code == 0, out
    assert "reference structure: chunk 1/3: 500/1409 items" in out
    assert f"seed done: created {STRUCTURE}, unchanged 0, rejected 0" in out
    events = await _events(settings.database_url)
    assert events == STRUCTURE

    code, out = await asyncio.to_thread(_seed, cli_env)

    assert code == 0, out
    assert f"seed done: created 0, unchanged {STRUCTURE}, rejected 0" in out
    assert await _events(settings.database_url) == events


async def _units(registry: Registry, **params: Any) -> list[dict[str, Any]]:
    page = await registry.get("/units/list", first=500, **params)
    assert not page["has_next_page"]
    items: list[dict[str, Any]] = page["items"]
    return items


async def test_the_2025_merge_keeps_the_old_communes_before_the_date_and_the_37_successors_after(
    registry: Registry, cli_env: dict[str, str], settings: Settings
) -> None:
    code, out = await asyncio.to_thread(_seed, cli_env)
    assert code == 0, out
    code, out = await asyncio.to_thread(_seed, cli_env, "--merge-2025")
    assert code == 0, out
    assert f"reference structure: created 0, unchanged {STRUCTURE}, rejected 0" in out
    assert "2025-07-01 merge: created 1328, unchanged 0, rejected 0" in out
    await registry.caught_up(timeout=90)

    before = await _units(registry, level="commune", as_of="2025-06-30")
    after = await _units(registry, level="commune", as_of="2025-07-01")
    assert len(before) == 108
    assert len(after) == 37
    groups = {g.new_code: g for g in merge_groups()}
    assert {u["code"]: u["name"] for u in after} == {c: g.new_name for c, g in groups.items()}
    old_ids = {u["code"]: u["unit_id"] for u in before}

    [successor] = [u for u in after if u["code"] == "01843"]
    assert successor["name"] == "Phường Bắc Kạn"
    assert sorted(successor["predecessor_ids"]) == sorted(old_ids[c] for c in ("01837", "01843", "01852", "01855"))
    predecessors = await registry.get("/units/", ids=",".join(successor["predecessor_ids"]))
    assert all(p["successor_ids"] == [successor["unit_id"]] and p["valid_to"] == "2025-07-01" for p in predecessors)
    # Thượng Quan went into nothing: the same unit carries on, under the new province.
    [continuing] = [u for u in after if u["code"] == "01957"]
    assert continuing["unit_id"] == old_ids["01957"]
    assert continuing["predecessor_ids"] == []

    districts_2024 = await _units(registry, level="district", as_of="2024-12-31")
    districts_2025 = await _units(registry, level="district", as_of="2025-07-01")
    assert len(districts_2024) == 8
    assert districts_2025 == [], "no district level from 2025-07-01"
    [province_2024] = await _units(registry, level="province", as_of="2024-12-31")
    [province_2025] = await _units(registry, level="province", as_of="2025-07-01")
    assert (province_2024["code"], province_2025["code"]) == ("06", "19")
    assert province_2024["successor_ids"] == [province_2025["unit_id"]]
    assert province_2025["predecessor_ids"] == [province_2024["unit_id"]], "lineage reads both ways"

    # Villages moved to the successor of their commune; in 2024 they still sit in the old one.
    [village_2024] = await registry.get("/units/by-code", codes="01852-T01", as_of="2024-12-31")
    [village_2025] = await registry.get("/units/by-code", codes="01852-T01", as_of="2025-07-01")
    assert village_2024["parent_id"] == old_ids["01852"]
    assert village_2025["parent_id"] == successor["unit_id"]
    below_19 = f"/units/{province_2025['unit_id']}/descendants"
    assert len(await registry.get(below_19, level="village")) == 1292
    assert len(await registry.get(below_19, level="commune")) == 37
    [old_holder] = await registry.get("/units/by-code", codes="01843", as_of="2024-12-31")
    assert old_holder["name"] == "Phường Phùng Chí Kiên"

    events = await _events(settings.database_url)
    code, out = await asyncio.to_thread(_seed, cli_env, "--merge-2025")
    assert code == 0, out
    assert f"seed done: created 0, unchanged {STRUCTURE + 1328}, rejected 0" in out
    assert await _events(settings.database_url) == events


async def test_demo_assets_are_imported_when_the_module_exists_and_reported_missing_otherwise(
    cli_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(seed_command, "DEMO_MODULE", "services.registry.seed.no_such_module")
    code, out = await asyncio.to_thread(_seed, cli_env, "--demo")
    assert code == 0, out
    assert "demo dataset not available yet" in out

    def demo_items() -> list[dict[str, Any]]:
        return [{"kind": "rename_unit", "code": "061", "name": "Huyện Ba Bể", "effective_on": "2022-01-01"}]

    monkeypatch.setattr(seed_command, "_demo_items", lambda: demo_items)
    code, out = await asyncio.to_thread(_seed, cli_env, "--demo")
    assert code == 0, out
    assert "demo assets: created 0, unchanged 1, rejected 0" in out
