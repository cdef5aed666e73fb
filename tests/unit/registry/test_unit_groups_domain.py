"""The unit group aggregate's rules (ADR 0056), without a database."""

from __future__ import annotations

import datetime

import pytest

from contracts.registry_events import UnitGroupMemberAdded, UnitGroupMemberRemoved, UnitMerged
from libs.common.errors import ConflictError, InvalidInputError, NotFoundError
from services.registry.domain.unit_groups import (
    UNIT_GROUP,
    AddMember,
    CreateUnitGroup,
    RemoveMember,
    UnitGroup,
)
from services.registry.domain.unit_groups import evolve as evolve_group
from services.registry.domain.units import Unit, evolve
from tests.unit.registry.test_units_domain import COMMUNE, DISTRICT, registered

D = datetime.date
OTHER = registered("c2", "01867", "commune", DISTRICT)


def group_with(*commands: CreateUnitGroup | AddMember | RemoveMember) -> UnitGroup:
    group = UnitGroup()
    for command in (CreateUnitGroup(code="pilot_cds_2023", name="Xã thí điểm CĐS 2023"), *commands):
        for event in UNIT_GROUP.decide(command, group):
            group = evolve_group(group, event)  # type: ignore[arg-type]
    return group


def test_a_group_s_code_is_kept_upper_case_and_is_its_identity() -> None:
    group = group_with()
    assert group.code == "PILOT_CDS_2023"
    with pytest.raises(ConflictError) as refused:
        UNIT_GROUP.decide(CreateUnitGroup(code="PILOT_CDS_2023", name="again"), group)
    assert refused.value.code == "duplicate_unit_group"


def test_the_group_as_of_a_day_holds_the_units_whose_membership_covers_it() -> None:
    group = group_with(
        AddMember(unit=COMMUNE, joined_on=D(2023, 1, 1)),
        AddMember(unit=OTHER, joined_on=D(2023, 6, 1)),
        RemoveMember(unit=COMMUNE, left_on=D(2024, 1, 1)),
    )
    assert group.members_on(D(2022, 12, 31)) == []
    assert group.members_on(D(2023, 3, 1)) == [COMMUNE.unit_id]
    assert sorted(group.members_on(D(2023, 12, 31))) == sorted([COMMUNE.unit_id, OTHER.unit_id])
    assert group.members_on(D(2024, 1, 1)) == [OTHER.unit_id]


def test_a_unit_may_rejoin_after_it_left_but_not_before_nor_while_it_is_in() -> None:
    group = group_with(AddMember(unit=COMMUNE, joined_on=D(2023, 1, 1)))
    with pytest.raises(ConflictError) as twice:
        UNIT_GROUP.decide(AddMember(unit=COMMUNE, joined_on=D(2023, 2, 1)), group)
    assert twice.value.code == "already_a_member"
    group = group_with(
        AddMember(unit=COMMUNE, joined_on=D(2023, 1, 1)), RemoveMember(unit=COMMUNE, left_on=D(2024, 1, 1))
    )
    with pytest.raises(InvalidInputError) as early:
        UNIT_GROUP.decide(AddMember(unit=COMMUNE, joined_on=D(2023, 6, 1)), group)
    assert early.value.code == "date_out_of_order"
    [again] = UNIT_GROUP.decide(AddMember(unit=COMMUNE, joined_on=D(2025, 1, 1)), group)
    assert isinstance(again, UnitGroupMemberAdded)


def test_a_unit_that_does_not_exist_on_the_day_cannot_join() -> None:
    merged = evolve(COMMUNE, UnitMerged(unit_id=COMMUNE.unit_id, successor_id="s", effective_on=D(2025, 7, 1)))
    group = group_with()
    with pytest.raises(ConflictError) as gone:
        UNIT_GROUP.decide(AddMember(unit=merged, joined_on=D(2025, 8, 1)), group)
    assert gone.value.code == "unit_not_active"
    with pytest.raises(ConflictError):
        UNIT_GROUP.decide(AddMember(unit=Unit(), joined_on=D(2025, 8, 1)), group)


def test_leaving_needs_an_open_membership_and_a_day_after_joining() -> None:
    group = group_with(AddMember(unit=COMMUNE, joined_on=D(2023, 1, 1)))
    with pytest.raises(ConflictError) as outsider:
        UNIT_GROUP.decide(RemoveMember(unit=OTHER, left_on=D(2024, 1, 1)), group)
    assert outsider.value.code == "not_a_member"
    with pytest.raises(InvalidInputError) as same_day:
        UNIT_GROUP.decide(RemoveMember(unit=COMMUNE, left_on=D(2023, 1, 1)), group)
    assert same_day.value.code == "date_out_of_order"
    [left] = UNIT_GROUP.decide(RemoveMember(unit=COMMUNE, left_on=D(2024, 1, 1), reason="  hết thí điểm "), group)
    assert isinstance(left, UnitGroupMemberRemoved)
    assert left.reason == "hết thí điểm"


def test_no_member_changes_on_a_group_that_was_never_created() -> None:
    with pytest.raises(NotFoundError) as unknown:
        UNIT_GROUP.decide(AddMember(unit=COMMUNE, joined_on=D(2023, 1, 1)), UnitGroup())
    assert unknown.value.code == "unknown_unit_group"
