"""``tinhso seed --demo`` against a real database: the demo dataset reproduces the seeds' 2022
figures in the registry's per-unit summaries, and seeding it again changes nothing."""

from __future__ import annotations

import re
import time
from collections import Counter
from typing import Any

import asyncpg
import pytest

from libs.common.settings import Settings
from services.registry.seed.demo_assets import demo_items
from tests.integration.registry.conftest import Registry
from tests.support.cli_process import run_tinhso

AS_OF = "2022-12-31"
STRUCTURE = 1 + 8 + 108 + 1292
BA_BE = "061"


@pytest.fixture
def cli_env(settings: Settings) -> dict[str, str]:
    return {"TINHSO_DATABASE_URL": settings.database_url, "TINHSO_TOPIC_PREFIX": settings.topic_prefix}


async def _seed(env: dict[str, str]) -> tuple[int, str]:
    return await run_tinhso(env, "seed", "--demo")


def _totals(out: str, label: str) -> tuple[int, int, int]:
    found = re.search(rf"^{label}: created (\d+), unchanged (\d+), rejected (\d+)$", out, re.MULTILINE)
    assert found, out
    created, unchanged, rejected = (int(g) for g in found.groups())
    return created, unchanged, rejected


async def _fetch(url: str, sql: str) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(url)
    try:
        return list(await conn.fetch(sql))
    finally:
        await conn.close()


async def _events(url: str) -> int:
    [row] = await _fetch(url, "SELECT count(*) AS n FROM registry.events")
    count: int = row["n"]
    return count


async def _unit_ids(registry: Registry, level: str, parent_code: str | None = None) -> dict[str, str]:
    page = await registry.get("/units/list", level=level, parent_code=parent_code, as_of=AS_OF, first=500)
    assert not page["has_next_page"]
    return {u["code"]: u["unit_id"] for u in page["items"]}


async def _summaries(registry: Registry, ids: list[str]) -> dict[str, dict[str, Any]]:
    found = await registry.get("/units/summaries", ids=",".join(ids))
    return {s["code"]: s for s in found}


async def test_the_demo_dataset_reproduces_the_2022_figures_and_a_second_seed_changes_nothing(
    registry: Registry, cli_env: dict[str, str], settings: Settings
) -> None:
    items = len(demo_items())
    started = time.monotonic()
    code, out = await _seed(cli_env)
    seconds = time.monotonic() - started
    assert code == 0, out
    assert _totals(out, "reference structure") == (STRUCTURE, 0, 0)
    assert _totals(out, "demo assets") == (items, 0, 0), out
    print(f"structure + {items} demo items seeded in {seconds:.1f} s")  # shown with -s
    await registry.caught_up(timeout=120)

    [province] = await registry.get("/units/by-code", codes="06", as_of=AS_OF)
    districts = await _unit_ids(registry, "district")
    communes = await _unit_ids(registry, "commune")
    summaries = await _summaries(registry, [province["unit_id"], *districts.values()])

    whole = summaries["06"]
    assert whole["stations"]["in_service"] == 108
    assert whole["stations"]["by_technology"]["IP"] == 93
    assert whole["stations"]["by_status"] == {"OPERATIONAL": 104, "DOWN": 2, "DEGRADED": 2}
    assert whole["clusters"]["active"] == 104 + 78 * 2
    assert whole["bts"] == {
        "active": 265,
        "by_operator": {"VNPT": 265},
        "by_technology": {"2G": 198, "3G": 265, "4G": 263},
    }
    assert whole["fibre"] == {"villages_with_fibre": 804, "villages": 1292}
    assert whole["teams"] == {"active": 108 + 1197, "members": 1014 + 5271}
    assert (whole["postal_points"], whole["video_endpoints"]) == (249, 118)

    ba_be = summaries[BA_BE]
    assert ba_be["stations"]["by_technology"] == {"IP": 15}
    assert ba_be["clusters"]["active"] == 104
    district_sums: Counter[str] = Counter()
    for district in districts:
        district_sums.update({k: summaries[district][k] for k in ("postal_points", "video_endpoints")})
        district_sums.update(summaries[district]["bts"]["by_technology"])
    assert district_sums == {"postal_points": 249, "video_endpoints": 116, "2G": 198, "3G": 265, "4G": 263}

    by_commune = await _summaries(registry, list(communes.values()))
    assert all(s["station"] is not None and s["team"]["level"] == "commune" for s in by_commune.values())
    assert sum(s["team"]["member_count"] for s in by_commune.values()) == 1014
    assert all(s["video_endpoints"] == 1 for s in by_commune.values()), "108/108 communes"
    ba_be_ids = (await _unit_ids(registry, "commune", BA_BE)).values()
    in_ba_be = await registry.get("/radio-stations/by-unit", unit_ids=",".join(ba_be_ids))
    assert len(in_ba_be) == 15
    assert Counter((s["funding_source"] is not None, s["upgraded_on"] is not None) for s in in_ba_be) == {
        (True, False): 7 + 3,
        (False, True): 5,
    }
    assert sum("Thiện Tâm" in (s["funding_source"] or "") for s in in_ba_be) == 3
    levels = await _fetch(
        settings.database_url,
        "SELECT security_level, count(*) AS n FROM registry_assets.information_systems GROUP BY 1",
    )
    assert {r["security_level"]: r["n"] for r in levels} == {3: 3, 2: 19}

    events = await _events(settings.database_url)
    code, out = await _seed(cli_env)
    assert code == 0, out
    assert _totals(out, "demo assets") == (0, items, 0), out
    assert await _events(settings.database_url) == events


