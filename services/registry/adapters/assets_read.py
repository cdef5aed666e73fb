"""Queries on the assets read model (schema ``registry_assets``), batched by ids for the
gateway's DataLoaders: each answers in the order of the ids asked, leaving out unknown ones.

Operator codes are joined at query time (the organisation may be projected after the asset).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import msgspec

from contracts.api.registry_views import (
    BtsStationView,
    DigitalTeamView,
    InformationSystemView,
    OrganisationView,
    PostalPointView,
    RadioStationView,
    SpeakerClusterView,
    VideoEndpointView,
    VillageFibreView,
    WifiHotspotView,
)
from contracts.registry_events import Coordinates, TeamMember
from libs.common.db import Conn

S = "registry_assets"
V = TypeVar("V", bound=msgspec.Struct)


def _location(row: Any) -> Coordinates | None:
    if row["latitude"] is None:
        return None
    return Coordinates(latitude=row["latitude"], longitude=row["longitude"])


def _columns(view: type[Any], **expressions: str) -> str:
    """The SELECT list of a view over table alias ``t``: its fields by name, ``location`` as
    latitude and longitude, others as given."""
    columns = []
    for name in view.__struct_fields__:
        if name == "location":
            columns += ["t.latitude", "t.longitude"]
        else:
            columns.append(f"{expressions[name]} AS {name}" if name in expressions else f"t.{name}")
    return ", ".join(columns)


def _builder(view: type[V]) -> Callable[[Any], V]:
    located = "location" in view.__struct_fields__

    def build(row: Any) -> V:
        fields = dict(row)
        if located:
            fields["location"] = _location(row)
            del fields["latitude"], fields["longitude"]
        if "members" in fields:
            fields["members"] = msgspec.json.decode(fields["members"], type=list[TeamMember])
        return view(**fields)

    return build


_OPERATOR_CODE = f"(SELECT o.code FROM {S}.organisations o WHERE o.organisation_id = t.operator_id)"


async def _by(conn: Conn, table: str, view: type[V], key: str, ids: Sequence[str], **expressions: str) -> list[V]:
    rows = await conn.fetch(
        f"SELECT {_columns(view, **expressions)} FROM {S}.{table} t WHERE t.{key} = ANY($1::text[])", list(ids)
    )
    build = _builder(view)
    by_key = {row[key]: build(row) for row in rows}
    return [by_key[i] for i in ids if i in by_key]


async def organisations_by_ids(conn: Conn, ids: Sequence[str]) -> list[OrganisationView]:
    return await _by(conn, "organisations", OrganisationView, "organisation_id", ids)


async def organisations_by_codes(conn: Conn, codes: Sequence[str]) -> list[OrganisationView]:
    return await _by(conn, "organisations", OrganisationView, "code", [c.strip().upper() for c in codes])


async def digital_teams_by_ids(conn: Conn, ids: Sequence[str]) -> list[DigitalTeamView]:
    return await _by(conn, "digital_teams", DigitalTeamView, "team_id", ids)


async def digital_teams_by_units(conn: Conn, unit_ids: Sequence[str]) -> list[DigitalTeamView]:
    """Each unit's team: the active one, else the one disbanded last."""
    rows = await conn.fetch(
        f"""SELECT DISTINCT ON (t.unit_id) {_columns(DigitalTeamView)} FROM {S}.digital_teams t
            WHERE t.unit_id = ANY($1::text[])
            ORDER BY t.unit_id, t.active DESC, t.disbanded_on DESC NULLS LAST, t.established_on DESC""",
        list(unit_ids),
    )
    build = _builder(DigitalTeamView)
    by_unit = {row["unit_id"]: build(row) for row in rows}
    return [by_unit[u] for u in unit_ids if u in by_unit]


async def radio_stations_by_ids(conn: Conn, ids: Sequence[str]) -> list[RadioStationView]:
    return await _by(conn, "radio_stations", RadioStationView, "station_id", ids, operator_code=_OPERATOR_CODE)


async def radio_stations_by_units(conn: Conn, unit_ids: Sequence[str]) -> list[RadioStationView]:
    """Each commune's station: the one in service, else the one installed last."""
    rows = await conn.fetch(
        f"""SELECT DISTINCT ON (t.unit_id) {_columns(RadioStationView, operator_code=_OPERATOR_CODE)}
            FROM {S}.radio_stations t WHERE t.unit_id = ANY($1::text[])
            ORDER BY t.unit_id, t.status = 'DECOMMISSIONED', t.installed_on DESC NULLS LAST, t.station_id DESC""",
        list(unit_ids),
    )
    build = _builder(RadioStationView)
    by_unit = {row["unit_id"]: build(row) for row in rows}
    return [by_unit[u] for u in unit_ids if u in by_unit]


async def speaker_clusters_by_ids(conn: Conn, ids: Sequence[str]) -> list[SpeakerClusterView]:
    return await _by(conn, "speaker_clusters", SpeakerClusterView, "cluster_id", ids)


async def speaker_clusters_by_stations(conn: Conn, station_ids: Sequence[str]) -> list[SpeakerClusterView]:
    rows = await conn.fetch(
        f"""SELECT {_columns(SpeakerClusterView)} FROM {S}.speaker_clusters t
            WHERE t.station_id = ANY($1::text[]) ORDER BY t.station_id, t.cluster_id""",
        list(station_ids),
    )
    return [_builder(SpeakerClusterView)(row) for row in rows]


async def bts_stations_by_ids(conn: Conn, ids: Sequence[str]) -> list[BtsStationView]:
    return await _by(conn, "bts_stations", BtsStationView, "bts_id", ids, operator_code=_OPERATOR_CODE)


async def village_fibre_by_villages(conn: Conn, village_ids: Sequence[str]) -> list[VillageFibreView]:
    rows = await conn.fetch(
        f"""SELECT {_columns(VillageFibreView, operator_code=_OPERATOR_CODE)} FROM {S}.village_fibre t
            WHERE t.village_id = ANY($1::text[]) ORDER BY t.village_id, t.connected_on, t.operator_id""",
        list(village_ids),
    )
    return [_builder(VillageFibreView)(row) for row in rows]


async def postal_points_by_ids(conn: Conn, ids: Sequence[str]) -> list[PostalPointView]:
    return await _by(conn, "postal_points", PostalPointView, "point_id", ids)


async def video_endpoints_by_ids(conn: Conn, ids: Sequence[str]) -> list[VideoEndpointView]:
    return await _by(conn, "video_endpoints", VideoEndpointView, "endpoint_id", ids)


async def wifi_hotspots_by_ids(conn: Conn, ids: Sequence[str]) -> list[WifiHotspotView]:
    return await _by(conn, "wifi_hotspots", WifiHotspotView, "hotspot_id", ids)


async def information_systems_by_ids(conn: Conn, ids: Sequence[str]) -> list[InformationSystemView]:
    return await _by(conn, "information_systems", InformationSystemView, "system_id", ids)
