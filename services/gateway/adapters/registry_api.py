"""The registry's internal routes the gateway uses, one function per route: it encodes the
registry's own bodies (``contracts.api.registry``) and decodes its own answers
(``contracts.api.registry_views``; every command answers a ``CommandResult``)."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

import msgspec

from contracts.api.registry import (
    CommissionBtsBody,
    MergeUnitsBody,
    RegisterRadioStationBody,
    RegisterSpeakerClusterBody,
    RegisterUnitBody,
)
from contracts.api.registry_views import (
    BtsStationView,
    ChildrenPage,
    DigitalTeamView,
    ImportReport,
    RadioStationView,
    SpeakerClusterView,
    UnitPage,
    UnitView,
)
from libs.common.eventstore.results import CommandResult
from services.gateway.adapters.internal import ServiceCaller, ServiceUnavailableError

R = "registry"


def _params(as_of: datetime.date | None = None, **values: str | int | None) -> dict[str, str]:
    params = {k: str(v) for k, v in values.items() if v is not None}
    if as_of is not None:
        params["as_of"] = as_of.isoformat()
    return params


async def units_by_ids(caller: ServiceCaller, ids: Sequence[str], as_of: datetime.date | None) -> list[UnitView]:
    return await caller.get(R, "/units", _params(as_of, ids=",".join(ids)), list[UnitView])


async def units_by_codes(caller: ServiceCaller, codes: Sequence[str], as_of: datetime.date | None) -> list[UnitView]:
    return await caller.get(R, "/units/by-code", _params(as_of, codes=",".join(codes)), list[UnitView])


async def list_units(
    caller: ServiceCaller,
    *,
    level: str | None,
    parent_code: str | None,
    search: str | None,
    as_of: datetime.date | None,
    first: int,
    after: str | None,
) -> UnitPage:
    params = _params(as_of, level=level, parent_code=parent_code, search=search, first=first, after=after)
    return await caller.get(R, "/units/list", params, UnitPage)


async def children_pages(
    caller: ServiceCaller, parent_ids: Sequence[str], as_of: datetime.date | None, first: int
) -> list[ChildrenPage]:
    params = _params(as_of, parent_ids=",".join(parent_ids), first=first)
    return await caller.get(R, "/units/children", params, list[ChildrenPage])


async def stations_by_ids(caller: ServiceCaller, ids: Sequence[str]) -> list[RadioStationView]:
    return await caller.get(R, "/radio-stations", {"ids": ",".join(ids)}, list[RadioStationView])


async def stations_by_units(caller: ServiceCaller, unit_ids: Sequence[str]) -> list[RadioStationView]:
    return await caller.get(R, "/radio-stations/by-unit", {"unit_ids": ",".join(unit_ids)}, list[RadioStationView])


async def clusters_by_ids(caller: ServiceCaller, ids: Sequence[str]) -> list[SpeakerClusterView]:
    return await caller.get(R, "/speaker-clusters", {"ids": ",".join(ids)}, list[SpeakerClusterView])


async def clusters_by_stations(caller: ServiceCaller, station_ids: Sequence[str]) -> list[SpeakerClusterView]:
    params = {"station_ids": ",".join(station_ids)}
    return await caller.get(R, "/speaker-clusters/by-station", params, list[SpeakerClusterView])


async def teams_by_units(caller: ServiceCaller, unit_ids: Sequence[str]) -> list[DigitalTeamView]:
    return await caller.get(R, "/digital-teams/by-unit", {"unit_ids": ",".join(unit_ids)}, list[DigitalTeamView])


async def teams_by_ids(caller: ServiceCaller, ids: Sequence[str]) -> list[DigitalTeamView]:
    return await caller.get(R, "/digital-teams", {"ids": ",".join(ids)}, list[DigitalTeamView])


async def bts_by_ids(caller: ServiceCaller, ids: Sequence[str]) -> list[BtsStationView]:
    return await caller.get(R, "/bts-stations", {"ids": ",".join(ids)}, list[BtsStationView])


# --- commands ---------------------------------------------------------------------------------


async def register_unit(caller: ServiceCaller, body: RegisterUnitBody, key: str | None) -> CommandResult:
    return await caller.post(R, "/commands/units/register", body, CommandResult, idempotency_key=key)


async def merge_units(caller: ServiceCaller, body: MergeUnitsBody, key: str | None) -> CommandResult:
    return await caller.post(R, "/commands/units/merge", body, CommandResult, idempotency_key=key)


async def register_station(caller: ServiceCaller, body: RegisterRadioStationBody, key: str | None) -> CommandResult:
    return await caller.post(R, "/commands/radio-stations/register", body, CommandResult, idempotency_key=key)


async def register_cluster(caller: ServiceCaller, body: RegisterSpeakerClusterBody, key: str | None) -> CommandResult:
    return await caller.post(R, "/commands/speaker-clusters/register", body, CommandResult, idempotency_key=key)


async def commission_bts(caller: ServiceCaller, body: CommissionBtsBody, key: str | None) -> CommandResult:
    return await caller.post(R, "/commands/bts-stations/commission", body, CommandResult, idempotency_key=key)


async def bulk_import(caller: ServiceCaller, content: bytes, content_type: str, key: str | None) -> ImportReport:
    """Forwards a bulk file as it came (JSON array or NDJSON); the registry reads it."""
    raw = await caller.post_raw(R, "/commands/import", content, content_type, idempotency_key=key)
    try:
        return msgspec.json.decode(raw, type=ImportReport)
    except msgspec.DecodeError as exc:
        raise ServiceUnavailableError(f"registry import: unexpected answer: {exc}") from exc