def _unit(code: str, name: str, level: str, parent: str | None = None) -> dict[str, Any]:
    item = {"kind": "register_unit", "code": code, "name": name, "level": level, "valid_from": "2020-02-01"}
    return item if parent is None else {**item, "parent_code": parent}


async def _import(registry: Registry, items: list[dict[str, Any]], partner: str) -> list[tuple[str, str | None]]:
    response = await registry.client.post("/commands/import", json=items, auth=registry.as_partner(partner))
    assert response.status_code == 200, response.text
    return [(r["status"], r.get("error", {}).get("code")) for r in response.json()["items"]]


async def test_asset_items_name_stations_by_commune_and_systems_by_key_and_find_what_is_already_there(
    registry: Registry, settings: Settings
) -> None:
    units: list[dict[str, Any]] = [
        _unit("06", "Tỉnh Bắc Kạn", "province"),
        _unit("061", "Huyện Ba Bể", "district", "06"),
        _unit("01891", "Xã Bành Trạch", "commune", "061"),
        _unit("01894", "Xã Phúc Lộc", "commune", "061"),
        _unit("01891-T01", "Thôn mẫu 01", "village", "01891"),
    ]
    shared: list[
        dict[str, Any]
    ] = [  # no keys: known by content, and found already there when another partner sends them
        {"kind": "register_organisation", "code": "vnpt", "name": "VNPT Bắc Kạn", "organisation_kind": "telecom"},
        {"kind": "register_radio_station", "unit_code": "01891", "technology": "FM", "installed_on": "2020-02-01"},
        {
            "kind": "establish_digital_team",
            "unit_code": "01891",
            "level": "commune",
            "established_on": "2021-12-06",
            "member_count": 9,
        },
        {
            "kind": "connect_village_fibre",
            "village_code": "01891-T01",
            "operator_code": "VNPT",
            "connected_on": "2021-05-04",
        },
    ]
    station: list[dict[str, Any]] = [
        {"kind": "upgrade_radio_station", "unit_code": "01891", "technology": "IP", "upgraded_on": "2022-05-02"},
        {
            "kind": "register_speaker_cluster",
            "station_unit_code": "01891",
            "village_code": "01891-T01",
            "installed_on": "2022-05-02",
        },
        {"kind": "register_speaker_cluster", "station_unit_code": "01891", "installed_on": "2019-05-02"},
        {"kind": "register_speaker_cluster", "station_unit_code": "01894", "installed_on": "2022-05-02"},
        {
            "kind": "change_radio_station_status",
            "unit_code": "01891",
            "status": "DEGRADED",
            "effective_on": "2022-10-03",
        },
        {
            "kind": "register_information_system",
            "key": "s1",
            "name": "Hệ thống mẫu",
            "owner_agency": "Sở TT&TT",
            "hosted_in_data_centre": True,
        },
        {"kind": "approve_security_level", "key": "a1", "system_key": "s1", "level": 2, "approved_on": "2022-01-10"},
        {"kind": "approve_security_level", "key": "a2", "system_key": "s9", "level": 3, "approved_on": "2022-01-10"},
    ]
    first = await _import(registry, [*units, *shared, *station], "vnpt")
    assert first[len(units) :] == [
        *[("created", None)] * len(shared),
        ("created", None),
        ("created", None),
        ("rejected", "unknown_unit"),  # the commune did not exist in 2019
        ("rejected", "unknown_radio_station"),  # Phúc Lộc has no station
        ("created", None),
        ("created", None),
        ("created", None),
        ("rejected", "unknown_import_key"),
    ]
    events = await _events(settings.database_url)

    again = await _import(registry, [*units, *shared, *station], "vnpt")
    assert again == [("unchanged", None) if status == "created" else (status, code) for status, code in first]
    by_other = await _import(registry, shared, "viettel")
    assert by_other == [("unchanged", None)] * len(shared)
    keyed = await _import(registry, [{**shared[0], "key": "vnpt"}, {**shared[1], "key": "station"}], "viettel")
    assert keyed == [("rejected", "duplicate_organisation_code"), ("rejected", "station_exists")]
    assert await _events(settings.database_url) == events

    await registry.caught_up()
    [commune] = await registry.get("/units/by-code", codes="01891", as_of=AS_OF)
    summary = await registry.get(f"/units/{commune['unit_id']}/summary")
    assert summary["station"]["technology"] == "IP"
    assert summary["station"]["status"] == "DEGRADED"
    assert (summary["clusters"]["active"], summary["fibre"]["villages_with_fibre"]) == (1, 1)


async def test_the_demo_dataset_imports_cleanly_after_the_2025_merge_was_replayed(
    registry: Registry, cli_env: dict[str, str]
) -> None:
    """2022 facts are checked against 2022 structure: a village moved to a successor commune in
    2025 still belonged to its old commune when its loudspeaker cluster went up."""
    merged_code, merged_output = await run_tinhso(cli_env, "seed", "--merge-2025")
    assert merged_code == 0, merged_output
    demo = await _seed(cli_env)
    assert demo[0] == 0, demo[1]
    created, _, rejected = _totals(demo[1], "demo assets")
    assert rejected == 0
    assert created == len(demo_items())
    # Ba Bể's 2022 broadcasts still find the district's stations of 2022.
    broadcast = re.search(r"^broadcast demo \(Ba Bể 2022, (\d+) stations\): created (\d+)", demo[1], re.MULTILINE)
    assert broadcast, demo[1]
    assert int(broadcast.group(1)) > 0, demo[1]
    assert int(broadcast.group(2)) > 0, demo[1]
