"""Base station and fibre commands: operators and units named by code."""

from __future__ import annotations

import msgspec

from contracts.api.registry import (
    ChangeBtsTechnologiesBody,
    CommissionBtsBody,
    ConnectVillageFibreBody,
    DecommissionBtsBody,
)
from libs.common.eventstore.commands import CommandResult, Transaction
from libs.common.eventstore.context import CommandContext
from services.registry.application.assets import (
    AssetCommandsBase,
    asset_id_of,
    coordinates,
    organisation_by_code,
    province_today,
)
from services.registry.application.by_id import ById
from services.registry.application.ownership import operator_for_new_asset
from services.registry.application.units import unit_by_code
from services.registry.domain.telecom import (
    BTS_STATION,
    VILLAGE_FIBRE,
    ChangeBtsTechnologies,
    CommissionBts,
    ConnectFibre,
    DecommissionBts,
    bts_stream,
    fibre_stream,
)


class TelecomCommands(AssetCommandsBase):
    async def commission_bts(self, cmd: CommissionBtsBody, ctx: CommandContext) -> CommandResult:
        operator_for_new_asset(ctx, cmd.operator_code)
        [bts_id] = ctx.new_ids()

        async def work(tx: Transaction) -> str:
            as_of = cmd.commissioned_on or province_today()
            unit = await unit_by_code(tx, cmd.unit_code, as_of)
            await self.ownership.units(tx, [unit.unit_id])
            command = CommissionBts(
                bts_id=bts_id,
                operator=await organisation_by_code(tx, cmd.operator_code),
                unit=unit,
                technologies=tuple(cmd.technologies),
                as_of=as_of,
                location=coordinates(cmd.latitude, cmd.longitude),
                commissioned_on=cmd.commissioned_on,
            )
            await tx.decide(BTS_STATION, bts_stream(bts_id), command)
            return bts_stream(bts_id)

        return await self.executor.run(work, context=ctx, request=cmd, ids=[bts_id])

    async def change_bts_technologies(self, cmd: ById[ChangeBtsTechnologiesBody], ctx: CommandContext) -> CommandResult:
        command = ChangeBtsTechnologies(technologies=tuple(cmd.body.technologies), effective_on=cmd.body.effective_on)
        return await self._decide(cmd.id, cmd, ctx, command)

    async def decommission_bts(self, cmd: ById[DecommissionBtsBody], ctx: CommandContext) -> CommandResult:
        return await self._decide(cmd.id, cmd, ctx, DecommissionBts(effective_on=cmd.body.effective_on))

    async def connect_fibre(self, cmd: ConnectVillageFibreBody, ctx: CommandContext) -> CommandResult:
        operator_for_new_asset(ctx, cmd.operator_code)

        async def work(tx: Transaction) -> str:
            village = await unit_by_code(tx, cmd.village_code, cmd.connected_on)
            await self.ownership.units(tx, [village.unit_id])
            operator = await organisation_by_code(tx, cmd.operator_code)
            command = ConnectFibre(village=village, operator=operator, connected_on=cmd.connected_on)
            await tx.decide(VILLAGE_FIBRE, fibre_stream(village.unit_id), command)
            return fibre_stream(village.unit_id)

        # The village is the fibre's stream: which one, the transaction resolves.
        result = await self.executor.run(work, context=ctx, request=cmd)
        return result if result.ids else msgspec.structs.replace(result, ids=[asset_id_of(result.stream_id)])

    async def _decide(
        self, bts_id: str, request: object, ctx: CommandContext, command: ChangeBtsTechnologies | DecommissionBts
    ) -> CommandResult:
        return await self.executor.execute(
            BTS_STATION,
            bts_stream(bts_id),
            command,
            context=ctx,
            request=request,
            ids=[bts_id],
            check=self.ownership.asset_check(ctx, "bts_station", bts_id),
        )
