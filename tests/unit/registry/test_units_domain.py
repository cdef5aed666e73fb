"""The unit aggregate's rules, without a database."""

from __future__ import annotations

import datetime

import pytest

from contracts.registry_events import UnitMerged, UnitRegistered, UnitRenamed, UnitReparented
from libs.common.errors import ConflictError, InvalidInputError, NotFoundError
from services.registry.domain.unit_commands import UNIT, EndUnit, RegisterUnit, RenameUnit, ReparentUnit
from services.registry.domain.units import Unit

D = datetime.date
START = D(2020, 1, 1)


def registered(unit_id: str, code: str, level: str, parent: Unit | None = None, since: D = START) -> Unit:
    events = UNIT.decide(
        RegisterUnit(unit_id=unit_id, code=code, name=f"Đơn vị {code}", level=level, valid_from=since, parent=parent),  # type: ignore[arg-type]
        Unit(),
    )
    return UNIT.fold(list(events))  # type: ignore[arg-type]


PROVINCE = registered("p", "06", "province")
DISTRICT = registered("d", "061", "district", PROVINCE)
COMMUNE = registered("c", "01864", "commune", DISTRICT)


def test_a_name_is_stored_nfc_normalised_and_trimmed() -> None:
    decomposed = "Xa\u0303 Ba\u0300nh Tra\u0323ch"  # "Xã Bành Trạch" typed with combining marks
    [event] = UNIT.decide(
        RegisterUnit(
            unit_id="x",
            code="01999",
            name=f"  {decomposed}  ",
            level="commune",
            valid_from=D(2020, 1, 1),
            parent=DISTRICT,
        ),
        Unit(),
    )
    assert isinstance(event, UnitRegistered)
    assert event.name == "Xã Bành Trạch"
    assert len(event.name) == len("Xã Bành Trạch")


def test_a_village_cannot_sit_under_a_district() -> None:
    with pytest.raises(InvalidInputError) as caught:
        registered("v", "V1", "village", DISTRICT)
    assert caught.value.code == "invalid_parent_level"


def test_a_commune_may_sit_directly_under_a_province_after_the_district_level_ends() -> None:
    assert registered("c2", "01840", "commune", PROVINCE, since=D(2025, 7, 1)).parent_id == "p"


def test_a_unit_below_the_province_needs_a_parent_that_exists_on_its_start_date() -> None:
    with pytest.raises(NotFoundError):
        registered("c3", "01998", "commune", None)
    with pytest.raises(ConflictError) as caught:
        registered("c4", "01997", "commune", DISTRICT, since=D(2019, 6, 1))
    assert caught.value.code == "parent_not_active"


def test_a_rename_to_the_same_name_records_nothing() -> None:
    assert UNIT.decide(RenameUnit(name=COMMUNE.name, effective_on=D(2022, 1, 1)), COMMUNE) == []
    [event] = UNIT.decide(RenameUnit(name="Xã Mới", effective_on=D(2022, 1, 1)), COMMUNE)
    assert isinstance(event, UnitRenamed)
    assert event.previous_name == COMMUNE.name


def test_nothing_can_happen_to_a_unit_before_it_existed_or_after_it_ended() -> None:
    with pytest.raises(InvalidInputError) as early:
        UNIT.decide(RenameUnit(name="Sớm", effective_on=D(2019, 1, 1)), COMMUNE)
    assert early.value.code == "date_out_of_order"
    merged = UNIT.evolve(COMMUNE, UnitMerged(unit_id="c", successor_id="n", effective_on=D(2025, 7, 1)))
    assert merged.status == "merged"
    assert not merged.active_on(D(2025, 7, 1))
    assert merged.active_on(D(2025, 6, 30))
    with pytest.raises(ConflictError) as late:
        UNIT.decide(EndUnit(how="dissolved", effective_on=D(2026, 1, 1)), merged)
    assert late.value.code == "unit_not_active"


def test_a_merge_names_exactly_one_successor_and_a_split_at_least_two() -> None:
    with pytest.raises(InvalidInputError):
        UNIT.decide(EndUnit(how="merged", effective_on=D(2025, 7, 1), successor_ids=("a", "b")), COMMUNE)
    with pytest.raises(InvalidInputError):
        UNIT.decide(EndUnit(how="split", effective_on=D(2025, 7, 1), successor_ids=("a",)), COMMUNE)


def test_moving_a_commune_under_another_district_records_the_old_parent() -> None:
    other = registered("d2", "062", "district", PROVINCE)
    [event] = UNIT.decide(ReparentUnit(parent=other, effective_on=D(2023, 1, 1)), COMMUNE)
    assert isinstance(event, UnitReparented)
    assert (event.parent_id, event.previous_parent_id) == ("d2", "d")
    assert UNIT.decide(ReparentUnit(parent=DISTRICT, effective_on=D(2023, 1, 1)), COMMUNE) == []


def test_a_unit_remembers_which_parent_it_had_on_each_day() -> None:
    other = registered("d2", "062", "district", PROVINCE)
    [moved] = UNIT.decide(ReparentUnit(parent=other, effective_on=D(2023, 1, 1)), COMMUNE)
    assert isinstance(moved, UnitReparented)
    after = UNIT.evolve(COMMUNE, moved)
    assert after.parent_on(D(2022, 12, 31)) == "d"
    assert after.parent_on(D(2023, 1, 1)) == "d2"
    assert after.parent_on(D(2019, 1, 1)) is None


def test_a_unit_history_is_told_in_order() -> None:
    [renamed] = UNIT.decide(RenameUnit(name="Xã Mới", effective_on=D(2023, 1, 1)), COMMUNE)
    assert isinstance(renamed, UnitRenamed)
    later = UNIT.evolve(COMMUNE, renamed)
    with pytest.raises(InvalidInputError) as caught:
        UNIT.decide(RenameUnit(name="Xã Cũ", effective_on=D(2022, 1, 1)), later)
    assert caught.value.code == "date_out_of_order"
    assert UNIT.decide(RenameUnit(name="Xã Mới Hơn", effective_on=D(2023, 1, 1)), later)
