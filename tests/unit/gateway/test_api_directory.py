"""The in-memory unit directory behind "a unit and its descendants" filters."""

from __future__ import annotations

from services.gateway.events.directory import UnitDirectory


def directory() -> UnitDirectory:
    units = UnitDirectory()
    for unit_id, code, parent in [("p", "06", None), ("d", "061", "p"), ("c", "06101", "d"), ("v", "V1", "c")]:
        units.apply("registry.unit_registered", {"unit_id": unit_id, "code": code, "parent_id": parent})
    units.apply("registry.unit_registered", {"unit_id": "d2", "code": "062", "parent_id": "p"})
    units.apply("registry.radio_station_registered", {"station_id": "s", "unit_id": "c"})
    units.apply("registry.speaker_cluster_registered", {"cluster_id": "k", "station_id": "s", "village_id": "v"})
    return units


def test_a_unit_is_within_itself_and_its_ancestors_but_not_a_sibling() -> None:
    units = directory()
    assert units.within("v", "v")
    assert units.within("v", "d")
    assert units.within("v", "p")
    assert not units.within("v", "d2")
    assert not units.within(None, "p")


def test_an_event_is_placed_by_its_unit_its_code_or_the_asset_it_names() -> None:
    units = directory()
    assert units.unit_of({"unit_id": "c"}) == "c"
    assert units.unit_of({"unit_code": "06101"}) == "c"
    assert units.unit_of({"cluster_id": "k"}) == "v"
    assert units.unit_of({"station_id": "s"}) == "c"
    assert units.unit_of({"other": 1}) is None


def test_a_reparented_unit_moves_its_subtree() -> None:
    units = directory()
    units.apply("registry.unit_reparented", {"unit_id": "c", "parent_id": "d2"})
    assert units.within("v", "d2")
    assert not units.within("v", "d")


def test_a_code_reused_after_a_merge_names_the_newest_unit() -> None:
    units = directory()
    units.apply("registry.unit_registered", {"unit_id": "c-new", "code": "06101", "parent_id": "d"})
    assert units.unit_id_for_code("06101") == "c-new"
    assert units.code_of("c") == "06101"


def test_it_counts_the_units_of_each_level_once_each() -> None:
    """New with the level-wide cost (the directory knew no levels before): a unit registered
    again (a replayed copy) counts once, a reparented one stays counted."""
    units = UnitDirectory()
    for unit_id in ("v1", "v2", "v1"):
        units.apply("registry.unit_registered", {"unit_id": unit_id, "code": unit_id, "level": "village"})
    units.apply("registry.unit_registered", {"unit_id": "c", "code": "c", "level": "commune"})
    units.apply("registry.unit_reparented", {"unit_id": "v2", "parent_id": "c"})
    assert (units.units_at("village"), units.units_at("commune"), units.units_at("district")) == (2, 1, 0)
