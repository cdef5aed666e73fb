"""What an asset import item refers to, and whether it is already done by another path.

References (an item cannot know a server-generated id, so it names something stable):
- a radio station by its commune's code on a date: the commune holding the code that day,
  and the station that was in service there that day (installed by then, not decommissioned
  by then). One station per commune makes that unique;
- an asset created by an earlier *keyed* import item of the same principal, by that item's
  key (the idempotency record stores the command's result, hence the asset's stream).

"Already done" checks answer for items without a key whose command hits a one-per-X rule
(an organisation code, a commune's station, a unit's team, an operator's fibre in a village),
like ``unit_matching`` does for units: the holder is compared with what the item asks for.
All of it reads the command side (lookups, streams, idempotency records), never a read model.
"""

from __future__ import annotations

import datetime
from typing import Any

import msgspec

from contracts.base import Event
from contracts.registry_events import (
    DigitalTeamEstablished,
    OrganisationRegistered,
    RadioStationRegistered,
    VillageFibreConnected,
)
from libs.common.errors import NotFoundError
from libs.common.eventstore.commands import CommandExecutor, CommandResult, Decider
from libs.common.eventstore.idempotency import IdempotencyKey
from libs.common.text import clean_name, clean_text
from services.registry.adapters import asset_lookup, import_refs
from services.registry.application.assets import asset_id_of
from services.registry.application.unit_matching import unit_id_on
from services.registry.domain import organisations, radio_stations, teams, telecom

_result = msgspec.json.Decoder(CommandResult)


def import_key(kind: str, key: str) -> str:
    """The idempotency key the bulk importer gives an item with a ``key`` (``bulk_import.prepare``)."""
    return f"import:{kind}:{key}"


async def _history(executor: CommandExecutor, stream_id: str) -> list[Event]:
    async with executor.pool.acquire() as conn:
        return [executor.decode(e) for e in await executor.store.load(conn, stream_id)]


async def _state(executor: CommandExecutor, decider: Decider[Any, Any], stream_id: str) -> Any:
    return decider.fold(await _history(executor, stream_id))


async def _first(executor: CommandExecutor, stream_id: str) -> Event | None:
    history = await _history(executor, stream_id)
    return history[0] if history else None


# --- references ---------------------------------------------------------------------------


async def remembered(executor: CommandExecutor, idempotency: IdempotencyKey) -> CommandResult | None:
    """The stored result of this very item, if it ran before: an item that resolves references
    answers "unchanged" without resolving them again (they may have moved on since)."""
    async with executor.pool.acquire() as conn:
        raw = await executor.idempotency.find(conn, idempotency)
    return None if raw is None else msgspec.structs.replace(_result.decode(raw), replayed=True)


def _in_service(station: radio_stations.Station, on: datetime.date) -> bool:
    installed = station.installed_on is None or station.installed_on <= on
    ended = station.status == "DECOMMISSIONED" and station.last_on is not None and station.last_on <= on
    return station.exists and installed and not ended


async def station_on(executor: CommandExecutor, commune_code: str, on: datetime.date) -> str:
    """The id of the radio station in service in the commune holding ``commune_code`` on ``on``."""
    unit_id = await unit_id_on(executor, commune_code, on)
    async with executor.pool.acquire() as conn:
        candidates = await import_refs.radio_station_ids(conn, unit_id)
    for station_id in candidates:
        station: radio_stations.Station = await _state(
            executor, radio_stations.RADIO_STATION, radio_stations.station_stream(station_id)
        )
        if _in_service(station, on):
            return station_id
    raise NotFoundError(
        f"commune {commune_code} has no radio station in service on {on.isoformat()}",
        code="unknown_radio_station",
        details={"unit_code": commune_code, "on": on.isoformat()},
    )


async def imported_asset_id(executor: CommandExecutor, principal: str, kind: str, key: str) -> str:
    """The id of the asset that the principal's import item ``{"kind": kind, "key": key}`` created."""
    async with executor.pool.acquire() as conn:
        raw = await import_refs.remembered_result(conn, principal, import_key(kind, key))
    if raw is None:
        raise NotFoundError(
            f"no {kind} item with key {key!r} was imported (by {principal})",
            code="unknown_import_key",
            details={"kind": kind, "key": key},
        )
    return asset_id_of(_result.decode(raw).stream_id)


# --- already done by another path ---------------------------------------------------------


async def _unit_id(executor: CommandExecutor, code: str | None, on: datetime.date) -> str | None:
    return None if code is None else await unit_id_on(executor, code, on)


async def _organisation_id(executor: CommandExecutor, code: str | None) -> str | None:
    if code is None:
        return None
    async with executor.pool.acquire() as conn:
        return await asset_lookup.organisation_id_for_code(conn, organisations.normalise_code(code))


async def organisation_registered_as(
    executor: CommandExecutor, holder_id: str, *, name: str, kind: str, unit_code: str | None, as_of: datetime.date
) -> bool:
    first = await _first(executor, organisations.stream_id(holder_id))
    return (
        isinstance(first, OrganisationRegistered)
        and first.name == clean_name(name)
        and first.kind == kind
        and first.unit_id == await _unit_id(executor, unit_code, as_of)
    )


async def station_registered_as(
    executor: CommandExecutor,
    holder_id: str,
    *,
    unit_code: str,
    technology: str,
    installed_on: datetime.date | None,
    funding_source: str | None,
    operator_code: str | None,
    as_of: datetime.date,
) -> bool:
    first = await _first(executor, radio_stations.station_stream(holder_id))
    return (
        isinstance(first, RadioStationRegistered)
        and (first.technology, first.installed_on) == (technology, installed_on)
        and first.funding_source == clean_text(funding_source, field="funding_source", max_length=200)
        and first.unit_id == await _unit_id(executor, unit_code, as_of)
        and first.operator_id == await _organisation_id(executor, operator_code)
    )


async def team_established_as(
    executor: CommandExecutor,
    holder_id: str,
    *,
    unit_code: str,
    level: str,
    established_on: datetime.date,
    member_count: int,
) -> bool:
    first = await _first(executor, teams.stream_id(holder_id))
    return (
        isinstance(first, DigitalTeamEstablished)
        and (first.level, first.established_on, first.member_count) == (level, established_on, member_count)
        and first.unit_id == await _unit_id(executor, unit_code, established_on)
    )


async def fibre_connected_as(
    executor: CommandExecutor, *, village_code: str, operator_code: str, connected_on: datetime.date
) -> str | None:
    """The village's id if this operator's fibre reached it on this very day."""
    village_id = await unit_id_on(executor, village_code, connected_on)
    operator_id = await _organisation_id(executor, operator_code)
    history = await _history(executor, telecom.fibre_stream(village_id))
    done = any(
        isinstance(e, VillageFibreConnected) and (e.operator_id, e.connected_on) == (operator_id, connected_on)
        for e in history
    )
    return village_id if done else None
