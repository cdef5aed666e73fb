"""Bulk-import kinds for the registry's network assets: base stations, village fibre, digital
teams, postal points, video-conference endpoints and Wi-Fi hotspots. Each imports its route's
own body (``contracts.api.registry``); the re-import rules are :mod:`asset_import`'s.
"""

from __future__ import annotations

from functools import partial

from contracts.api.registry import (
    CommissionBtsBody,
    ConnectVillageFibreBody,
    EstablishTeamBody,
    OpenPostalPointBody,
    RegisterVideoEndpointBody,
    RegisterWifiHotspotBody,
)
from libs.common.errors import ConflictError
from services.registry.application import asset_matching
from services.registry.application.asset_import import org_ref
from services.registry.application.import_kinds import ImportContext, ImportKind, Keys, Outcome
from services.registry.application.reimport import import_or_match, outcome_of


async def commission_bts(ctx: ImportContext, item: CommissionBtsBody) -> Outcome:
    done = await ctx.handlers.telecom.commission_bts(item, ctx.command)
    return outcome_of(done, item.unit_code)


async def connect_village_fibre(ctx: ImportContext, item: ConnectVillageFibreBody) -> Outcome:
    try:
        done = await ctx.handlers.telecom.connect_fibre(item, ctx.command)
    except ConflictError as exc:
        if ctx.keyed or exc.code != "fibre_already_connected":
            raise
        village_id = await asset_matching.fibre_connected_as(
            ctx.executor,
            village_code=item.village_code,
            operator_code=item.operator_code,
            connected_on=item.connected_on,
        )
        if village_id is None:
            raise
        return Outcome(unit_id=village_id, code=item.village_code.strip(), already_done=True)
    return outcome_of(done, item.village_code)


async def establish_digital_team(ctx: ImportContext, item: EstablishTeamBody) -> Outcome:
    return await import_or_match(
        ctx,
        lambda: ctx.handlers.teams.establish(item, ctx.command),
        "team_exists",
        partial(
            asset_matching.team_established_as,
            ctx.executor,
            unit_code=item.unit_code,
            level=item.level,
            established_on=item.established_on,
            member_count=item.member_count,
        ),
        item.unit_code,
    )


async def open_postal_point(ctx: ImportContext, item: OpenPostalPointBody) -> Outcome:
    done = await ctx.handlers.facilities.open_postal_point(item, ctx.command)
    return outcome_of(done, item.unit_code)


async def register_video_endpoint(ctx: ImportContext, item: RegisterVideoEndpointBody) -> Outcome:
    done = await ctx.handlers.facilities.register_video_endpoint(item, ctx.command)
    return outcome_of(done, item.unit_code)


async def register_wifi_hotspot(ctx: ImportContext, item: RegisterWifiHotspotBody) -> Outcome:
    done = await ctx.handlers.facilities.register_wifi_hotspot(item, ctx.command)
    return outcome_of(done, item.unit_code)


COMMISSION_BTS_STATION = ImportKind(
    CommissionBtsBody,
    commission_bts,
    lambda b: Keys.of(reads=[b.unit_code, org_ref(b.operator_code)]),
)
CONNECT_VILLAGE_FIBRE = ImportKind(
    ConnectVillageFibreBody,
    connect_village_fibre,
    lambda b: Keys.of(
        reads=[b.village_code, org_ref(b.operator_code)], writes=["village_fibre:" + b.village_code.strip()]
    ),
)
ESTABLISH_DIGITAL_TEAM = ImportKind(
    EstablishTeamBody,
    establish_digital_team,
    lambda b: Keys.of(reads=[b.unit_code], writes=["digital_team:" + b.unit_code.strip()]),
)
OPEN_POSTAL_POINT = ImportKind(
    OpenPostalPointBody,
    open_postal_point,
    lambda b: Keys.of(reads=[b.unit_code, org_ref(b.operator_code)]),
)
REGISTER_VIDEO_ENDPOINT = ImportKind(
    RegisterVideoEndpointBody, register_video_endpoint, lambda b: Keys.of(reads=[b.unit_code])
)
REGISTER_WIFI_HOTSPOT = ImportKind(
    RegisterWifiHotspotBody,
    register_wifi_hotspot,
    lambda b: Keys.of(reads=[b.unit_code, org_ref(b.operator_code)]),
)
