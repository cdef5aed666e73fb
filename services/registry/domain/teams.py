"""Community digital technology teams (Tổ công nghệ số cộng đồng) at a commune or a village.

A team's level is its unit's level. At most one team per unit is active at a time; that rule
spans streams, so the application layer enforces it through the command-side lookup. A team
on paper only shows up as one without reported activity.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Literal

import msgspec

from contracts.base import Event
from contracts.registry_events import (
    DigitalTeamActivityReported,
    DigitalTeamDisbanded,
    DigitalTeamEstablished,
    DigitalTeamMembersChanged,
    TeamLevel,
    TeamMember,
)
from libs.common.errors import ConflictError, InvalidInputError, NotFoundError
from libs.common.eventstore.decider import Decider
from libs.common.text import clean_name, clean_text
from services.registry.domain.assets import latest, require_order, require_unit
from services.registry.domain.units import Unit

TEAM_LEVELS: tuple[TeamLevel, ...] = ("commune", "village")


class Team(msgspec.Struct, frozen=True, kw_only=True):
    team_id: str = ""
    status: Literal["absent", "active", "disbanded"] = "absent"
    unit_id: str = ""
    level: TeamLevel = "commune"
    established_on: datetime.date = datetime.date.min
    member_count: int = 0
    members_changed_on: datetime.date | None = None
    disbanded_on: datetime.date | None = None


def stream_id(team_id: str) -> str:
    return f"digital_team-{team_id}"


class EstablishTeam(msgspec.Struct, frozen=True, kw_only=True):
    team_id: str
    unit: Unit
    level: TeamLevel
    established_on: datetime.date
    member_count: int
    members: tuple[TeamMember, ...] = ()


class ChangeTeamMembers(msgspec.Struct, frozen=True, kw_only=True):
    member_count: int
    effective_on: datetime.date
    members: tuple[TeamMember, ...] | None = None
    """Named members are optional; ``None`` keeps whatever names were recorded before."""


class ReportTeamActivity(msgspec.Struct, frozen=True, kw_only=True):
    reported_on: datetime.date
    households_supported: int = 0
    sessions: int = 0
    summary: str | None = None


class DisbandTeam(msgspec.Struct, frozen=True, kw_only=True):
    effective_on: datetime.date
    reason: str | None = None


TeamCommand = EstablishTeam | ChangeTeamMembers | ReportTeamActivity | DisbandTeam


def _members(count: int, members: Sequence[TeamMember]) -> list[TeamMember]:
    if count < 0:
        raise InvalidInputError("a team cannot have fewer than zero members", code="invalid_member_count")
    if len(members) > count:
        raise InvalidInputError(
            f"{len(members)} named members but a member count of {count}", code="invalid_member_count"
        )
    return [
        TeamMember(name=clean_name(m.name, field="member name"), role=clean_text(m.role, field="role", max_length=200))
        for m in members
    ]


def _require_active(team: Team) -> None:
    if team.status == "absent":
        raise NotFoundError("no such digital team", code="unknown_digital_team")
    if team.status == "disbanded":
        raise ConflictError("the digital team is disbanded", code="team_disbanded")


def decide(command: TeamCommand, team: Team) -> Sequence[Event]:
    match command:
        case EstablishTeam():
            if team.status != "absent":
                raise ConflictError("the digital team is already established", code="duplicate_digital_team")
            unit = require_unit(command.unit, TEAM_LEVELS, command.established_on, what="digital team")
            if command.level != unit.level:
                raise InvalidInputError(
                    f"a {command.level}-level team cannot be established at a {unit.level} ({unit.code})",
                    code="team_level_mismatch",
                )
            return [
                DigitalTeamEstablished(
                    team_id=command.team_id,
                    unit_id=unit.unit_id,
                    level=command.level,
                    established_on=command.established_on,
                    member_count=command.member_count,
                    members=_members(command.member_count, command.members),
                )
            ]
        case ChangeTeamMembers():
            _require_active(team)
            require_order(
                latest(team.established_on, team.members_changed_on), command.effective_on, what="the member change"
            )
            named = _members(command.member_count, command.members or ())
            members = None if command.members is None else named
            return [
                DigitalTeamMembersChanged(
                    team_id=team.team_id,
                    member_count=command.member_count,
                    members=members,
                    effective_on=command.effective_on,
                )
            ]
        case ReportTeamActivity():
            _require_active(team)
            require_order(team.established_on, command.reported_on, what="the activity report")
            if command.households_supported < 0 or command.sessions < 0:
                raise InvalidInputError("activity counts cannot be negative", code="invalid_activity")
            return [
                DigitalTeamActivityReported(
                    team_id=team.team_id,
                    reported_on=command.reported_on,
                    households_supported=command.households_supported,
                    sessions=command.sessions,
                    summary=clean_text(command.summary, field="summary"),
                )
            ]
        case DisbandTeam():
            _require_active(team)
            require_order(
                latest(team.established_on, team.members_changed_on), command.effective_on, what="the disbanding"
            )
            return [
                DigitalTeamDisbanded(
                    team_id=team.team_id,
                    effective_on=command.effective_on,
                    reason=clean_text(command.reason, field="reason"),
                )
            ]


def evolve(team: Team, event: Event) -> Team:
    match event:
        case DigitalTeamEstablished():
            return Team(
                team_id=event.team_id,
                status="active",
                unit_id=event.unit_id,
                level=event.level,
                established_on=event.established_on,
                member_count=event.member_count,
            )
        case DigitalTeamMembersChanged():
            return msgspec.structs.replace(team, member_count=event.member_count, members_changed_on=event.effective_on)
        case DigitalTeamDisbanded():
            return msgspec.structs.replace(team, status="disbanded", disbanded_on=event.effective_on)
    return team


DIGITAL_TEAM: Decider[TeamCommand, Team] = Decider(
    stream_type="digital_team", initial=Team, evolve=evolve, decide=decide
)
