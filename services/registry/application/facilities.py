"""Postal point, video-conference endpoint and Wi-Fi hotspot commands."""

from __future__ import annotations

from contracts.api.registry import (
    ClosePostalPointBody,
    OpenPostalPointBody,
    RegisterVideoEndpointBody,
    RegisterWifiHotspotBody,
)
from libs.common.eventstore.commands import CommandResult, Transaction
from libs.common.eventstore.context import CommandContext
from services.registry.application.assets import (
    AssetCommandsBase,
    coordinates,
    optional_organisation,
    province_today,
)
from services.registry.application.by_id import ById
from services.registry.application.ownership import forbid_organisations, operator_for_new_asset
from services.registry.application.units import unit_by_code
from services.registry.domain.facilities import (
    POSTAL_POINT,
    VIDEO_ENDPOINT,
    WIFI_HOTSPOT,
    ClosePostalPoint,
    OpenPostalPoint,
    RegisterVideoEndpoint,
    RegisterWifiHotspot,
    hotspot_stream,
    postal_stream,
    video_stream,
)


class FacilityCommands(AssetCommandsBase):
    async def open_postal_point(self, cmd: OpenPostalPointBody, ctx: CommandContext) -> CommandResult:
        operator_code = operator_for_new_asset(ctx, cmd.operator_code)
        [point_id] = ctx.new_ids()

        async def work(tx: Transaction) -> str:
            as_of = cmd.opened_on or province_today()
            unit = await unit_by_code(tx, cmd.unit_code, as_of)
            await self.ownership.units(tx, [unit.unit_id])
            command = OpenPostalPoint(
                point_id=point_id,
                unit=unit,
                name=cmd.name,
                as_of=as_of,
                operator=await optional_organisation(tx, operator_code),
                opened_on=cmd.opened_on,
            )
            await tx.decide(POSTAL_POINT, postal_stream(point_id), command)
            return postal_stream(point_id)

        return await self.executor.run(work, context=ctx, request=cmd, ids=[point_id])

    async def close_postal_point(self, cmd: ById[ClosePostalPointBody], ctx: CommandContext) -> CommandResult:
        return await self.executor.execute(
            POSTAL_POINT,
            postal_stream(cmd.id),
            ClosePostalPoint(effective_on=cmd.body.effective_on),
            context=ctx,
            request=cmd,
            ids=[cmd.id],
            check=self.ownership.asset_check(ctx, "postal_point", cmd.id),
        )

    async def register_video_endpoint(self, cmd: RegisterVideoEndpointBody, ctx: CommandContext) -> CommandResult:
        forbid_organisations(ctx, "a video-conference endpoint (registered without an operator)")
        [endpoint_id] = ctx.new_ids()

        async def work(tx: Transaction) -> str:
            as_of = cmd.installed_on or province_today()
            unit = await unit_by_code(tx, cmd.unit_code, as_of)
            await self.ownership.units(tx, [unit.unit_id])
            command = RegisterVideoEndpoint(
                endpoint_id=endpoint_id, unit=unit, as_of=as_of, installed_on=cmd.installed_on
            )
            await tx.decide(VIDEO_ENDPOINT, video_stream(endpoint_id), command)
            return video_stream(endpoint_id)

        return await self.executor.run(work, context=ctx, request=cmd, ids=[endpoint_id])

    async def register_wifi_hotspot(self, cmd: RegisterWifiHotspotBody, ctx: CommandContext) -> CommandResult:
        operator_code = operator_for_new_asset(ctx, cmd.operator_code)
        [hotspot_id] = ctx.new_ids()

        async def work(tx: Transaction) -> str:
            as_of = cmd.installed_on or province_today()
            unit = await unit_by_code(tx, cmd.unit_code, as_of)
            await self.ownership.units(tx, [unit.unit_id])
            command = RegisterWifiHotspot(
                hotspot_id=hotspot_id,
                unit=unit,
                as_of=as_of,
                operator=await optional_organisation(tx, operator_code),
                location=coordinates(cmd.latitude, cmd.longitude),
                installed_on=cmd.installed_on,
            )
            await tx.decide(WIFI_HOTSPOT, hotspot_stream(hotspot_id), command)
            return hotspot_stream(hotspot_id)

        return await self.executor.run(work, context=ctx, request=cmd, ids=[hotspot_id])
