"""Digital team commands. "At most one active team per unit" spans streams: the command-side
lookup holds it, claimed when a team is established and released when it is disbanded."""

from __future__ import annotations

import datetime
from typing import Annotated

import msgspec

from contracts.envelope import Metadata
from contracts.registry_events import TeamLevel, TeamMember
from libs.common.eventstore.commands import Transaction
from libs.common.eventstore.idempotency import IdempotencyKey
from services.registry.adapters import asset_lookup
from services.registry.application.assets import AssetCommandResult, AssetCommandsBase, new_asset_id
from services.registry.application.units import unit_by_code
from services.registry.domain.teams import (
    DIGITAL_TEAM,
    ChangeTeamMembers,
    DisbandTeam,
    EstablishTeam,
    ReportTeamActivity,
    stream_id,
)

Count = Annotated[int, msgspec.Meta(ge=0, le=2**31 - 1)]
"""A head count the read model stores as a PostgreSQL integer."""


class TeamMemberInput(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    name: str
    role: str | None = None


class EstablishTeamInput(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    unit_code: str
    """A commune or a village, resolved on ``established_on``."""
    level: TeamLevel
    established_on: datetime.date
    member_count: Count
    members: list[TeamMemberInput] = msgspec.field(default_factory=list)


class ChangeTeamMembersInput(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    member_count: Count
    effective_on: datetime.date
    members: list[TeamMemberInput] | None = None


class ReportTeamActivityInput(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    reported_on: datetime.date
    households_supported: Count = 0
    sessions: Count = 0
    summary: str | None = None


class DisbandTeamInput(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    effective_on: datetime.date
    reason: str | None = None


def _members(members: list[TeamMemberInput]) -> tuple[TeamMember, ...]:
    return tuple(TeamMember(name=m.name, role=m.role) for m in members)


class TeamCommands(AssetCommandsBase):
    async def establish(
        self, data: EstablishTeamInput, *, metadata: Metadata | None = None, idempotency: IdempotencyKey | None = None
    ) -> AssetCommandResult:
        team_id = new_asset_id()

        async def work(tx: Transaction) -> str:
            unit = await unit_by_code(tx, data.unit_code, data.established_on)
            command = EstablishTeam(
                team_id=team_id,
                unit=unit,
                level=data.level,
                established_on=data.established_on,
                member_count=data.member_count,
                members=_members(data.members),
            )
            await tx.decide(DIGITAL_TEAM, stream_id(team_id), command)
            await asset_lookup.claim(tx.conn, team_id, "digital_team", unit_id=unit.unit_id)
            return stream_id(team_id)

        return await self._run(work, metadata, idempotency)

    async def change_members(
        self,
        team_id: str,
        data: ChangeTeamMembersInput,
        *,
        metadata: Metadata | None = None,
        idempotency: IdempotencyKey | None = None,
    ) -> AssetCommandResult:
        command = ChangeTeamMembers(
            member_count=data.member_count,
            effective_on=data.effective_on,
            members=None if data.members is None else _members(data.members),
        )
        return await self._decide(DIGITAL_TEAM, stream_id(team_id), command, metadata, idempotency)

    async def report_activity(
        self,
        team_id: str,
        data: ReportTeamActivityInput,
        *,
        metadata: Metadata | None = None,
        idempotency: IdempotencyKey | None = None,
    ) -> AssetCommandResult:
        command = ReportTeamActivity(
            reported_on=data.reported_on,
            households_supported=data.households_supported,
            sessions=data.sessions,
            summary=data.summary,
        )
        return await self._decide(DIGITAL_TEAM, stream_id(team_id), command, metadata, idempotency)

    async def disband(
        self,
        team_id: str,
        data: DisbandTeamInput,
        *,
        metadata: Metadata | None = None,
        idempotency: IdempotencyKey | None = None,
    ) -> AssetCommandResult:
        async def work(tx: Transaction) -> str:
            await tx.decide(
                DIGITAL_TEAM, stream_id(team_id), DisbandTeam(effective_on=data.effective_on, reason=data.reason)
            )
            await asset_lookup.release(tx.conn, team_id)
            return stream_id(team_id)

        return await self._run(work, metadata, idempotency)
