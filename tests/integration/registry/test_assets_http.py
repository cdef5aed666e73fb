"""The registry's assets through its HTTP API: organisations, teams, radio, telecom, public
service points and information systems, their rules, and the per-unit summaries."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest

from libs.common.db import create_pool
from libs.common.principal import Principal
from libs.common.projections.projection import ensure_schema
from libs.common.projections.rebuild import rebuild
from libs.common.settings import Settings
from services.registry.entrypoints.assets_projection import AssetsProjection
from tests.integration.registry.conftest import Registry
from tests.support.principals import PrincipalAuth

VILLAGES = {"01864": ["01864-T01", "01864-T02", "01864-T03"], "01867": ["01867-T01", "01867-T02"]}


async def _assets_caught_up(registry: Registry) -> None:
    """Wait until the assets projection has applied (or dead-lettered) every asset event.

    ``registry.caught_up()`` waits for the units projection only; this is its counterpart.
    """
    await registry.caught_up()
    conn = await asyncpg.connect(registry.database_url)
    try:

        async def settled() -> bool:
            handled = await conn.fetchval("SELECT count(*) FROM registry.events WHERE type NOT LIKE 'registry.unit_%'")
            applied = await conn.fetchval("SELECT coalesce(sum(applied), 0) FROM registry_assets.checkpoints")
            failed = await conn.fetchval("SELECT count(*) FROM registry.dead_letters")
            return bool(applied + failed >= handled)

        await registry.eventually(settled)
    finally:
        await conn.close()


@pytest.fixture(autouse=True)
async def no_dead_letters(registry: Registry, request: pytest.FixtureRequest) -> AsyncIterator[None]:
    """Every asset event a test caused is applied by the assets projection, none set aside."""
    yield
    # A rebuild applies everything before it returns and leaves no applied counts behind.
    if "rebuilding" not in request.node.name:
        await _assets_caught_up(registry)
    conn = await asyncpg.connect(registry.database_url)
    try:
        letters = await conn.fetch("SELECT projection, type, error FROM registry.dead_letters")
    finally:
        await conn.close()
    assert [dict(r) for r in letters] == []


async def _province(registry: Registry) -> dict[str, str]:
    """Bắc Kạn, Ba Bể district, two communes with synthetic villages, two operators; unit ids by code."""
    units: list[dict[str, Any]] = [
        {"code": "06", "name": "Tỉnh Bắc Kạn", "level": "province"},
        {"code": "061", "name": "Huyện Ba Bể", "level": "district", "parent_code": "06"},
        {"code": "01864", "name": "Xã Bành Trạch", "level": "commune", "parent_code": "061"},
        {"code": "01867", "name": "Xã Phúc Lộc", "level": "commune", "parent_code": "061"},
    ]
    for commune, villages in VILLAGES.items():
        units += [
            {"code": v, "name": f"Thôn {v[-2:]} (tổng hợp)", "level": "village", "parent_code": commune}
            for v in villages
        ]
    ids = {}
    for unit in units:
        ids[unit["code"]] = (await registry.command("units/register", {**unit, "valid_from": "2020-01-01"}))["ids"][0]
    for code, name in [("VIETTEL", "Viettel Bắc Kạn"), ("vnpt", "VNPT Bắc Kạn")]:
        await registry.command("organisations/register", {"code": code, "name": name, "kind": "telecom"})
    await registry.caught_up()
    return ids


async def _summary(registry: Registry, unit_id: str) -> dict[str, Any]:
    """The unit's summary once the assets read model has followed the log."""
    await _assets_caught_up(registry)
    summary: dict[str, Any] = await registry.get(f"/units/{unit_id}/summary")
    return summary


async def _station(registry: Registry, commune: str, **extra: Any) -> str:
    body = {"unit_code": commune, "technology": "IP", "installed_on": "2021-03-01", **extra}
    station_id: str = (await registry.command("radio-stations/register", body))["ids"][0]
    return station_id


