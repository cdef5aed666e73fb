"""Community digital teams: the rules, without a database."""

from __future__ import annotations

import msgspec
import pytest

from contracts.registry_events import DigitalTeamEstablished, DigitalTeamMembersChanged, TeamMember
from libs.common.errors import ConflictError, InvalidInputError, NotFoundError
from services.registry.domain.teams import (
    DIGITAL_TEAM,
    ChangeTeamMembers,
    DisbandTeam,
    EstablishTeam,
    ReportTeamActivity,
    Team,
)
from tests.unit.registry.asset_fixtures import COMMUNE, DISTRICT, MERGED_COMMUNE, VILLAGE, D, history, only

ESTABLISH = EstablishTeam(
    team_id="t",
    unit=COMMUNE,
    level="commune",
    established_on=D(2022, 3, 1),
    member_count=9,
    members=(TeamMember(name="Hoa\u0300ng Va\u0306n Thu\u0323", role=" Tổ trưởng "),),
)
TEAM = history(DIGITAL_TEAM, ESTABLISH)


def test_a_team_is_established_with_its_members_names_normalised() -> None:
    event = only(DIGITAL_TEAM.decide(ESTABLISH, Team()))
    assert isinstance(event, DigitalTeamEstablished)
    assert event.members == [TeamMember(name="Hoàng Văn Thụ", role="Tổ trưởng")]
    assert TEAM.status == "active"


def test_a_village_team_is_established_at_a_village() -> None:
    event = only(DIGITAL_TEAM.decide(msgspec.structs.replace(ESTABLISH, unit=VILLAGE, level="village"), Team()))
    assert isinstance(event, DigitalTeamEstablished)
    assert event.level == "village"


def test_a_commune_level_team_cannot_be_established_at_a_village() -> None:
    with pytest.raises(InvalidInputError) as caught:
        DIGITAL_TEAM.decide(msgspec.structs.replace(ESTABLISH, unit=VILLAGE), Team())
    assert caught.value.code == "team_level_mismatch"


def test_a_team_cannot_be_established_at_a_district() -> None:
    with pytest.raises(InvalidInputError) as caught:
        DIGITAL_TEAM.decide(msgspec.structs.replace(ESTABLISH, unit=DISTRICT), Team())
    assert caught.value.code == "invalid_unit_level"


def test_a_team_cannot_be_established_at_a_commune_after_it_merged() -> None:
    with pytest.raises(ConflictError):
        DIGITAL_TEAM.decide(
            msgspec.structs.replace(ESTABLISH, unit=MERGED_COMMUNE, established_on=D(2025, 7, 1)), Team()
        )


def test_more_named_members_than_the_member_count_is_refused() -> None:
    with pytest.raises(InvalidInputError) as caught:
        DIGITAL_TEAM.decide(msgspec.structs.replace(ESTABLISH, member_count=0), Team())
    assert caught.value.code == "invalid_member_count"


def test_a_member_change_without_names_keeps_the_names_recorded_before() -> None:
    event = only(DIGITAL_TEAM.decide(ChangeTeamMembers(member_count=11, effective_on=D(2023, 1, 1)), TEAM))
    assert isinstance(event, DigitalTeamMembersChanged)
    assert (event.member_count, event.members) == (11, None)


def test_a_negative_member_count_is_refused() -> None:
    with pytest.raises(InvalidInputError):
        DIGITAL_TEAM.decide(ChangeTeamMembers(member_count=-1, effective_on=D(2023, 1, 1)), TEAM)


def test_a_member_change_before_the_last_one_is_out_of_order() -> None:
    changed = history(DIGITAL_TEAM, ESTABLISH, ChangeTeamMembers(member_count=11, effective_on=D(2023, 1, 1)))
    with pytest.raises(InvalidInputError) as caught:
        DIGITAL_TEAM.decide(ChangeTeamMembers(member_count=12, effective_on=D(2022, 6, 1)), changed)
    assert caught.value.code == "date_out_of_order"


def test_activity_before_the_team_existed_is_out_of_order() -> None:
    with pytest.raises(InvalidInputError) as caught:
        DIGITAL_TEAM.decide(ReportTeamActivity(reported_on=D(2021, 1, 1), sessions=2), TEAM)
    assert caught.value.code == "date_out_of_order"


def test_a_disbanded_team_takes_no_activity() -> None:
    gone = history(DIGITAL_TEAM, ESTABLISH, DisbandTeam(effective_on=D(2024, 1, 1)))
    with pytest.raises(ConflictError) as caught:
        DIGITAL_TEAM.decide(ReportTeamActivity(reported_on=D(2024, 2, 1)), gone)
    assert caught.value.code == "team_disbanded"


def test_an_unknown_team_cannot_be_disbanded() -> None:
    with pytest.raises(NotFoundError):
        DIGITAL_TEAM.decide(DisbandTeam(effective_on=D(2024, 1, 1)), Team())
