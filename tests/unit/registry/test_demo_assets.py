"""The demo dataset's items reproduce the seeds' 2022 counts, without a database."""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from typing import Any

import pytest

from contracts.registry_events import Coordinates
from services.registry.application.bulk_import import KINDS, _Ready, prepare, waves
from services.registry.application.import_parsing import MAX_ITEMS, RawItem
from services.registry.domain.assets import PROVINCE_BOX
from services.registry.seed.demo_assets import demo_items
from services.registry.seed.demo_support import spread
from services.registry.seed.reference import reference_units
from services.registry.seed.structure import structure_items

Item = dict[str, Any]
BA_BE = "061"
FIRST, LAST = datetime.date(2020, 2, 1), datetime.date(2022, 12, 31)
DATE_FIELDS = ("installed_on", "upgraded_on", "effective_on", "commissioned_on", "connected_on", "established_on")
MORE_DATE_FIELDS = ("opened_on", "approved_on", "as_of")


@pytest.fixture(scope="module")
def items() -> list[Item]:
    return demo_items()


def _of(items: list[Item], kind: str) -> list[Item]:
    return [i for i in items if i["kind"] == kind]


def _district() -> dict[str, str]:
    return {u.code: u.parent_code or "" for u in reference_units() if u.level == "commune"}


def test_every_item_is_a_valid_keyed_import_item_and_the_dataset_is_the_same_every_time(items: list[Item]) -> None:
    assert items == demo_items()
    assert len(items) <= MAX_ITEMS
    assert len({i["key"] for i in items}) == len(items)
    prepared = [prepare(RawItem(index=n, fields=i), "tinhso-seed", KINDS) for n, i in enumerate(items)]
    assert all(isinstance(p, _Ready) and p.keyed for p in prepared), [p for p in prepared if not isinstance(p, _Ready)]
    assert Counter(i["kind"] for i in items) == {
        "register_organisation": 4 + 8,
        "register_radio_station": 108,
        "upgrade_radio_station": 5 + 39,
        "change_radio_station_status": 4,
        "register_speaker_cluster": 104 + 78 * 2,
        "commission_bts_station": 265,
        "connect_village_fibre": 804,
        "establish_digital_team": 108 + 1197,
        "open_postal_point": 249,
        "register_video_endpoint": 118,
        "register_information_system": 22,
        "approve_security_level": 22,
        "create_unit_group": 1,
        "add_unit_group_member": 4,
    }


def test_every_date_is_in_2020_2022_on_or_after_the_seeded_units_start(items: list[Item]) -> None:
    found = [i[f] for i in items for f in (*DATE_FIELDS, *MORE_DATE_FIELDS) if f in i]
    groups = sum(i["kind"] in {"create_unit_group", "add_unit_group_member"} for i in items)  # a 2023 plan's
    assert len(found) == len(items) - 22 - 4 - groups  # systems have no date; the operators' organisations none
    assert all(FIRST <= datetime.date.fromisoformat(d) <= LAST for d in found)


def test_unit_codes_are_the_seeded_ones(items: list[Item]) -> None:
    seeded = {i["code"] for i in structure_items()}
    for item in items:
        for field in ("unit_code", "village_code", "station_unit_code"):
            assert item.get(field, "06") in seeded, item


def test_108_stations_93_ip_and_104_working_well(items: list[Item]) -> None:
    stations = {i["unit_code"]: i for i in _of(items, "register_radio_station")}
    assert len(stations) == 108
    technology = {c: s["technology"] for c, s in stations.items()}
    for upgrade in _of(items, "upgrade_radio_station"):
        assert technology[upgrade["unit_code"]] != "IP"
        assert upgrade["upgraded_on"] > stations[upgrade["unit_code"]]["installed_on"]
        technology[upgrade["unit_code"]] = upgrade["technology"]
    assert Counter(technology.values())["IP"] == 93
    changes = _of(items, "change_radio_station_status")
    assert Counter(c["status"] for c in changes) == {"DOWN": 2, "DEGRADED": 2}
    assert 108 - len({c["unit_code"] for c in changes}) == round(0.96 * 108)
    assert all(technology[c["unit_code"]] != "IP" for c in changes)
    district = _district()
    assert all(s["operator_code"] == f"TTVH-{district[c]}" for c, s in stations.items())


def test_ba_be_has_7_new_and_5_upgraded_ip_stations_in_2022_and_3_charity_funded_in_2020(items: list[Item]) -> None:
    district = _district()
    stations = [s for s in _of(items, "register_radio_station") if district[s["unit_code"]] == BA_BE]
    upgraded = {u["unit_code"]: u for u in _of(items, "upgrade_radio_station")}
    new = [s for s in stations if s["technology"] == "IP" and s["installed_on"].startswith("2022")]
    upgrades = [upgraded[s["unit_code"]] for s in stations if s["unit_code"] in upgraded]
    charity = [s for s in stations if "Thiện Tâm" in s.get("funding_source", "")]
    assert (len(stations), len(new), len(upgrades), len(charity)) == (15, 7, 5, 3)
    assert all(u["upgraded_on"].startswith("2022") and u["technology"] == "IP" for u in upgrades)
    assert all(s["technology"] == "IP" and s["installed_on"].startswith("2020") for s in charity)


