"""Listings of the assets read model (``registry_assets``): every asset of a kind, filtered by
the unit it stands in and everything under it, its operator, its technology or status, and the
day it is asked about, in pages of ``first`` with a keyset cursor and the total count.

"As of" a day, an asset is listed when it was in place then: installed (opened, commissioned,
connected, established) on or before the day, or on an unknown day, and not yet ended
(decommissioned, closed, disbanded); the unit subtree is the hierarchy of that day. Without a
day, every asset is listed, ended ones included (with their end date), in today's hierarchy.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime
from typing import Any, TypeVar

import msgspec

from contracts.api.registry_views import (
    BtsStationPage,
    BtsStationView,
    DigitalTeamPage,
    DigitalTeamView,
    InformationSystemPage,
    InformationSystemView,
    PostalPointPage,
    PostalPointView,
    RadioStationPage,
    RadioStationView,
    SpeakerClusterPage,
    SpeakerClusterView,
    VideoEndpointPage,
    VideoEndpointView,
    VillageFibrePage,
    VillageFibreView,
    WifiHotspotPage,
    WifiHotspotView,
)
from libs.common.db import Conn
from libs.common.errors import InvalidInputError
from services.registry.adapters.assets_read import _OPERATOR_CODE, S, _builder, _columns

U = "registry_units"
P = TypeVar("P", bound=msgspec.Struct)


class AssetFilter(msgspec.Struct, frozen=True, kw_only=True):
    """What a listing keeps; ``unit_id`` is the root of the subtree (resolved from a code)."""

    unit_id: str | None = None
    operator_code: str | None = None
    technology: str | None = None
    status: str | None = None
    as_of: datetime.date | None = None


@dataclasses.dataclass(frozen=True)
class Listing:
    """How one kind is listed: its table (alias ``t``, joins allowed), view and page, the key
    it is ordered and paged by, and the SQL expressions each filter reads (None: not offered)."""

    source: str
    view: type[msgspec.Struct]
    page: type[msgspec.Struct]
    key: str
    unit: str | None
    operator: str | None
    since: str | None
    until: str | None
    technology: str | None = None
    status: str | None = None
    columns: dict[str, str] = dataclasses.field(default_factory=dict)


_STATION_OPERATOR = "t.operator_id"
_CLUSTER_OPERATOR = "coalesce(t.operator_id, st.operator_id)"

LISTINGS: dict[str, Listing] = {
    "radio_station": Listing(
        f"{S}.radio_stations t",
        RadioStationView,
        RadioStationPage,
        key="t.station_id",
        unit="t.unit_id",
        operator=_STATION_OPERATOR,
        since="t.installed_on",
        until="CASE WHEN t.status = 'DECOMMISSIONED' THEN t.status_since END",
        technology="t.technology = {}",
        status="t.status = {}",
        columns={"operator_code": _OPERATOR_CODE},
    ),
    "speaker_cluster": Listing(
        f"{S}.speaker_clusters t JOIN {S}.radio_stations st ON st.station_id = t.station_id",
        SpeakerClusterView,
        SpeakerClusterPage,
        key="t.cluster_id",
        unit="st.unit_id",
        operator=_CLUSTER_OPERATOR,
        since="t.installed_on",
        until="t.decommissioned_on",
        technology="st.technology = {}",
        status="t.status = {}",
    ),
    "bts_station": Listing(
        f"{S}.bts_stations t",
        BtsStationView,
        BtsStationPage,
        key="t.bts_id",
        unit="t.unit_id",
        operator="t.operator_id",
        since="t.commissioned_on",
        until="t.decommissioned_on",
        technology="{} = ANY(t.technologies)",
        status="t.status = {}",
        columns={"operator_code": _OPERATOR_CODE},
    ),
    "village_fibre": Listing(
        f"{S}.village_fibre t",
        VillageFibreView,
        VillageFibrePage,
        key="(t.village_id || '|' || t.operator_id)",
        unit="t.village_id",
        operator="t.operator_id",
        since="t.connected_on",
        until=None,
        columns={"operator_code": _OPERATOR_CODE},
    ),
    "postal_point": Listing(
        f"{S}.postal_points t",
        PostalPointView,
        PostalPointPage,
        key="t.point_id",
        unit="t.unit_id",
        operator="t.operator_id",
        since="t.opened_on",
        until="t.closed_on",
        status="t.status = {}",
    ),
    "video_endpoint": Listing(
        f"{S}.video_endpoints t",
        VideoEndpointView,
        VideoEndpointPage,
        key="t.endpoint_id",
        unit="t.unit_id",
        operator="t.operator_id",
        since="t.installed_on",
        until=None,
    ),
    "wifi_hotspot": Listing(
        f"{S}.wifi_hotspots t",
        WifiHotspotView,
        WifiHotspotPage,
        key="t.hotspot_id",
        unit="t.unit_id",
        operator="t.operator_id",
        since="t.installed_on",
        until=None,
    ),
    "digital_team": Listing(
        f"{S}.digital_teams t",
        DigitalTeamView,
        DigitalTeamPage,
        key="t.team_id",
        unit="t.unit_id",
        operator=None,
        since="t.established_on",
        until="t.disbanded_on",
        status="(CASE WHEN t.active THEN 'active' ELSE 'disbanded' END) = {}",
    ),
    "information_system": Listing(
        f"{S}.information_systems t",
        InformationSystemView,
        InformationSystemPage,
        key="t.system_id",
        unit=None,
        operator="t.operator_id",
        since=None,
        until=None,
        status="(CASE WHEN t.hosted_in_data_centre THEN 'hosted' ELSE 'not_hosted' END) = {}",
    ),
}

_SUBTREE_TODAY = f"SELECT c.descendant_id FROM {U}.closure c WHERE c.ancestor_id = {{root}}"
_SUBTREE_ON = f"""
    WITH RECURSIVE sub(unit_id) AS (
        SELECT {{root}}::text
        UNION
        SELECT p.unit_id FROM {U}.unit_parents p JOIN sub ON p.parent_id = sub.unit_id
        WHERE p.valid_from <= {{day}} AND (p.valid_to IS NULL OR {{day}} < p.valid_to)
    ) SELECT unit_id FROM sub"""


def _cursor(key: str) -> str:
    return base64.urlsafe_b64encode(key.encode()).decode()


def _after(cursor: str) -> str:
    try:
        return base64.urlsafe_b64decode(cursor.encode()).decode()
    except ValueError as exc:
        raise InvalidInputError("after is not a cursor of this listing", code="invalid_cursor") from exc


def _refused(kind: str, what: str) -> InvalidInputError:
    return InvalidInputError(f"{kind.replace('_', ' ')}s are not listed by {what}", code="invalid_query")


async def list_assets(conn: Conn, kind: str, only: AssetFilter, first: int, after: str | None) -> Any:
    """One page of ``kind`` (a key of :data:`LISTINGS`), in key order, as its page shape."""
    listing = LISTINGS[kind]
    args: list[Any] = []

    def arg(value: Any, cast: str = "") -> str:
        args.append(value)
        return f"${len(args)}{cast}"

    conditions = ["TRUE"]
    if only.unit_id is not None:
        if listing.unit is None:
            raise _refused(kind, "unit")
        root = arg(only.unit_id)
        subtree = (
            _SUBTREE_ON.format(root=root, day=arg(only.as_of, "::date"))
            if only.as_of is not None
            else _SUBTREE_TODAY.format(root=root)
        )
        conditions.append(f"{listing.unit} IN ({subtree})")
    if only.operator_code is not None:
        if listing.operator is None:
            raise _refused(kind, "operator")
        code = arg(only.operator_code.strip().upper())
        operator = f"(SELECT o.organisation_id FROM {S}.organisations o WHERE o.code = {code})"
        conditions.append(f"{listing.operator} = {operator}")
    for value, template, what in (
        (only.technology, listing.technology, "technology"),
        (only.status, listing.status, "status"),
    ):
        if value is None:
            continue
        if template is None:
            raise _refused(kind, what)
        conditions.append(template.format(arg(value)))
    if only.as_of is not None and (listing.since is not None or listing.until is not None):
        day = arg(only.as_of, "::date")
        if listing.since is not None:
            conditions.append(f"({listing.since} IS NULL OR {listing.since} <= {day})")
        if listing.until is not None:
            conditions.append(f"({listing.until} IS NULL OR {day} < {listing.until})")
    where = " AND ".join(conditions)
    total: int = await conn.fetchval(f"SELECT count(*) FROM {listing.source} WHERE {where}", *args)
    if after is not None:
        where += f" AND {listing.key} > {arg(_after(after))}"
    limit = arg(first + 1)
    rows = await conn.fetch(
        f"""SELECT {_columns(listing.view, **listing.columns)}, {listing.key} AS page_key
            FROM {listing.source} WHERE {where} ORDER BY {listing.key} LIMIT {limit}""",
        *args,
    )
    build = _builder(listing.view)
    items = [build({k: v for k, v in row.items() if k != "page_key"}) for row in rows[:first]]
    shown = rows[:first]
    end = _cursor(shown[-1]["page_key"]) if shown else None
    return listing.page(items=items, total_count=total, has_next_page=len(rows) > first, end_cursor=end)
