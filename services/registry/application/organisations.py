"""Organisation commands: register one under a code unique among organisations."""

from __future__ import annotations

import datetime

import msgspec

from contracts.envelope import Metadata
from contracts.registry_events import OrganisationKind
from libs.common.eventstore.commands import Transaction
from libs.common.eventstore.idempotency import IdempotencyKey
from services.registry.adapters import asset_lookup
from services.registry.application.assets import AssetCommandResult, AssetCommandsBase, new_asset_id, province_today
from services.registry.application.units import unit_by_code
from services.registry.domain.organisations import ORGANISATION, RegisterOrganisation, normalise_code, stream_id


class RegisterOrganisationInput(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    code: str
    name: str
    kind: OrganisationKind
    unit_code: str | None = None
    """For a district centre or a commune: the unit it is."""
    as_of: datetime.date | None = None
    """The day ``unit_code`` is resolved on (default: today)."""


class OrganisationCommands(AssetCommandsBase):
    async def register(
        self,
        data: RegisterOrganisationInput,
        *,
        metadata: Metadata | None = None,
        idempotency: IdempotencyKey | None = None,
    ) -> AssetCommandResult:
        organisation_id = new_asset_id()

        async def work(tx: Transaction) -> str:
            unit = None
            if data.unit_code is not None:
                unit = await unit_by_code(tx, data.unit_code, data.as_of or province_today())
            command = RegisterOrganisation(
                organisation_id=organisation_id, code=data.code, name=data.name, kind=data.kind, unit=unit
            )
            await tx.decide(ORGANISATION, stream_id(organisation_id), command)
            await asset_lookup.claim(tx.conn, organisation_id, "organisation", code=normalise_code(data.code))
            return stream_id(organisation_id)

        return await self._run(work, metadata, idempotency)
