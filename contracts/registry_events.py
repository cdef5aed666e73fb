"""Events of the registry's topic: the administrative units of the province and their history.

The registry's domain events arrive with their own issues; ``UnitRegistered`` is here first so
that the contract machinery (catalogue, upcasting, generated schemas) runs end to end.

It is also the worked example of how a breaking change ships. Version 1 stored the unit's
name under the Vietnamese key ``ten`` and had no ``valid_from``. Version 2 renamed the key
and added the date from which the unit exists. Rows written as version 1 stay in the
append-only events table untouched; instead:

1. the class changes shape and its ``SCHEMA_VERSION`` goes from 1 to 2;
2. ``upcast_unit_registered_v1_v2`` is registered for ``("registry.unit_registered", 1)``;
   it works on the stored JSON as a plain dict, so it never needs the old class;
3. ``CATALOGUE.decode(type, 1, data)`` runs the chain of upcasters and then decodes the
   result as the current class, so every reader (aggregates, projections) sees version 2;
4. ``python -m contracts.generate`` replaces ``schemas/registry.unit_registered.v1.json`` by
   ``...v2.json``, so the version bump shows up in review as a renamed schema file, and the
   AsyncAPI document describes the new shape.

The upcaster has a test with a real version 1 row (``tests/unit/test_upcasting.py``).
"""

from __future__ import annotations

import datetime
from typing import ClassVar, Literal

from contracts.base import Event
from contracts.catalogue import EventCatalogue
from contracts.upcasting import Data, Upcasters

UnitLevel = Literal["province", "district", "commune", "village"]


class UnitRegistered(Event, frozen=True, kw_only=True, tag="registry.unit_registered"):
    """An administrative unit (province, district, commune or village) entered the registry."""

    SCHEMA_VERSION: ClassVar[int] = 2

    unit_id: str
    code: str
    name: str
    level: UnitLevel
    parent_id: str | None = None
    valid_from: datetime.date


UPCASTERS = Upcasters()

# Version 1 rows carry no date. The registry's records start with the 2020 reports, so a unit
# registered under version 1 is taken to be valid from the first day of 2020.
_V1_VALID_FROM = "2020-01-01"


@UPCASTERS.register("registry.unit_registered", 1)
def upcast_unit_registered_v1_v2(data: Data) -> Data:
    """v1 -> v2: the key ``ten`` becomes ``name``; ``valid_from`` defaults to 2020-01-01."""
    lifted = {key: value for key, value in data.items() if key != "ten"}
    if "ten" in data:
        lifted["name"] = data["ten"]
    lifted.setdefault("valid_from", _V1_VALID_FROM)
    return lifted


CATALOGUE = EventCatalogue("registry", [UnitRegistered], UPCASTERS)
