"""What every asset command handler shares: the province's "today", organisations by code,
the ownership rules, and assigning an operator to any kind of asset.

Handlers take the command bodies of ``contracts.api.registry`` as they are: they name units and
organisations by code, as partners do. A new asset's id is a UUIDv7 from the context, named
first in the result.
"""

from __future__ import annotations

import datetime
from typing import Any

from contracts.api.registry import AssignOperatorBody
from contracts.province import PROVINCE_TZ
from contracts.registry_events import AssetKind, Coordinates
from libs.common.errors import InvalidInputError, NotFoundError
from libs.common.eventstore.commands import CommandExecutor, CommandResult, Decider, Transaction
from libs.common.eventstore.context import CommandContext
from services.registry.adapters import asset_lookup
from services.registry.application.ownership import Ownership, operator_for_new_asset
from services.registry.domain import facilities, organisations, radio_stations, speaker_clusters, systems, telecom
from services.registry.domain.assets import AssignOperator
from services.registry.domain.organisations import ORGANISATION, Organisation


def province_today() -> datetime.date:
    return datetime.datetime.now(PROVINCE_TZ).date()


def coordinates(latitude: float | None, longitude: float | None) -> Coordinates | None:
    """Both or neither: half a position is refused."""
    if latitude is None and longitude is None:
        return None
    if latitude is None or longitude is None:
        raise InvalidInputError("give both latitude and longitude, or neither", code="invalid_coordinates")
    return Coordinates(latitude=latitude, longitude=longitude)


async def organisation_by_code(tx: Transaction, code: str) -> Organisation:
    organisation_id = await asset_lookup.organisation_id_for_code(tx.conn, organisations.normalise_code(code))
    if organisation_id is None:
        raise NotFoundError(f"no organisation with code {code}", code="unknown_organisation", details={"code": code})
    organisation, _ = await tx.load(ORGANISATION, organisations.stream_id(organisation_id))
    return organisation


async def optional_organisation(tx: Transaction, code: str | None) -> Organisation | None:
    return None if code is None else await organisation_by_code(tx, code)


def asset_id_of(stream_id: str) -> str:
    """Asset streams are named ``<kind>-<id>`` (kinds use underscores, ids may hold dashes)."""
    return stream_id.split("-", 1)[1]


class AssetCommandsBase:
    def __init__(self, executor: CommandExecutor, ownership: Ownership) -> None:
        self.executor = executor
        self.ownership = ownership


# --- operator assignment, for every kind of asset ------------------------------------------

DECIDERS: dict[AssetKind, tuple[Decider[Any, Any], Any]] = {
    "radio_station": (radio_stations.RADIO_STATION, radio_stations.station_stream),
    "speaker_cluster": (speaker_clusters.SPEAKER_CLUSTER, speaker_clusters.cluster_stream),
    "bts_station": (telecom.BTS_STATION, telecom.bts_stream),
    "postal_point": (facilities.POSTAL_POINT, facilities.postal_stream),
    "video_endpoint": (facilities.VIDEO_ENDPOINT, facilities.video_stream),
    "wifi_hotspot": (facilities.WIFI_HOTSPOT, facilities.hotspot_stream),
    "information_system": (systems.INFORMATION_SYSTEM, systems.stream_id),
}


class OperatorCommands(AssetCommandsBase):
    async def assign(self, cmd: AssignOperatorBody, ctx: CommandContext) -> CommandResult:
        operator_for_new_asset(ctx, cmd.organisation_code)
        decider, stream_of = DECIDERS[cmd.asset_kind]
        stream_id: str = stream_of(cmd.asset_id)

        async def work(tx: Transaction) -> str:
            await self.ownership.asset(tx, cmd.asset_kind, cmd.asset_id)
            organisation = await organisation_by_code(tx, cmd.organisation_code)
            await tx.decide(
                decider, stream_id, AssignOperator(organisation=organisation, effective_on=cmd.effective_on)
            )
            return stream_id

        return await self.executor.run(work, context=ctx, request=cmd, ids=[cmd.asset_id])
