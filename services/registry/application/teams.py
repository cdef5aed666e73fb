"""Digital team commands. "At most one active team per unit" spans streams: the command-side
lookup holds it, claimed when a team is established and released when it is disbanded. Teams
are the communes' own: no organisation's caller changes one."""

from __future__ import annotations

from contracts.api.registry import (
    ChangeTeamMembersBody,
    DisbandTeamBody,
    EstablishTeamBody,
    ReportTeamActivityBody,
    TeamMemberBody,
)
from contracts.registry_events import TeamMember
from libs.common.eventstore.commands import CommandResult, Transaction
from libs.common.eventstore.context import CommandContext
from services.registry.adapters import asset_lookup
from services.registry.application.assets import AssetCommandsBase
from services.registry.application.by_id import ById
from services.registry.application.ownership import forbid_organisations
from services.registry.application.units import unit_by_code
from services.registry.domain.teams import (
    DIGITAL_TEAM,
    ChangeTeamMembers,
    DisbandTeam,
    EstablishTeam,
    ReportTeamActivity,
    stream_id,
)

TEAM_WHAT = "a community digital team"


def _members(members: list[TeamMemberBody]) -> tuple[TeamMember, ...]:
    return tuple(TeamMember(name=m.name, role=m.role) for m in members)


class TeamCommands(AssetCommandsBase):
    async def establish(self, cmd: EstablishTeamBody, ctx: CommandContext) -> CommandResult:
        forbid_organisations(ctx, TEAM_WHAT)
        [team_id] = ctx.new_ids()

        async def work(tx: Transaction) -> str:
            unit = await unit_by_code(tx, cmd.unit_code, cmd.established_on)
            await self.ownership.units(tx, [unit.unit_id])
            command = EstablishTeam(
                team_id=team_id,
                unit=unit,
                level=cmd.level,
                established_on=cmd.established_on,
                member_count=cmd.member_count,
                members=_members(cmd.members),
            )
            await tx.decide(DIGITAL_TEAM, stream_id(team_id), command)
            await asset_lookup.claim(tx.conn, team_id, "digital_team", unit_id=unit.unit_id)
            return stream_id(team_id)

        return await self.executor.run(work, context=ctx, request=cmd, ids=[team_id])

    async def change_members(self, cmd: ById[ChangeTeamMembersBody], ctx: CommandContext) -> CommandResult:
        forbid_organisations(ctx, TEAM_WHAT)
        body = cmd.body
        command = ChangeTeamMembers(
            member_count=body.member_count,
            effective_on=body.effective_on,
            members=None if body.members is None else _members(body.members),
        )
        return await self._decide(cmd.id, cmd, ctx, command)

    async def report_activity(self, cmd: ById[ReportTeamActivityBody], ctx: CommandContext) -> CommandResult:
        forbid_organisations(ctx, TEAM_WHAT)
        body = cmd.body
        command = ReportTeamActivity(
            reported_on=body.reported_on,
            households_supported=body.households_supported,
            sessions=body.sessions,
            summary=body.summary,
        )
        return await self._decide(cmd.id, cmd, ctx, command)

    async def disband(self, cmd: ById[DisbandTeamBody], ctx: CommandContext) -> CommandResult:
        forbid_organisations(ctx, TEAM_WHAT)

        async def work(tx: Transaction) -> str:
            await self.ownership.asset(tx, "digital_team", cmd.id)
            disband = DisbandTeam(effective_on=cmd.body.effective_on, reason=cmd.body.reason)
            await tx.decide(DIGITAL_TEAM, stream_id(cmd.id), disband)
            await asset_lookup.release(tx.conn, cmd.id)
            return stream_id(cmd.id)

        return await self.executor.run(work, context=ctx, request=cmd, ids=[cmd.id])

    async def _decide(
        self, team_id: str, request: object, ctx: CommandContext, command: ChangeTeamMembers | ReportTeamActivity
    ) -> CommandResult:
        return await self.executor.execute(
            DIGITAL_TEAM,
            stream_id(team_id),
            command,
            context=ctx,
            request=request,
            ids=[team_id],
            check=self.ownership.asset_check(ctx, "digital_team", team_id),
        )