def test_more_than_100_clusters_in_ba_be_each_in_a_village_of_its_station_commune(items: list[Item]) -> None:
    district = _district()
    clusters = _of(items, "register_speaker_cluster")
    assert sum(district[c["station_unit_code"]] == BA_BE for c in clusters) == 104
    assert all(c["village_code"].startswith(c["station_unit_code"] + "-T") for c in clusters)
    assert len({c["village_code"] for c in clusters}) == len(clusters)
    became_ip = {s["unit_code"]: s["installed_on"] for s in _of(items, "register_radio_station")}
    became_ip |= {u["unit_code"]: u["upgraded_on"] for u in _of(items, "upgrade_radio_station")}
    assert all(c["installed_on"] == became_ip[c["station_unit_code"]] for c in clusters)


def test_vnpt_base_stations_carry_198_2g_265_3g_263_4g_with_39_new_3g_4g_sites(items: list[Item]) -> None:
    sites = _of(items, "commission_bts_station")
    assert Counter(t for s in sites for t in s["technologies"]) == {"2G": 198, "3G": 265, "4G": 263}
    assert Counter(tuple(s["technologies"]) for s in sites) == {
        ("2G", "3G", "4G"): 196,
        ("2G", "3G"): 2,
        ("3G", "4G"): 67,
    }
    assert {s["operator_code"] for s in sites} == {"VNPT"}
    built = [s for s in sites if s["commissioned_on"] >= "2021-01-01"]
    assert len(built) == 39
    assert all(s["technologies"] == ["3G", "4G"] for s in built)
    full = {s["unit_code"] for s in sites if s["technologies"] == ["2G", "3G", "4G"]}
    assert full == set(_district()), "every commune has a 2G/3G/4G site"
    assert all(PROVINCE_BOX.contains(Coordinates(latitude=s["latitude"], longitude=s["longitude"])) for s in sites)


def test_fibre_reaches_804_villages_in_every_commune(items: list[Item]) -> None:
    fibre = _of(items, "connect_village_fibre")
    villages = {f["village_code"] for f in fibre}
    assert len(villages) == len(fibre) == 804
    assert {v.split("-")[0] for v in villages} == set(_district())


def test_teams_108_commune_with_1014_members_and_1197_village(items: list[Item]) -> None:
    teams = _of(items, "establish_digital_team")
    by_level: dict[str, list[Item]] = defaultdict(list)
    for team in teams:
        by_level[team["level"]].append(team)
    assert len(by_level["commune"]) == 108
    assert sum(t["member_count"] for t in by_level["commune"]) == 1014
    assert len(by_level["village"]) == 1197
    assert sum(t["member_count"] for t in by_level["village"]) == round(5689 * 1197 / 1292) == 5271
    assert {t["member_count"] for t in by_level["village"]} == {4, 5}
    assert len({t["unit_code"] for t in teams}) == len(teams)


def test_249_postal_points_136_of_them_from_2020_and_118_video_endpoints_in_every_commune(items: list[Item]) -> None:
    postal = _of(items, "open_postal_point")
    assert len(postal) == 249
    assert sum(p["opened_on"] == "2020-02-01" for p in postal) == 136
    assert {p["unit_code"] for p in postal} == set(_district())
    assert {p["operator_code"] for p in postal} == {"VNPOST"}
    video = _of(items, "register_video_endpoint")
    assert len(video) == 118
    assert set(_district()) <= {v["unit_code"] for v in video}


def test_22_information_systems_3_at_level_3_and_19_at_level_2(items: list[Item]) -> None:
    systems = {s["key"] for s in _of(items, "register_information_system")}
    approvals = _of(items, "approve_security_level")
    assert len(systems) == 22
    assert {a["system_key"] for a in approvals} == systems
    assert Counter(a["level"] for a in approvals) == {3: 3, 2: 19}


def test_every_item_runs_after_what_it_refers_to(items: list[Item]) -> None:
    prepared = [prepare(RawItem(index=n, fields=i), "p", KINDS) for n, i in enumerate(items)]
    wave_of = {p.item.index: w for w, wave in enumerate(waves(prepared)) for p in wave if isinstance(p, _Ready)}
    station_wave = {i["unit_code"]: wave_of[n] for n, i in enumerate(items) if i["kind"] == "register_radio_station"}
    upgrade_wave = {i["unit_code"]: wave_of[n] for n, i in enumerate(items) if i["kind"] == "upgrade_radio_station"}
    organisation_wave = max(wave_of[n] for n, i in enumerate(items) if i["kind"] == "register_organisation")
    for n, item in enumerate(items):
        if item["kind"] == "register_speaker_cluster":
            commune = item["station_unit_code"]
            assert wave_of[n] > max(station_wave[commune], upgrade_wave.get(commune, -1))
        if "operator_code" in item:
            assert wave_of[n] > organisation_wave
    assert len(waves(prepared)) < len(items) / 20, "independent items run side by side"


def test_spread_shares_a_total_exactly_with_a_minimum_each() -> None:
    shares = spread(10, {"a": 1.0, "b": 2.0, "c": 1.0}, minimum=2)
    assert shares == {"a": 3, "b": 4, "c": 3}
    assert sum(spread(1014, {str(n): 1.0 + n % 7 for n in range(108)}, minimum=5).values()) == 1014
    with pytest.raises(ValueError, match="cannot give"):
        spread(3, {"a": 1.0, "b": 1.0}, minimum=2)
