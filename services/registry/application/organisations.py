"""Organisation commands: register one under a code unique among organisations. Registering an
organisation is the province's act: not for a caller bound to an organisation or a unit."""

from __future__ import annotations

from contracts.api.registry import RegisterOrganisationBody
from libs.common.eventstore.commands import CommandResult, Transaction
from libs.common.eventstore.context import CommandContext
from services.registry.adapters import asset_lookup
from services.registry.application.assets import AssetCommandsBase, province_today
from services.registry.application.ownership import require_unrestricted
from services.registry.application.units import unit_by_code
from services.registry.domain.organisations import ORGANISATION, RegisterOrganisation, normalise_code, stream_id


class OrganisationCommands(AssetCommandsBase):
    async def register(self, cmd: RegisterOrganisationBody, ctx: CommandContext) -> CommandResult:
        require_unrestricted(ctx, "registering an organisation")
        [organisation_id] = ctx.new_ids()

        async def work(tx: Transaction) -> str:
            unit = None
            if cmd.unit_code is not None:
                unit = await unit_by_code(tx, cmd.unit_code, cmd.as_of or province_today())
            command = RegisterOrganisation(
                organisation_id=organisation_id, code=cmd.code, name=cmd.name, kind=cmd.kind, unit=unit
            )
            await tx.decide(ORGANISATION, stream_id(organisation_id), command)
            await asset_lookup.claim(tx.conn, organisation_id, "organisation", code=normalise_code(cmd.code))
            return stream_id(organisation_id)

        return await self.executor.run(work, context=ctx, request=cmd, ids=[organisation_id])
