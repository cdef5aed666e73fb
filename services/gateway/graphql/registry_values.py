"""What the registry's GraphQL types share beyond the contract's scalars: coordinates, a digital
team's level, and its activity status, computed from its reports (the rule is here, once, for
GraphQL and REST alike)."""

from __future__ import annotations

import datetime
import enum

import strawberry

from contracts.api.registry_views import DigitalTeamView
from contracts.registry_events import TEAM_ACTIVITY_WINDOW_DAYS, Coordinates
from services.gateway.graphql.contract_types import FromContract, contract_type


@contract_type(Coordinates, fields=("latitude", "longitude"), description="A point, in WGS 84 degrees.")
class Location(FromContract[Coordinates]):
    pass


@strawberry.enum(description="Where a digital team works.")
class TeamLevel(enum.Enum):
    COMMUNE = "commune"
    VILLAGE = "village"


@strawberry.enum(description="A digital team's activity, from its reports.")
class TeamActivityStatus(enum.Enum):
    ACTIVE = "ACTIVE"
    DORMANT = "DORMANT"
    NEVER_REPORTED = "NEVER_REPORTED"
    DISBANDED = "DISBANDED"


def team_activity_status(team: DigitalTeamView, on: datetime.date) -> TeamActivityStatus:
    """The team on ``on``: disbanded by then, else active when it reported within
    :data:`TEAM_ACTIVITY_WINDOW_DAYS` before (a report after ``on`` does not count), else dormant, or
    never reported. The read model keeps the latest report only, so asked about a day before
    it, a team with earlier reports reads NEVER_REPORTED."""
    if team.disbanded_on is not None and team.disbanded_on <= on:
        return TeamActivityStatus.DISBANDED
    last = team.last_activity_on
    if last is None or last > on:
        return TeamActivityStatus.NEVER_REPORTED
    if (on - last).days <= TEAM_ACTIVITY_WINDOW_DAYS:
        return TeamActivityStatus.ACTIVE
    return TeamActivityStatus.DORMANT
