"""Postal point, video-conference endpoint and Wi-Fi hotspot commands."""

from __future__ import annotations

import datetime

import msgspec

from contracts.envelope import Metadata
from libs.common.eventstore.commands import Transaction
from libs.common.eventstore.idempotency import IdempotencyKey
from services.registry.application.assets import (
    AssetCommandResult,
    AssetCommandsBase,
    coordinates,
    new_asset_id,
    optional_organisation,
    province_today,
)
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


class OpenPostalPointInput(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    unit_code: str
    name: str
    operator_code: str | None = None
    opened_on: datetime.date | None = None


class ClosePostalPointInput(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    effective_on: datetime.date


class RegisterVideoEndpointInput(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    unit_code: str
    installed_on: datetime.date | None = None


class RegisterWifiHotspotInput(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    unit_code: str
    operator_code: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    installed_on: datetime.date | None = None


class FacilityCommands(AssetCommandsBase):
    async def open_postal_point(
        self, data: OpenPostalPointInput, *, metadata: Metadata | None = None, idempotency: IdempotencyKey | None = None
    ) -> AssetCommandResult:
        point_id = new_asset_id()

        async def work(tx: Transaction) -> str:
            as_of = data.opened_on or province_today()
            command = OpenPostalPoint(
                point_id=point_id,
                unit=await unit_by_code(tx, data.unit_code, as_of),
                name=data.name,
                as_of=as_of,
                operator=await optional_organisation(tx, data.operator_code),
                opened_on=data.opened_on,
            )
            await tx.decide(POSTAL_POINT, postal_stream(point_id), command)
            return postal_stream(point_id)

        return await self._run(work, metadata, idempotency)

    async def close_postal_point(
        self,
        point_id: str,
        data: ClosePostalPointInput,
        *,
        metadata: Metadata | None = None,
        idempotency: IdempotencyKey | None = None,
    ) -> AssetCommandResult:
        command = ClosePostalPoint(effective_on=data.effective_on)
        return await self._decide(POSTAL_POINT, postal_stream(point_id), command, metadata, idempotency)

    async def register_video_endpoint(
        self,
        data: RegisterVideoEndpointInput,
        *,
        metadata: Metadata | None = None,
        idempotency: IdempotencyKey | None = None,
    ) -> AssetCommandResult:
        endpoint_id = new_asset_id()

        async def work(tx: Transaction) -> str:
            as_of = data.installed_on or province_today()
            unit = await unit_by_code(tx, data.unit_code, as_of)
            command = RegisterVideoEndpoint(
                endpoint_id=endpoint_id, unit=unit, as_of=as_of, installed_on=data.installed_on
            )
            await tx.decide(VIDEO_ENDPOINT, video_stream(endpoint_id), command)
            return video_stream(endpoint_id)

        return await self._run(work, metadata, idempotency)

    async def register_wifi_hotspot(
        self,
        data: RegisterWifiHotspotInput,
        *,
        metadata: Metadata | None = None,
        idempotency: IdempotencyKey | None = None,
    ) -> AssetCommandResult:
        hotspot_id = new_asset_id()

        async def work(tx: Transaction) -> str:
            as_of = data.installed_on or province_today()
            command = RegisterWifiHotspot(
                hotspot_id=hotspot_id,
                unit=await unit_by_code(tx, data.unit_code, as_of),
                as_of=as_of,
                operator=await optional_organisation(tx, data.operator_code),
                location=coordinates(data.latitude, data.longitude),
                installed_on=data.installed_on,
            )
            await tx.decide(WIFI_HOTSPOT, hotspot_stream(hotspot_id), command)
            return hotspot_stream(hotspot_id)

        return await self._run(work, metadata, idempotency)