async def test_viettel_base_stations_are_counted_by_operator_and_technology_in_a_district_summary(
    registry: Registry,
) -> None:
    ids = await _province(registry)
    bts = {"commissioned_on": "2022-05-01"}
    first = await registry.command(
        "bts-stations/commission",
        {**bts, "operator_code": "VIETTEL", "unit_code": "01864", "technologies": ["4G", "3G", "4G"]},
    )
    half = await registry.command(
        "bts-stations/commission",
        {**bts, "operator_code": "viettel", "unit_code": "01867", "technologies": ["4G"], "latitude": 22.41},
        expect=400,
    )
    assert half["code"] == "invalid_coordinates"
    await registry.command(
        "bts-stations/commission",
        {
            **bts,
            "operator_code": "VIETTEL",
            "unit_code": "01867",
            "technologies": ["4G"],
            "latitude": 22.41,
            "longitude": 105.73,
        },
    )
    await registry.command(
        "bts-stations/commission",
        {**bts, "operator_code": "VNPT", "unit_code": "01867", "technologies": ["2G", "3G", "4G"]},
    )
    gone = await registry.command(
        "bts-stations/commission", {**bts, "operator_code": "VNPT", "unit_code": "01867", "technologies": ["2G"]}
    )
    await registry.command(f"bts-stations/{gone['ids'][0]}/decommission", {"effective_on": "2023-01-01"})

    district = await _summary(registry, ids["061"])
    assert district["bts"]["by_operator"] == {"VIETTEL": 2, "VNPT": 1}
    assert district["bts"]["by_technology"] == {"2G": 1, "3G": 2, "4G": 3}
    commune, province = await registry.get("/units/summaries", ids=f"{ids['01864']},nope,{ids['06']}")
    assert commune["code"] == "01864"
    assert commune["bts"] == {"active": 1, "by_operator": {"VIETTEL": 1}, "by_technology": {"3G": 1, "4G": 1}}
    assert province["bts"]["by_operator"] == {"VIETTEL": 2, "VNPT": 1}

    [view] = await registry.get("/bts-stations", ids=first["ids"][0])
    assert view["operator_code"] == "VIETTEL"
    assert view["technologies"] == ["3G", "4G"]
    assert view["unit_id"] == ids["01864"]


async def test_a_cluster_in_a_village_of_another_commune_is_refused(registry: Registry) -> None:
    await _province(registry)
    station_id = await _station(registry, "01864")
    refused = await registry.command(
        "speaker-clusters/register",
        {"station_id": station_id, "village_code": "01867-T01", "installed_on": "2021-06-01"},
        expect=400,
    )
    assert refused["code"] == "village_not_in_commune"
    await registry.command(
        "speaker-clusters/register",
        {"station_id": station_id, "village_code": "01864-T01", "installed_on": "2021-06-01"},
    )


async def test_a_second_station_in_one_commune_is_a_conflict_until_the_first_is_decommissioned(
    registry: Registry,
) -> None:
    ids = await _province(registry)
    first = await _station(registry, "01864")
    second = await registry.command(
        "radio-stations/register", {"unit_code": "01864", "technology": "FM", "installed_on": "2022-01-01"}, expect=409
    )
    assert second["code"] == "station_exists"
    at_village = await registry.command(
        "radio-stations/register", {"unit_code": "01864-T01", "technology": "FM"}, expect=400
    )
    assert at_village["code"] == "invalid_unit_level"
    await registry.command(
        f"radio-stations/{first}/change-status", {"status": "DECOMMISSIONED", "effective_on": "2023-01-01"}
    )
    replacement = await _station(registry, "01864", installed_on="2023-02-01")
    summary = await _summary(registry, ids["01864"])
    assert summary["station"] == {"station_id": replacement, "technology": "IP", "status": "OPERATIONAL"}
    assert summary["stations"]["by_status"] == {"DECOMMISSIONED": 1, "OPERATIONAL": 1}


async def test_two_concurrent_stations_for_one_commune_leave_exactly_one(registry: Registry) -> None:
    await _province(registry)
    body = {"unit_code": "01867", "technology": "WIRED", "installed_on": "2021-01-01"}
    responses = await asyncio.gather(
        *(registry.client.post("/commands/radio-stations/register", json=body) for _ in range(4))
    )
    assert sorted(r.status_code for r in responses) == [201, 409, 409, 409]


