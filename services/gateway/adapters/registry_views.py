"""What the registry's internal API answers, as the gateway reads it.

The gateway is deployed apart from the registry, so it declares the fields it uses rather
than importing the registry's modules; unknown fields are ignored, so the registry may add
fields without breaking the gateway.
"""

from __future__ import annotations

import datetime

import msgspec


class UnitView(msgspec.Struct, frozen=True, kw_only=True):
    unit_id: str
    code: str
    name: str
    level: str
    parent_id: str | None
    valid_from: datetime.date
    valid_to: datetime.date | None
    status: str
    successor_ids: list[str] = []


class UnitPage(msgspec.Struct, frozen=True, kw_only=True):
    items: list[UnitView]
    total_count: int
    has_next_page: bool
    end_cursor: str | None


class ChildrenPage(msgspec.Struct, frozen=True, kw_only=True):
    parent_id: str
    page: UnitPage


class RadioStationView(msgspec.Struct, frozen=True, kw_only=True):
    station_id: str
    unit_id: str
    technology: str
    status: str
    installed_on: datetime.date | None = None
    operator_code: str | None = None


class Coordinates(msgspec.Struct, frozen=True, kw_only=True):
    latitude: float
    longitude: float


class SpeakerClusterView(msgspec.Struct, frozen=True, kw_only=True):
    cluster_id: str
    station_id: str
    village_id: str | None
    location: Coordinates | None = None
    installed_on: datetime.date | None = None
    status: str = "OPERATIONAL"


class DigitalTeamView(msgspec.Struct, frozen=True, kw_only=True):
    team_id: str
    unit_id: str
    member_count: int
    established_on: datetime.date | None
    active: bool


class BtsStationView(msgspec.Struct, frozen=True, kw_only=True):
    bts_id: str
    unit_id: str
    operator_code: str | None
    technologies: list[str]
    commissioned_on: datetime.date | None


class CommandResult(msgspec.Struct, frozen=True, kw_only=True):
    stream_id: str
    version: int
    replayed: bool = False


class UnitCommandResult(msgspec.Struct, frozen=True, kw_only=True):
    unit_id: str
    result: CommandResult


class AssetCommandResult(msgspec.Struct, frozen=True, kw_only=True):
    asset_id: str
    result: CommandResult


class ImportItemError(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    code: str
    message: str
    details: dict[str, object] = {}


class ImportItemResult(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """``created``, ``unchanged`` (already done) or ``rejected`` with ``error``."""

    index: int
    status: str
    kind: str | None = None
    line: int | None = None
    unit_id: str | None = None
    code: str | None = None
    error: ImportItemError | None = None


class ImportReport(msgspec.Struct, frozen=True, kw_only=True):
    created: int
    unchanged: int
    rejected: int
    items: list[ImportItemResult]
