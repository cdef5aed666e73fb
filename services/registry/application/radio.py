"""Radio station and loudspeaker cluster commands. "One station per commune" spans streams:
the command-side lookup holds it, claimed on registration and released when the station is
decommissioned (a commune may then get a new one)."""

from __future__ import annotations

import msgspec

from contracts.api.registry import (
    ChangeRadioStationStatusBody,
    DecommissionSpeakerClusterBody,
    RegisterRadioStationBody,
    RegisterSpeakerClusterBody,
    UpgradeRadioStationBody,
)
from libs.common.eventstore.commands import CommandResult, Transaction
from libs.common.eventstore.context import CommandContext
from services.registry.adapters import asset_lookup
from services.registry.application.assets import (
    AssetCommandsBase,
    coordinates,
    optional_organisation,
    province_today,
)
from services.registry.application.by_id import ById
from services.registry.application.ownership import operator_for_new_asset
from services.registry.application.units import unit_by_code
from services.registry.domain.radio_stations import (
    RADIO_STATION,
    ChangeStationStatus,
    RegisterStation,
    UpgradeStation,
    station_stream,
)
from services.registry.domain.speaker_clusters import (
    SPEAKER_CLUSTER,
    DecommissionCluster,
    RegisterCluster,
    cluster_stream,
)


class RadioCommands(AssetCommandsBase):
    async def register_station(self, cmd: RegisterRadioStationBody, ctx: CommandContext) -> CommandResult:
        data = msgspec.structs.replace(cmd, operator_code=operator_for_new_asset(ctx, cmd.operator_code))
        [station_id] = ctx.new_ids()

        async def work(tx: Transaction) -> str:
            as_of = data.installed_on or province_today()
            unit = await unit_by_code(tx, data.unit_code, as_of)
            await self.ownership.units(tx, [unit.unit_id])
            command = RegisterStation(
                station_id=station_id,
                unit=unit,
                technology=data.technology,
                as_of=as_of,
                installed_on=data.installed_on,
                funding_source=data.funding_source,
                operator=await optional_organisation(tx, data.operator_code),
            )
            await tx.decide(RADIO_STATION, station_stream(station_id), command)
            await asset_lookup.claim(tx.conn, station_id, "radio_station", unit_id=unit.unit_id)
            return station_stream(station_id)

        return await self.executor.run(work, context=ctx, request=cmd, ids=[station_id])

    async def upgrade_station(self, cmd: ById[UpgradeRadioStationBody], ctx: CommandContext) -> CommandResult:
        body = cmd.body
        command = UpgradeStation(
            technology=body.technology, upgraded_on=body.upgraded_on, funding_source=body.funding_source
        )
        return await self.executor.execute(
            RADIO_STATION,
            station_stream(cmd.id),
            command,
            context=ctx,
            request=cmd,
            ids=[cmd.id],
            check=self.ownership.asset_check(ctx, "radio_station", cmd.id),
        )

    async def change_station_status(
        self, cmd: ById[ChangeRadioStationStatusBody], ctx: CommandContext
    ) -> CommandResult:
        body = cmd.body

        async def work(tx: Transaction) -> str:
            await self.ownership.asset(tx, "radio_station", cmd.id)
            command = ChangeStationStatus(status=body.status, effective_on=body.effective_on, reason=body.reason)
            await tx.decide(RADIO_STATION, station_stream(cmd.id), command)
            if body.status == "DECOMMISSIONED":
                await asset_lookup.release(tx.conn, cmd.id)
            return station_stream(cmd.id)

        return await self.executor.run(work, context=ctx, request=cmd, ids=[cmd.id])

    async def register_cluster(self, cmd: RegisterSpeakerClusterBody, ctx: CommandContext) -> CommandResult:
        [cluster_id] = ctx.new_ids()

        async def work(tx: Transaction) -> str:
            await self.ownership.asset(tx, "radio_station", cmd.station_id)
            as_of = cmd.installed_on or province_today()
            station, _ = await tx.load(RADIO_STATION, station_stream(cmd.station_id))
            village = None
            if cmd.village_code is not None:
                village = await unit_by_code(tx, cmd.village_code, as_of)
                await self.ownership.units(tx, [village.unit_id])
            command = RegisterCluster(
                cluster_id=cluster_id,
                station=station,
                village=village,
                as_of=as_of,
                location=coordinates(cmd.latitude, cmd.longitude),
                installed_on=cmd.installed_on,
            )
            await tx.decide(SPEAKER_CLUSTER, cluster_stream(cluster_id), command)
            return cluster_stream(cluster_id)

        return await self.executor.run(work, context=ctx, request=cmd, ids=[cluster_id])

    async def decommission_cluster(
        self, cmd: ById[DecommissionSpeakerClusterBody], ctx: CommandContext
    ) -> CommandResult:
        command = DecommissionCluster(effective_on=cmd.body.effective_on, reason=cmd.body.reason)
        return await self.executor.execute(
            SPEAKER_CLUSTER,
            cluster_stream(cmd.id),
            command,
            context=ctx,
            request=cmd,
            ids=[cmd.id],
            check=self.ownership.asset_check(ctx, "speaker_cluster", cmd.id),
        )
