"""Information system commands: register, approve a security level."""

from __future__ import annotations

import datetime

import msgspec

from contracts.envelope import Metadata
from libs.common.eventstore.idempotency import IdempotencyKey
from services.registry.application.assets import AssetCommandResult, AssetCommandsBase, new_asset_id
from services.registry.domain.systems import (
    INFORMATION_SYSTEM,
    ApproveSecurityLevel,
    RegisterInformationSystem,
    stream_id,
)


class RegisterInformationSystemInput(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    name: str
    owner_agency: str
    hosted_in_data_centre: bool


class ApproveSecurityLevelInput(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    level: int
    approved_on: datetime.date
    decision: str | None = None
    """The approving decision's reference, e.g. "QĐ 123/QĐ-UBND"."""


class SystemCommands(AssetCommandsBase):
    async def register(
        self,
        data: RegisterInformationSystemInput,
        *,
        metadata: Metadata | None = None,
        idempotency: IdempotencyKey | None = None,
    ) -> AssetCommandResult:
        system_id = new_asset_id()
        command = RegisterInformationSystem(
            system_id=system_id,
            name=data.name,
            owner_agency=data.owner_agency,
            hosted_in_data_centre=data.hosted_in_data_centre,
        )
        return await self._decide(INFORMATION_SYSTEM, stream_id(system_id), command, metadata, idempotency)

    async def approve_security_level(
        self,
        system_id: str,
        data: ApproveSecurityLevelInput,
        *,
        metadata: Metadata | None = None,
        idempotency: IdempotencyKey | None = None,
    ) -> AssetCommandResult:
        command = ApproveSecurityLevel(level=data.level, approved_on=data.approved_on, decision=data.decision)
        return await self._decide(INFORMATION_SYSTEM, stream_id(system_id), command, metadata, idempotency)
