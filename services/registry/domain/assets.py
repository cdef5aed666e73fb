"""Rules every registry asset shares: the unit it stands in, dates in order, coordinates,
free text, and who operates it. Pure functions, no I/O.

Each asset aggregate records dated facts (installed, upgraded, decommissioned…). Its current
state is the last fact, so a new fact may not be dated before the latest one already
recorded, nor before the asset existed: that is ``date_out_of_order`` (400).
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Sequence

import msgspec

from contracts.base import Event
from contracts.registry_events import AssetKind, AssetOperatorAssigned, Coordinates, UnitLevel
from libs.common.errors import ConflictError, InvalidInputError, NotFoundError
from services.registry.domain.organisations import Organisation
from services.registry.domain.units import Unit


class BoundingBox(msgspec.Struct, frozen=True, kw_only=True):
    min_lon: float
    min_lat: float
    max_lon: float
    max_lat: float

    def contains(self, point: Coordinates) -> bool:
        return self.min_lat <= point.latitude <= self.max_lat and self.min_lon <= point.longitude <= self.max_lon


PROVINCE_BOX = BoundingBox(min_lon=105.43153, min_lat=21.80442, max_lon=106.24693, max_lat=22.74089)
"""Bắc Kạn province: the union of its eight district boxes in ``../shared/data/backan_districts_geo.csv``
(computed from the public ``dvhcvn`` boundary polygons, data/gis/06.json; approximate, WGS84).
A point outside it is certainly outside the province; a point inside may still be just across
a border, which is good enough to catch swapped or mistyped coordinates."""


def require_unit(
    unit: Unit,
    levels: Sequence[UnitLevel],
    on: datetime.date,
    *,
    what: str,
    level_code: str = "invalid_unit_level",
) -> Unit:
    """The unit exists, is at one of ``levels``, and exists on ``on``."""
    if not unit.exists:
        raise NotFoundError(f"the unit for the {what} was not found", code="unknown_unit")
    if unit.level not in levels:
        raise InvalidInputError(
            f"a {what} belongs in a {' or '.join(levels)}, not in a {unit.level} ({unit.code})",
            code=level_code,
            details={"unit_code": unit.code, "level": unit.level, "expected": list(levels)},
        )
    if not unit.active_on(on):
        raise ConflictError(
            f"unit {unit.code} does not exist on {on.isoformat()} ({unit.status})",
            code="unit_not_active",
            details={"unit_code": unit.code, "on": on.isoformat()},
        )
    return unit


def require_order(earlier: datetime.date | None, later: datetime.date | None, *, what: str) -> None:
    """``later`` may not precede ``earlier`` (either may be unknown)."""
    if earlier is not None and later is not None and later < earlier:
        raise InvalidInputError(
            f"{what} ({later.isoformat()}) is before {earlier.isoformat()}",
            code="date_out_of_order",
            details={"date": later.isoformat(), "not_before": earlier.isoformat()},
        )


def latest(*days: datetime.date | None) -> datetime.date | None:
    known = [d for d in days if d is not None]
    return max(known) if known else None


def clean_location(location: Coordinates | None, *, within: BoundingBox | None = None) -> Coordinates | None:
    if location is None:
        return None
    lat, lon = location.latitude, location.longitude
    if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
        raise InvalidInputError(f"({lat}, {lon}) are not WGS84 coordinates", code="invalid_coordinates")
    if within is not None and not within.contains(location):
        raise InvalidInputError(
            f"({lat}, {lon}) lies outside the province", code="outside_province", details={"box": within}
        )
    return location


def require_organisation(organisation: Organisation | None, *, telecom: bool = False) -> Organisation | None:
    if organisation is None:
        return None
    if not organisation.exists:
        raise NotFoundError("no such organisation", code="unknown_organisation")
    if telecom and organisation.kind != "telecom":
        raise InvalidInputError(
            f"{organisation.code} is not a telecom operator ({organisation.kind})",
            code="invalid_operator",
            details={"organisation_code": organisation.code},
        )
    return organisation


# --- who operates an asset ---------------------------------------------------------------


class AssignOperator(msgspec.Struct, frozen=True, kw_only=True):
    organisation: Organisation
    effective_on: datetime.date


def assign_operator(
    command: AssignOperator,
    *,
    asset_id: str,
    kind: AssetKind,
    exists: bool,
    ended: bool,
    operator_id: str | None,
    not_before: datetime.date | None,
) -> Sequence[Event]:
    """The same rule for every asset kind: an existing, not decommissioned asset gets a
    (different) organisation from a date not before its last recorded fact."""
    if not exists:
        raise NotFoundError(f"no such {kind.replace('_', ' ')}", code=f"unknown_{kind}")
    if ended:
        raise ConflictError(f"the {kind.replace('_', ' ')} is decommissioned", code="asset_decommissioned")
    organisation = require_organisation(command.organisation)
    assert organisation is not None
    require_order(not_before, command.effective_on, what="the operator change")
    if organisation.organisation_id == operator_id:
        return []
    return [
        AssetOperatorAssigned(
            asset_id=asset_id,
            asset_kind=kind,
            organisation_id=organisation.organisation_id,
            previous_organisation_id=operator_id,
            effective_on=command.effective_on,
        )
    ]
