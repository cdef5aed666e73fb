"""What every asset command handler shares: new ids, the province's "today", organisations by
code, running work in one transaction, and assigning an operator to any kind of asset.

Inputs are msgspec Structs that the HTTP entrypoint takes as request bodies as they are
(unknown fields refused): they name units and organisations by code, as partners do.
"""

from __future__ import annotations

import datetime
from typing import Any

import msgspec
import uuid_utils.compat

from contracts.envelope import Metadata
from contracts.province import PROVINCE_TZ
from contracts.registry_events import AssetKind, Coordinates
from libs.common.errors import InvalidInputError, NotFoundError
from libs.common.eventstore.commands import CommandExecutor, CommandResult, Decider, Transaction, Work
from libs.common.eventstore.idempotency import IdempotencyKey
from services.registry.adapters import asset_lookup
from services.registry.domain import facilities, organisations, radio, systems, telecom
from services.registry.domain.assets import AssignOperator
from services.registry.domain.organisations import ORGANISATION, Organisation


def province_today() -> datetime.date:
    return datetime.datetime.now(PROVINCE_TZ).date()


def new_asset_id() -> str:
    return str(uuid_utils.compat.uuid7())


def coordinates(latitude: float | None, longitude: float | None) -> Coordinates | None:
    """Both or neither: half a position is refused."""
    if latitude is None and longitude is None:
        return None
    if latitude is None or longitude is None:
        raise InvalidInputError("give both latitude and longitude, or neither", code="invalid_coordinates")
    return Coordinates(latitude=latitude, longitude=longitude)


class AssetCommandResult(msgspec.Struct, frozen=True, kw_only=True):
    asset_id: str
    result: CommandResult


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
    def __init__(self, executor: CommandExecutor) -> None:
        self.executor = executor

    async def _run(
        self, work: Work, metadata: Metadata | None, idempotency: IdempotencyKey | None
    ) -> AssetCommandResult:
        """Run multi-stream work; a replayed result names the first request's stream, hence its id."""
        result = await self.executor.run(work, metadata=metadata, idempotency=idempotency)
        return AssetCommandResult(asset_id=asset_id_of(result.stream_id), result=result)

    async def _decide(
        self,
        decider: Decider[Any, Any],
        stream_id: str,
        command: object,
        metadata: Metadata | None,
        idempotency: IdempotencyKey | None,
    ) -> AssetCommandResult:
        result = await self.executor.execute(decider, stream_id, command, metadata=metadata, idempotency=idempotency)
        return AssetCommandResult(asset_id=asset_id_of(result.stream_id), result=result)


# --- operator assignment, for every kind of asset ------------------------------------------

DECIDERS: dict[AssetKind, tuple[Decider[Any, Any], Any]] = {
    "radio_station": (radio.RADIO_STATION, radio.station_stream),
    "speaker_cluster": (radio.SPEAKER_CLUSTER, radio.cluster_stream),
    "bts_station": (telecom.BTS_STATION, telecom.bts_stream),
    "postal_point": (facilities.POSTAL_POINT, facilities.postal_stream),
    "video_endpoint": (facilities.VIDEO_ENDPOINT, facilities.video_stream),
    "wifi_hotspot": (facilities.WIFI_HOTSPOT, facilities.hotspot_stream),
    "information_system": (systems.INFORMATION_SYSTEM, systems.stream_id),
}


class AssignOperatorInput(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    asset_kind: AssetKind
    asset_id: str
    organisation_code: str
    effective_on: datetime.date


class OperatorCommands(AssetCommandsBase):
    async def assign(
        self, data: AssignOperatorInput, *, metadata: Metadata | None = None, idempotency: IdempotencyKey | None = None
    ) -> AssetCommandResult:
        decider, stream_of = DECIDERS[data.asset_kind]
        stream_id: str = stream_of(data.asset_id)

        async def work(tx: Transaction) -> str:
            organisation = await organisation_by_code(tx, data.organisation_code)
            await tx.decide(
                decider, stream_id, AssignOperator(organisation=organisation, effective_on=data.effective_on)
            )
            return stream_id

        return await self._run(work, metadata, idempotency)
