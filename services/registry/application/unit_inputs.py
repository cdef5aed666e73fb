"""What a partner sends to register or merge units, shared by the command routes and the bulk
importer, so an imported item is exactly the body of the route it stands for."""

from __future__ import annotations

import datetime

import msgspec

from contracts.registry_events import UnitLevel
from services.registry.application.units import UnitSpec


class RegisterUnitInput(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    code: str
    name: str
    level: UnitLevel
    valid_from: datetime.date
    parent_code: str | None = None
    unit_type: str | None = None

    def spec(self) -> UnitSpec:
        return UnitSpec(
            code=self.code,
            name=self.name,
            level=self.level,
            valid_from=self.valid_from,
            parent_code=self.parent_code,
            unit_type=self.unit_type,
        )


class MergeUnitsInput(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    source_codes: list[str]
    effective_on: datetime.date
    successor: RegisterUnitInput | None = None
    successor_code: str | None = None