async def test_a_decommissioned_cluster_is_counted_as_such(registry: Registry) -> None:
    ids = await _province(registry)
    station_id = await _station(registry, "01864")
    clusters = []
    for village in ["01864-T01", "01864-T02", None]:
        body = {"station_id": station_id, "village_code": village, "installed_on": "2021-06-01"}
        clusters.append((await registry.command("speaker-clusters/register", body))["ids"][0])
    early = await registry.command(
        f"speaker-clusters/{clusters[0]}/decommission", {"effective_on": "2021-01-01"}, expect=400
    )
    assert early["code"] == "date_out_of_order"
    await registry.command(
        f"speaker-clusters/{clusters[0]}/decommission", {"effective_on": "2024-01-01", "reason": "Hỏng loa"}
    )
    commune = await _summary(registry, ids["01864"])
    # Signal health is the broadcast service's; the registry offers no field it never fills.
    assert commune["clusters"] == {"active": 2, "decommissioned": 1}
    district = await registry.get(f"/units/{ids['061']}/summary")
    assert district["clusters"] == commune["clusters"]
    village = await registry.get(f"/units/{ids['01864-T02']}/summary")
    assert village["clusters"] == {"active": 1, "decommissioned": 0}
    by_station = await registry.get("/speaker-clusters/by-station", station_ids=station_id)
    assert {c["cluster_id"]: c["status"] for c in by_station} == {
        clusters[0]: "decommissioned",
        clusters[1]: "active",
        clusters[2]: "active",
    }
    assert all("signal" not in c and "last_seen_at" not in c for c in by_station)


async def test_a_read_model_built_with_the_unwritten_signal_columns_loses_them(registry: Registry) -> None:
    conn = await asyncpg.connect(registry.database_url)
    try:
        await conn.execute(
            """CREATE SCHEMA old_assets;
            CREATE TABLE old_assets.speaker_clusters (
                cluster_id text PRIMARY KEY, station_id text NOT NULL, village_id text,
                latitude double precision, longitude double precision, installed_on date,
                status text NOT NULL, decommissioned_on date, operator_id text,
                signal text NOT NULL DEFAULT 'UNKNOWN', signal_observed_at timestamptz)"""
        )
        await ensure_schema(conn, AssetsProjection(), "old_assets")
        await ensure_schema(conn, AssetsProjection(), "old_assets")  # idempotent on a second start
        columns = await conn.fetch(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = 'old_assets'"
            " AND table_name = 'speaker_clusters'"
        )
    finally:
        await conn.execute("DROP SCHEMA IF EXISTS old_assets CASCADE")
        await conn.close()
    assert {r["column_name"] for r in columns} == {
        "cluster_id",
        "station_id",
        "village_id",
        "latitude",
        "longitude",
        "installed_on",
        "status",
        "decommissioned_on",
        "operator_id",
    }


async def test_two_teams_at_one_unit_are_a_conflict(registry: Registry) -> None:
    ids = await _province(registry)
    team = {"unit_code": "01864", "level": "commune", "established_on": "2022-03-01", "member_count": 9}
    first = await registry.command(
        "digital-teams/establish",
        {**team, "members": [{"name": "Hoàng Văn Thụ", "role": "Tổ trưởng"}, {"name": "Nông Thị Hà"}]},
    )
    again = await registry.command("digital-teams/establish", team, expect=409)
    assert again["code"] == "team_exists"
    mismatch = await registry.command("digital-teams/establish", {**team, "unit_code": "01864-T01"}, expect=400)
    assert mismatch["code"] == "team_level_mismatch"
    await registry.command(
        "digital-teams/establish", {**team, "unit_code": "01864-T01", "level": "village", "member_count": 4}
    )
    await registry.command(
        f"digital-teams/{first['ids'][0]}/change-members", {"member_count": 11, "effective_on": "2023-01-01"}
    )
    await registry.command(
        f"digital-teams/{first['ids'][0]}/report-activity",
        {"reported_on": "2023-02-01", "households_supported": 120, "sessions": 3, "summary": "Hướng dẫn cài VNeID"},
    )
    commune = await _summary(registry, ids["01864"])
    assert commune["team"] == {"team_id": first["ids"][0], "level": "commune", "member_count": 11, "active": True}
    assert commune["teams"] == {"active": 2, "members": 15}
    [view] = await registry.get("/digital-teams", ids=first["ids"][0])
    assert view["members"] == [{"name": "Hoàng Văn Thụ", "role": "Tổ trưởng"}, {"name": "Nông Thị Hà", "role": None}]
    assert view["activity_reports"] == 1

    await registry.command(f"digital-teams/{first['ids'][0]}/disband", {"effective_on": "2024-01-01"})
    await registry.command("digital-teams/establish", {**team, "established_on": "2024-02-01"})


