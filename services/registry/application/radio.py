"""Radio station and loudspeaker cluster commands. "One station per commune" spans streams:
the command-side lookup holds it, claimed on registration and released when the station is
decommissioned (a commune may then get a new one)."""

from __future__ import annotations

import datetime

import msgspec

from contracts.envelope import Metadata
from contracts.registry_events import Coordinates, OperationalStatus, StationTechnology
from libs.common.eventstore.commands import Transaction
from libs.common.eventstore.idempotency import IdempotencyKey
from services.registry.adapters import asset_lookup
from services.registry.application.assets import (
    AssetCommandResult,
    AssetCommandsBase,
    coordinates,
    new_asset_id,
    optional_organisation,
    province_today,
)
from services.registry.application.units import unit_by_code
from services.registry.domain.radio import (
    RADIO_STATION,
    SPEAKER_CLUSTER,
    ChangeStationStatus,
    DecommissionCluster,
    RegisterCluster,
    RegisterStation,
    UpgradeStation,
    cluster_stream,
    station_stream,
)


class RegisterRadioStationInput(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    unit_code: str
    """A commune, resolved on ``installed_on`` (today if the date is unknown)."""
    technology: StationTechnology
    installed_on: datetime.date | None = None
    funding_source: str | None = None
    operator_code: str | None = None


class UpgradeRadioStationInput(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    technology: StationTechnology
    upgraded_on: datetime.date
    funding_source: str | None = None


class ChangeRadioStationStatusInput(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    status: OperationalStatus
    effective_on: datetime.date
    reason: str | None = None


class RegisterSpeakerClusterInput(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    station_id: str
    village_code: str | None = None
    """A village of the station's commune, resolved on ``installed_on`` (or today)."""
    latitude: float | None = None
    longitude: float | None = None
    installed_on: datetime.date | None = None

    def location(self) -> Coordinates | None:
        return coordinates(self.latitude, self.longitude)


class DecommissionSpeakerClusterInput(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    effective_on: datetime.date
    reason: str | None = None


class RadioCommands(AssetCommandsBase):
    async def register_station(
        self,
        data: RegisterRadioStationInput,
        *,
        metadata: Metadata | None = None,
        idempotency: IdempotencyKey | None = None,
    ) -> AssetCommandResult:
        station_id = new_asset_id()

        async def work(tx: Transaction) -> str:
            as_of = data.installed_on or province_today()
            command = RegisterStation(
                station_id=station_id,
                unit=await unit_by_code(tx, data.unit_code, as_of),
                technology=data.technology,
                as_of=as_of,
                installed_on=data.installed_on,
                funding_source=data.funding_source,
                operator=await optional_organisation(tx, data.operator_code),
            )
            await tx.decide(RADIO_STATION, station_stream(station_id), command)
            await asset_lookup.claim(tx.conn, station_id, "radio_station", unit_id=command.unit.unit_id)
            return station_stream(station_id)

        return await self._run(work, metadata, idempotency)

    async def upgrade_station(
        self,
        station_id: str,
        data: UpgradeRadioStationInput,
        *,
        metadata: Metadata | None = None,
        idempotency: IdempotencyKey | None = None,
    ) -> AssetCommandResult:
        command = UpgradeStation(
            technology=data.technology, upgraded_on=data.upgraded_on, funding_source=data.funding_source
        )
        return await self._decide(RADIO_STATION, station_stream(station_id), command, metadata, idempotency)

    async def change_station_status(
        self,
        station_id: str,
        data: ChangeRadioStationStatusInput,
        *,
        metadata: Metadata | None = None,
        idempotency: IdempotencyKey | None = None,
    ) -> AssetCommandResult:
        async def work(tx: Transaction) -> str:
            command = ChangeStationStatus(status=data.status, effective_on=data.effective_on, reason=data.reason)
            await tx.decide(RADIO_STATION, station_stream(station_id), command)
            if data.status == "DECOMMISSIONED":
                await asset_lookup.release(tx.conn, station_id)
            return station_stream(station_id)

        return await self._run(work, metadata, idempotency)

    async def register_cluster(
        self,
        data: RegisterSpeakerClusterInput,
        *,
        metadata: Metadata | None = None,
        idempotency: IdempotencyKey | None = None,
    ) -> AssetCommandResult:
        cluster_id = new_asset_id()

        async def work(tx: Transaction) -> str:
            as_of = data.installed_on or province_today()
            station, _ = await tx.load(RADIO_STATION, station_stream(data.station_id))
            village = None
            if data.village_code is not None:
                village = await unit_by_code(tx, data.village_code, as_of)
            command = RegisterCluster(
                cluster_id=cluster_id,
                station=station,
                village=village,
                as_of=as_of,
                location=data.location(),
                installed_on=data.installed_on,
            )
            await tx.decide(SPEAKER_CLUSTER, cluster_stream(cluster_id), command)
            return cluster_stream(cluster_id)

        return await self._run(work, metadata, idempotency)

    async def decommission_cluster(
        self,
        cluster_id: str,
        data: DecommissionSpeakerClusterInput,
        *,
        metadata: Metadata | None = None,
        idempotency: IdempotencyKey | None = None,
    ) -> AssetCommandResult:
        command = DecommissionCluster(effective_on=data.effective_on, reason=data.reason)
        return await self._decide(SPEAKER_CLUSTER, cluster_stream(cluster_id), command, metadata, idempotency)
