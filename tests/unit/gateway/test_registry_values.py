"""A digital team's activity status, computed from its reports on a day
(``services/gateway/graphql/registry_values.py``), and the registry's asset types built from
their contract shapes."""

from __future__ import annotations

import datetime

import pytest

from contracts.api.registry_views import DigitalTeamView, WifiHotspotView
from contracts.registry_events import TEAM_ACTIVITY_WINDOW_DAYS, Coordinates
from services.gateway.graphql.registry_values import (
    TeamActivityStatus,
    TeamLevel,
    team_activity_status,
)
from services.gateway.graphql.types_registry_assets import WifiHotspot
from services.gateway.graphql.types_units import DigitalTeam

D = datetime.date


def team(last: D | None = None, disbanded: D | None = None) -> DigitalTeamView:
    return DigitalTeamView(
        team_id="t1",
        unit_id="u1",
        level="village",
        established_on=D(2023, 1, 1),
        member_count=5,
        members=[],
        active=disbanded is None,
        disbanded_on=disbanded,
        last_activity_on=last,
        activity_reports=0 if last is None else 1,
    )


@pytest.mark.parametrize(
    ("view", "on", "status"),
    [
        (team(), D(2024, 6, 1), TeamActivityStatus.NEVER_REPORTED),
        (team(last=D(2024, 6, 1)), D(2024, 6, 1), TeamActivityStatus.ACTIVE),
        (
            team(last=D(2024, 6, 1)),
            D(2024, 6, 1) + datetime.timedelta(TEAM_ACTIVITY_WINDOW_DAYS),
            TeamActivityStatus.ACTIVE,
        ),
        (
            team(last=D(2024, 6, 1)),
            D(2024, 6, 1) + datetime.timedelta(TEAM_ACTIVITY_WINDOW_DAYS + 1),
            TeamActivityStatus.DORMANT,
        ),
        (team(last=D(2024, 6, 1)), D(2024, 5, 31), TeamActivityStatus.NEVER_REPORTED),
        (team(last=D(2024, 6, 1), disbanded=D(2024, 7, 1)), D(2024, 7, 1), TeamActivityStatus.DISBANDED),
        (team(last=D(2024, 6, 1), disbanded=D(2024, 7, 1)), D(2024, 6, 30), TeamActivityStatus.ACTIVE),
    ],
)
def test_a_teams_activity_status_on_a_day(view: DigitalTeamView, on: D, status: TeamActivityStatus) -> None:
    assert team_activity_status(view, on) is status


def test_a_digital_team_is_built_from_its_view_with_its_level_as_the_enum() -> None:
    built = DigitalTeam.of(team(last=D(2024, 6, 1)))
    fields = vars(built)  # the contract's fields, copied in (the type checker sees the declared ones)
    assert (built.id, built.level, fields["activity_reports"]) == ("DigitalTeam:t1", TeamLevel.VILLAGE, 1)
    assert built.activity_status(as_of=D(2024, 6, 2)) is TeamActivityStatus.ACTIVE


def test_a_hotspots_location_is_the_row_own_coordinates() -> None:
    view = WifiHotspotView(
        hotspot_id="h1", unit_id="u1", operator_id=None, location=Coordinates(22.4, 105.6), installed_on=None
    )
    built = WifiHotspot.of(view)
    location = vars(built)["location"]
    assert (built.id, location.latitude, location.longitude) == ("WifiHotspot:h1", 22.4, 105.6)
