"""Base station and fibre commands: operators and units named by code."""

from __future__ import annotations

import datetime

import msgspec

from contracts.envelope import Metadata
from contracts.registry_events import RadioTech
from libs.common.eventstore.commands import Transaction
from libs.common.eventstore.idempotency import IdempotencyKey
from services.registry.application.assets import (
    AssetCommandResult,
    AssetCommandsBase,
    coordinates,
    new_asset_id,
    organisation_by_code,
    province_today,
)
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


class CommissionBtsInput(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    operator_code: str
    """A telecom organisation: VNPT, VIETTEL, MOBIFONE…"""
    unit_code: str
    """The commune it stands in, resolved on ``commissioned_on`` (today if unknown)."""
    technologies: list[RadioTech]
    latitude: float | None = None
    longitude: float | None = None
    commissioned_on: datetime.date | None = None


class ChangeBtsTechnologiesInput(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    technologies: list[RadioTech]
    effective_on: datetime.date


class DecommissionBtsInput(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    effective_on: datetime.date


class ConnectVillageFibreInput(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    village_code: str
    operator_code: str
    connected_on: datetime.date


class TelecomCommands(AssetCommandsBase):
    async def commission_bts(
        self, data: CommissionBtsInput, *, metadata: Metadata | None = None, idempotency: IdempotencyKey | None = None
    ) -> AssetCommandResult:
        bts_id = new_asset_id()

        async def work(tx: Transaction) -> str:
            as_of = data.commissioned_on or province_today()
            command = CommissionBts(
                bts_id=bts_id,
                operator=await organisation_by_code(tx, data.operator_code),
                unit=await unit_by_code(tx, data.unit_code, as_of),
                technologies=tuple(data.technologies),
                as_of=as_of,
                location=coordinates(data.latitude, data.longitude),
                commissioned_on=data.commissioned_on,
            )
            await tx.decide(BTS_STATION, bts_stream(bts_id), command)
            return bts_stream(bts_id)

        return await self._run(work, metadata, idempotency)

    async def change_bts_technologies(
        self,
        bts_id: str,
        data: ChangeBtsTechnologiesInput,
        *,
        metadata: Metadata | None = None,
        idempotency: IdempotencyKey | None = None,
    ) -> AssetCommandResult:
        command = ChangeBtsTechnologies(technologies=tuple(data.technologies), effective_on=data.effective_on)
        return await self._decide(BTS_STATION, bts_stream(bts_id), command, metadata, idempotency)

    async def decommission_bts(
        self,
        bts_id: str,
        data: DecommissionBtsInput,
        *,
        metadata: Metadata | None = None,
        idempotency: IdempotencyKey | None = None,
    ) -> AssetCommandResult:
        command = DecommissionBts(effective_on=data.effective_on)
        return await self._decide(BTS_STATION, bts_stream(bts_id), command, metadata, idempotency)

    async def connect_fibre(
        self,
        data: ConnectVillageFibreInput,
        *,
        metadata: Metadata | None = None,
        idempotency: IdempotencyKey | None = None,
    ) -> AssetCommandResult:
        async def work(tx: Transaction) -> str:
            village = await unit_by_code(tx, data.village_code, data.connected_on)
            operator = await organisation_by_code(tx, data.operator_code)
            command = ConnectFibre(village=village, operator=operator, connected_on=data.connected_on)
            await tx.decide(VILLAGE_FIBRE, fibre_stream(village.unit_id), command)
            return fibre_stream(village.unit_id)

        return await self._run(work, metadata, idempotency)