async def test_fibre_postal_points_endpoints_hotspots_and_systems_are_recorded_and_summarised(
    registry: Registry,
) -> None:
    ids = await _province(registry)
    for village in ["01864-T01", "01864-T02", "01867-T01"]:
        await registry.command(
            "village-fibre/connect", {"village_code": village, "operator_code": "VNPT", "connected_on": "2022-01-10"}
        )
    await registry.command(
        "village-fibre/connect", {"village_code": "01864-T01", "operator_code": "VIETTEL", "connected_on": "2022-02-10"}
    )
    twice = await registry.command(
        "village-fibre/connect",
        {"village_code": "01864-T01", "operator_code": "VNPT", "connected_on": "2022-03-10"},
        expect=409,
    )
    assert twice["code"] == "fibre_already_connected"
    await registry.command(
        "organisations/register", {"code": "VNPOST", "name": "Bưu điện tỉnh Bắc Kạn", "kind": "post"}
    )
    point = await registry.command(
        "postal-points/open",
        {"unit_code": "01864", "name": "Điểm BĐVHX Bành Trạch", "operator_code": "VNPOST", "opened_on": "2020-05-01"},
    )
    closed = await registry.command(
        "postal-points/open", {"unit_code": "01867", "name": "Điểm Phúc Lộc", "opened_on": "2020-05-01"}
    )
    await registry.command(f"postal-points/{closed['ids'][0]}/close", {"effective_on": "2022-12-31"})
    for unit in ["06", "061", "01864", "01867"]:
        await registry.command("video-endpoints/register", {"unit_code": unit, "installed_on": "2021-09-01"})
    await registry.command(
        "wifi-hotspots/register", {"unit_code": "01867-T02", "operator_code": "VIETTEL", "installed_on": "2023-03-01"}
    )
    system = await registry.command(
        "information-systems/register",
        {"name": "Hệ thống quản lý văn bản iOffice", "owner_agency": "Sở TT&TT", "hosted_in_data_centre": True},
    )
    await registry.command(
        f"information-systems/{system['ids'][0]}/approve-security-level",
        {"level": 3, "approved_on": "2022-08-01", "decision": "QĐ 1234/QĐ-UBND"},
    )

    await _assets_caught_up(registry)
    district = await registry.get(f"/units/{ids['061']}/summary")
    assert (district["wifi_hotspots"], district["postal_points"]) == (1, 1)
    assert district["fibre"] == {"villages_with_fibre": 3, "villages": 5}
    assert district["video_endpoints"] == 3
    province = await registry.get(f"/units/{ids['06']}/summary")
    assert province["video_endpoints"] == 4
    commune = await registry.get(f"/units/{ids['01867']}/summary")
    assert commune["fibre"] == {"villages_with_fibre": 1, "villages": 2}
    assert commune["postal_points"] == 0
    [view] = await registry.get("/postal-points", ids=point["ids"][0])
    assert view["name"] == "Điểm BĐVHX Bành Trạch"
    fibre = await registry.get("/village-fibre/by-village", village_ids=ids["01864-T01"])
    assert [f["operator_code"] for f in fibre] == ["VNPT", "VIETTEL"]
    systems = await registry.get("/information-systems", ids=system["ids"][0])
    assert systems[0]["security_level"] == 3
    assert systems[0]["decision"] == "QĐ 1234/QĐ-UBND"


async def test_an_operator_is_assigned_to_a_station_and_shows_in_its_view(registry: Registry) -> None:
    await _province(registry)
    await registry.command(
        "organisations/register",
        {"code": "TTVH-BABE", "name": "Trung tâm VHTT&TT huyện Ba Bể", "kind": "district_centre", "unit_code": "061"},
    )
    station_id = await _station(registry, "01867", funding_source="Quỹ từ thiện")
    body = {"asset_kind": "radio_station", "asset_id": station_id, "organisation_code": "TTVH-BABE"}
    await registry.command("assets/assign-operator", {**body, "effective_on": "2022-01-01"})
    early = await registry.command("assets/assign-operator", {**body, "effective_on": "2020-01-01"}, expect=400)
    assert early["code"] == "date_out_of_order"

    async def assigned() -> list[dict[str, Any]] | None:
        found: list[dict[str, Any]] = await registry.get("/radio-stations", ids=station_id)
        return found if found and found[0]["operator_code"] == "TTVH-BABE" else None

    [view] = await registry.eventually(assigned)
    assert view["funding_source"] == "Quỹ từ thiện"
    [organisation] = await registry.get("/organisations/by-code", codes="ttvh-babe")
    assert organisation["kind"] == "district_centre"


