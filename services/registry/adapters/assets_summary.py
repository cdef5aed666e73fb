"""Per-unit summaries of the assets read model: what a commune, a district or the province
has, counted over the unit and everything under it (``registry_units.closure``).

Assets stay attached to the unit they were registered at: after a merge, the old commune's
station still counts for the old commune (its history) and, through the old commune's place
in the hierarchy, for its district; not for the successor commune.

Every count is answered from one snapshot (a read-only repeatable-read transaction), so the
parts of one summary agree with each other.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from contracts.api.registry_views import FibreCounts, StationBrief, TeamBrief, TeamCounts, UnitSummary
from libs.common.db import Conn
from services.registry.adapters.assets_read import digital_teams_by_units, radio_stations_by_units

A = "registry_assets"
U = "registry_units"

# The asked units as roots, each with itself and its descendants. The unit itself is listed
# even before the units projection has its closure rows.
_SCOPE = f"""
WITH scope AS (
    SELECT r AS root, r AS unit_id FROM unnest($1::text[]) AS r
    UNION
    SELECT c.ancestor_id, c.descendant_id FROM {U}.closure c WHERE c.ancestor_id = ANY($1::text[])
)"""


def _bump(counts: dict[str, int], key: str, n: int) -> None:
    counts[key] = counts.get(key, 0) + n


async def unit_summaries(conn: Conn, unit_ids: Sequence[str]) -> list[UnitSummary]:
    """Summaries of the known units among ``unit_ids``, in the order asked."""
    ids = list(dict.fromkeys(unit_ids))
    async with conn.transaction(isolation="repeatable_read", readonly=True):
        rows = await conn.fetch(
            f"SELECT unit_id, code, name, level FROM {U}.units WHERE unit_id = ANY($1::text[])", ids
        )
        found = {r["unit_id"]: UnitSummary(**r) for r in rows}
        known = [i for i in ids if i in found]
        if not known:
            return []
        await _own(conn, known, found)
        await _stations_and_clusters(conn, known, found)
        await _telecom(conn, known, found)
        await _teams_and_facilities(conn, known, found)
    return [found[i] for i in known]


async def _own(conn: Conn, ids: list[str], found: dict[str, UnitSummary]) -> None:
    for station in await radio_stations_by_units(conn, ids):
        found[station.unit_id].station = StationBrief(
            station_id=station.station_id, technology=station.technology, status=station.status
        )
    for team in await digital_teams_by_units(conn, ids):
        found[team.unit_id].team = TeamBrief(
            team_id=team.team_id, level=team.level, member_count=team.member_count, active=team.active
        )


async def _stations_and_clusters(conn: Conn, ids: list[str], found: dict[str, UnitSummary]) -> None:
    stations = await conn.fetch(
        f"""{_SCOPE}
        SELECT s.root, st.technology, st.status, count(*) AS n
        FROM scope s JOIN {A}.radio_stations st ON st.unit_id = s.unit_id GROUP BY 1, 2, 3""",
        ids,
    )
    for r in stations:
        counts = found[r["root"]].stations
        _bump(counts.by_status, r["status"], r["n"])
        if r["status"] != "DECOMMISSIONED":
            counts.in_service += r["n"]
            _bump(counts.by_technology, r["technology"], r["n"])
    # A cluster counts where its village is, and where its station's commune is: so a
    # commune counts its clusters even before its villages' closure rows are projected.
    clusters = await conn.fetch(
        f"""{_SCOPE}
        SELECT s.root, c.status, count(DISTINCT c.cluster_id) AS n
        FROM {A}.speaker_clusters c
        LEFT JOIN {A}.radio_stations st ON st.station_id = c.station_id
        JOIN scope s ON s.unit_id = c.village_id OR s.unit_id = st.unit_id
        GROUP BY 1, 2""",
        ids,
    )
    for r in clusters:
        clustered = found[r["root"]].clusters
        if r["status"] == "decommissioned":
            clustered.decommissioned += r["n"]
        else:
            clustered.active += r["n"]


async def _telecom(conn: Conn, ids: list[str], found: dict[str, UnitSummary]) -> None:
    bts = await conn.fetch(
        f"""{_SCOPE}
        SELECT s.root, coalesce(o.code, b.operator_id) AS operator, b.technologies, count(*) AS n
        FROM scope s
        JOIN {A}.bts_stations b ON b.unit_id = s.unit_id AND b.status = 'active'
        LEFT JOIN {A}.organisations o ON o.organisation_id = b.operator_id
        GROUP BY 1, 2, 3""",
        ids,
    )
    for r in bts:
        counts = found[r["root"]].bts
        counts.active += r["n"]
        _bump(counts.by_operator, r["operator"], r["n"])
        for technology in r["technologies"]:
            _bump(counts.by_technology, technology, r["n"])
    fibre = await conn.fetch(
        f"""{_SCOPE}
        SELECT s.root, count(*) AS villages,
               count(*) FILTER (WHERE EXISTS (SELECT 1 FROM {A}.village_fibre f WHERE f.village_id = s.unit_id))
                   AS with_fibre
        FROM scope s JOIN {U}.units u ON u.unit_id = s.unit_id AND u.level = 'village' AND u.status = 'active'
        GROUP BY 1""",
        ids,
    )
    for r in fibre:
        found[r["root"]].fibre = FibreCounts(villages_with_fibre=r["with_fibre"], villages=r["villages"])


async def _teams_and_facilities(conn: Conn, ids: list[str], found: dict[str, UnitSummary]) -> None:
    teams = await conn.fetch(
        f"""{_SCOPE}
        SELECT s.root, count(*) AS active, sum(t.member_count) AS members
        FROM scope s JOIN {A}.digital_teams t ON t.unit_id = s.unit_id AND t.active GROUP BY 1""",
        ids,
    )
    for r in teams:
        found[r["root"]].teams = TeamCounts(active=r["active"], members=r["members"])
    facilities = await conn.fetch(
        f"""{_SCOPE}
        SELECT s.root, 'postal_points' AS kind, count(*) AS n
            FROM scope s JOIN {A}.postal_points p ON p.unit_id = s.unit_id AND p.status = 'open' GROUP BY 1
        UNION ALL
        SELECT s.root, 'video_endpoints', count(*)
            FROM scope s JOIN {A}.video_endpoints v ON v.unit_id = s.unit_id GROUP BY 1
        UNION ALL
        SELECT s.root, 'wifi_hotspots', count(*)
            FROM scope s JOIN {A}.wifi_hotspots w ON w.unit_id = s.unit_id GROUP BY 1""",
        ids,
    )
    counted: dict[str, dict[str, int]] = defaultdict(dict)
    for r in facilities:
        counted[r["root"]][r["kind"]] = r["n"]
    for root, kinds in counted.items():
        summary = found[root]
        summary.postal_points = kinds.get("postal_points", 0)
        summary.video_endpoints = kinds.get("video_endpoints", 0)
        summary.wifi_hotspots = kinds.get("wifi_hotspots", 0)
