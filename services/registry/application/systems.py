"""Information system commands: register, approve a security level, change the data-centre
hosting. All are the province's own acts: a caller bound to an organisation or a unit makes
none of them."""

from __future__ import annotations

from contracts.api.registry import (
    ApproveSecurityLevelBody,
    ChangeDataCentreHostingBody,
    RegisterInformationSystemBody,
)
from libs.common.eventstore.commands import CommandResult
from libs.common.eventstore.context import CommandContext
from services.registry.application.assets import AssetCommandsBase
from services.registry.application.by_id import ById
from services.registry.application.ownership import require_unrestricted
from services.registry.domain.systems import (
    INFORMATION_SYSTEM,
    ApproveSecurityLevel,
    ChangeDataCentreHosting,
    RegisterInformationSystem,
    stream_id,
)


class SystemCommands(AssetCommandsBase):
    async def register(self, cmd: RegisterInformationSystemBody, ctx: CommandContext) -> CommandResult:
        require_unrestricted(ctx, "registering an information system")
        [system_id] = ctx.new_ids()
        command = RegisterInformationSystem(
            system_id=system_id,
            name=cmd.name,
            owner_agency=cmd.owner_agency,
            hosted_in_data_centre=cmd.hosted_in_data_centre,
        )
        return await self.executor.execute(
            INFORMATION_SYSTEM, stream_id(system_id), command, context=ctx, request=cmd, ids=[system_id]
        )

    async def approve_security_level(self, cmd: ById[ApproveSecurityLevelBody], ctx: CommandContext) -> CommandResult:
        require_unrestricted(ctx, "approving a security level")
        body = cmd.body
        command = ApproveSecurityLevel(level=body.level, approved_on=body.approved_on, decision=body.decision)
        return await self.executor.execute(
            INFORMATION_SYSTEM, stream_id(cmd.id), command, context=ctx, request=cmd, ids=[cmd.id]
        )

    async def change_hosting(self, cmd: ById[ChangeDataCentreHostingBody], ctx: CommandContext) -> CommandResult:
        require_unrestricted(ctx, "changing a system's data-centre hosting")
        body = cmd.body
        command = ChangeDataCentreHosting(
            hosted_in_data_centre=body.hosted_in_data_centre, effective_on=body.effective_on
        )
        return await self.executor.execute(
            INFORMATION_SYSTEM, stream_id(cmd.id), command, context=ctx, request=cmd, ids=[cmd.id]
        )