async def test_bad_input_gets_a_clear_error_code(registry: Registry) -> None:
    await _province(registry)
    cases: list[tuple[str, dict[str, Any], int, str]] = [
        ("organisations/register", {"code": "Viettel", "name": "Trùng", "kind": "telecom"}, 409,
         "duplicate_organisation_code"),
        ("organisations/register", {"code": "TTVH", "name": "Trung tâm", "kind": "district_centre"}, 400,
         "unit_required"),
        ("bts-stations/commission", {"operator_code": "VIETTEL", "unit_code": "061", "technologies": ["4G"]}, 400,
         "outside_commune"),
        ("bts-stations/commission", {"operator_code": "VIETTEL", "unit_code": "01864", "technologies": []}, 400,
         "invalid_technologies"),
        ("bts-stations/commission",
         {"operator_code": "VIETTEL", "unit_code": "01864", "technologies": ["4G"], "latitude": 21.0,
          "longitude": 105.8}, 400, "outside_province"),
        ("bts-stations/commission", {"operator_code": "MOBIFONE", "unit_code": "01864", "technologies": ["4G"]}, 404,
         "unknown_organisation"),
        ("bts-stations/commission", {"operator_code": "VIETTEL", "unit_code": "99999", "technologies": ["4G"]}, 404,
         "unknown_unit"),
        ("bts-stations/commission", {"operator_code": "VIETTEL", "unit_code": "01864", "technologies": ["6G"]}, 400,
         "invalid_request"),
        ("radio-stations/register", {"unit_code": "01864", "technology": "IP", "installed_on": "2019-01-01"}, 404,
         "unknown_unit"),
        ("radio-stations/register", {"unit_code": "01864", "technology": "IP", "colour": "red"}, 400,
         "invalid_request"),
        ("digital-teams/establish",
         {"unit_code": "01864", "level": "commune", "established_on": "2022-01-01", "member_count": 1,
          "members": [{"name": "A"}, {"name": "B"}]}, 400, "invalid_member_count"),
        ("postal-points/open", {"unit_code": "01864", "name": "   "}, 400, "invalid_name"),
        ("information-systems/register", {"name": "", "owner_agency": "Sở", "hosted_in_data_centre": False}, 400,
         "invalid_name"),
        ("village-fibre/connect", {"village_code": "01864", "operator_code": "VNPT", "connected_on": "2022-01-01"},
         400, "invalid_unit_level"),
        ("speaker-clusters/register", {"station_id": "nope"}, 404, "unknown_radio_station"),
    ]  # fmt: skip
    for path, body, status, code in cases:
        result = await registry.command(path, body, expect=status)
        assert result["code"] == code, (path, body, result)
    system = await registry.command(
        "information-systems/register", {"name": "Cổng DVC", "owner_agency": "VP UBND", "hosted_in_data_centre": True}
    )
    six = await registry.command(
        f"information-systems/{system['ids'][0]}/approve-security-level",
        {"level": 6, "approved_on": "2022-01-01"},
        expect=400,
    )
    assert six["code"] == "invalid_security_level"
    bts = await registry.command(
        "bts-stations/commission",
        {"operator_code": "VNPT", "unit_code": "01864", "technologies": ["4G"], "commissioned_on": "2022-06-01"},
    )
    early = await registry.command(
        f"bts-stations/{bts['ids'][0]}/decommission", {"effective_on": "2022-05-31"}, expect=400
    )
    assert early["code"] == "date_out_of_order"


async def test_a_retried_command_with_its_idempotency_key_registers_one_station(registry: Registry) -> None:
    await _province(registry)
    body = {"unit_code": "01864", "technology": "IP", "installed_on": "2021-03-01"}
    key = {"Idempotency-Key": "station-01864"}
    first = await registry.client.post("/commands/radio-stations/register", json=body, headers=key)
    again = await registry.client.post("/commands/radio-stations/register", json=body, headers=key)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json()["ids"][0] == first.json()["ids"][0]
    assert again.json()["replayed"] is True
    station_id = first.json()["ids"][0]
    # The same key for another station's upgrade is another request, not a replay of this one.
    upgrade = {"technology": "FM", "upgraded_on": "2022-01-01"}
    other = await registry.client.post(f"/commands/radio-stations/{station_id}x/upgrade", json=upgrade, headers=key)
    assert other.status_code == 409, other.text


