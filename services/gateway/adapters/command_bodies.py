"""The bodies of the internal command routes the gateway forwards mutations to.

Each mirrors the owning service's route (which refuses unknown fields); ``None`` fields are
left out, so the service's own defaults apply.
"""

from __future__ import annotations

import datetime

import msgspec


class Body(msgspec.Struct, kw_only=True, omit_defaults=True):
    pass


class RegisterUnitBody(Body):
    code: str
    name: str
    level: str
    valid_from: datetime.date
    parent_code: str | None = None
    unit_type: str | None = None


class MergeUnitsBody(Body):
    source_codes: list[str]
    effective_on: datetime.date
    successor: RegisterUnitBody | None = None
    successor_code: str | None = None


class RegisterStationBody(Body):
    unit_code: str
    technology: str
    installed_on: datetime.date | None = None
    funding_source: str | None = None
    operator_code: str | None = None


class RegisterClusterBody(Body):
    station_id: str
    village_code: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    installed_on: datetime.date | None = None


class CommissionBtsBody(Body):
    operator_code: str
    unit_code: str
    technologies: list[str]
    latitude: float | None = None
    longitude: float | None = None
    commissioned_on: datetime.date | None = None