async def test_rebuilding_the_assets_read_model_from_the_log_gives_identical_answers(
    registry: Registry, settings: Settings
) -> None:
    ids = await _province(registry)
    station_id = await _station(registry, "01864")
    cluster = await registry.command(
        "speaker-clusters/register",
        {"station_id": station_id, "village_code": "01864-T02", "installed_on": "2021-06-01"},
    )
    await registry.command(f"speaker-clusters/{cluster['ids'][0]}/decommission", {"effective_on": "2023-01-01"})
    await registry.command(f"radio-stations/{station_id}/upgrade", {"technology": "FM", "upgraded_on": "2022-01-01"})
    bts = await registry.command(
        "bts-stations/commission", {"operator_code": "VIETTEL", "unit_code": "01867", "technologies": ["4G", "5G"]}
    )
    await registry.command(
        "village-fibre/connect", {"village_code": "01867-T02", "operator_code": "VNPT", "connected_on": "2022-01-10"}
    )
    team = await registry.command(
        "digital-teams/establish",
        {"unit_code": "01867", "level": "commune", "established_on": "2022-03-01", "member_count": 7},
    )
    await registry.command(
        "assets/assign-operator",
        {
            "asset_kind": "bts_station",
            "asset_id": bts["ids"][0],
            "organisation_code": "VNPT",
            "effective_on": "2030-01-01",
        },
    )
    everything = ",".join(ids.values())

    async def answers() -> list[Any]:
        return [
            await registry.get("/units/summaries", ids=everything),
            await registry.get("/radio-stations", ids=station_id),
            await registry.get("/speaker-clusters/by-station", station_ids=station_id),
            await registry.get("/bts-stations", ids=bts["ids"][0]),
            await registry.get("/digital-teams", ids=team["ids"][0]),
            await registry.get("/village-fibre/by-village", village_ids=everything),
        ]

    await _assets_caught_up(registry)
    before = await answers()
    assert before[3][0]["operator_code"] == "VNPT"
    assert before[1][0]["technology"] == "FM"
    pool = await create_pool(settings.database_url, service="test")
    try:
        progress = await rebuild(
            AssetsProjection(),
            pool,
            topics={"registry": settings.topic("registry")},
            partitions=settings.kafka_partitions,
        )
    finally:
        await pool.close()
    assert progress.done == 10
    assert await answers() == before


async def test_a_system_moves_into_the_data_centre_once_and_is_listed_as_hosted(registry: Registry) -> None:
    system = await registry.command(
        "information-systems/register",
        {"name": "Hệ thống một cửa điện tử", "owner_agency": "Sở Nội vụ", "hosted_in_data_centre": False},
    )
    system_id = system["ids"][0]
    path = f"information-systems/{system_id}/change-hosting"
    moved = await registry.command(path, {"hosted_in_data_centre": True, "effective_on": "2023-01-01"})
    assert (moved["ids"], len(moved["event_ids"])) == ([system_id], 1)
    # The hosting it already has: answered, nothing appended.
    again = await registry.command(path, {"hosted_in_data_centre": True, "effective_on": "2023-02-01"})
    assert (again["event_ids"], again["version"]) == ([], moved["version"])
    early = await registry.command(path, {"hosted_in_data_centre": False, "effective_on": "2022-12-31"}, expect=400)
    assert early["code"] == "date_out_of_order"
    unknown = await registry.command(
        "information-systems/nope/change-hosting", {"hosted_in_data_centre": True, "effective_on": "2023-01-01"}, 404
    )
    assert unknown["code"] == "unknown_information_system"
    centre = Principal(subject="partner:c", partner="c", scopes=frozenset({"registry:write"}), unit_code="061")
    refused = await registry.client.post(
        f"/commands/{path}",
        json={"hosted_in_data_centre": False, "effective_on": "2024-01-01"},
        auth=PrincipalAuth(registry.settings, centre, "registry"),
    )
    assert refused.status_code == 403, refused.text

    await _assets_caught_up(registry)
    [view] = await registry.get("/information-systems", ids=system_id)
    assert view["hosted_in_data_centre"] is True
    hosted = await registry.get("/information-systems/list", status="hosted")
    assert [s["system_id"] for s in hosted["items"]] == [system_id]
    assert (await registry.get("/information-systems/list", status="not_hosted"))["total_count"] == 0
