"""Schedule queries: a station's slots and interruptions over a period, airtime against the
schedule per station and per unit (rolled up the hierarchy as airtime is), and whether a relay
session met its station's schedule.

What was planned is worked out here from the slots, their exceptions and the days asked: a slot
runs on a day when it is the day's one-day slot, or a weekly slot of that weekday valid that day,
and is not cancelled that day. Slots of a station never overlap each other, nor its sessions
each other, so the minutes aired inside the schedule are the sum of each session's overlap with
each slot.
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from contracts.api.broadcast_schedules import (
    ScheduleInterruptionView,
    ScheduleSlotView,
    StationSchedule,
    UnitScheduleAdherence,
    UnitScheduleAdherencePart,
)
from contracts.province import PROVINCE_TZ
from libs.common.db import Conn
from services.broadcast.adapters.registry_view import S as REGISTRY
from services.broadcast.adapters.registry_view import UnitRow, parents_as_of
from services.broadcast.domain.period import Period
from services.broadcast.domain.schedules import hh_mm

SC = "broadcast_schedules"
AIRTIME = "broadcast_airtime"
OFFSET = PROVINCE_TZ.utcoffset(None)
FIGURES = ("planned", "aired", "in_schedule", "outside", "interrupted")


def _runs(slot: str, day: str) -> str:
    """SQL: slot ``slot`` runs on date ``day``."""
    return f"""({slot}.on_day = {day} OR ({slot}.on_day IS NULL AND {slot}.weekday = extract(isodow FROM {day})::int
                AND {slot}.valid_from <= {day}))
            AND ({slot}.valid_until IS NULL OR {day} < {slot}.valid_until)
            AND NOT EXISTS (SELECT 1 FROM {SC}.cancellations c WHERE c.slot_id = {slot}.slot_id AND c.on_day = {day})"""


def _instant(ts: str, minutes: str, offset: str) -> str:
    """SQL: the instant ``minutes`` after the local midnight ``ts`` (a timestamp without zone)."""
    return f"(({ts} + {minutes} * interval '1 minute') AT TIME ZONE 'UTC' - {offset})"


def outside_schedule_sql(session: str) -> str:
    """SQL (a boolean): the session ``session`` (a row of ``broadcast_airtime.sessions``) met no slot
    of its station's schedule, and the station has one. Its offset parameter is spelled inline."""
    offset = f"interval '{int(OFFSET.total_seconds()) if OFFSET else 0} seconds'"
    local = f"(({session}.%s AT TIME ZONE 'UTC') + {offset})"
    return f"""(EXISTS (SELECT 1 FROM {SC}.slots any_slot WHERE any_slot.station_id = {session}.station_id)
        AND NOT EXISTS (
            SELECT 1 FROM {SC}.slots sl
            CROSS JOIN LATERAL generate_series(date_trunc('day', {local % "started_at"}),
                                               {local % "ended_at"}, interval '1 day') AS d(ts)
            WHERE sl.station_id = {session}.station_id AND {_runs("sl", "d.ts::date")}
              AND {_instant("d.ts", "sl.starts", offset)} < {session}.ended_at
              AND {_instant("d.ts", "sl.ends", offset)} > {session}.started_at))"""


def _figures_sql(stations: str) -> str:
    """SQL: the period's figures per ``part`` of the stations CTE ``stations`` (station_id, part).
    Parameters after the CTE's: first day, last day, the period's first and next instants, offset.

    Sessions meet slots only on the local days both touch, so they are joined by (station, day)
    (hash joins), never each session against every slot instance of the period: ``touched`` is
    materialized so that the planner cannot join by station first and by day after."""
    local_day = "((({0}) AT TIME ZONE 'UTC') + $6::interval)::date"
    return f"""
        WITH RECURSIVE {stations},
        days AS (
            SELECT ts, ts::date AS day, extract(isodow FROM ts)::int AS weekday
            FROM generate_series($2::timestamp, $3::timestamp, interval '1 day') ts
        ),
        running AS (
            SELECT sl.*, days.ts, days.day FROM {SC}.slots sl
            JOIN days ON days.weekday = sl.weekday AND days.day >= sl.valid_from
            WHERE sl.on_day IS NULL AND sl.station_id IN (SELECT station_id FROM st)
            UNION ALL
            SELECT sl.*, days.ts, days.day FROM {SC}.slots sl JOIN days ON days.day = sl.on_day
            WHERE sl.station_id IN (SELECT station_id FROM st)
        ),
        planned AS (
            SELECT st.station_id, st.part, r.day, (r.ends - r.starts) * 60 AS seconds,
                   tstzrange({_instant("r.ts", "r.starts", "$6::interval")},
                             {_instant("r.ts", "r.ends", "$6::interval")}, '[)') AS during
            FROM running r JOIN st ON st.station_id = r.station_id
            WHERE (r.valid_until IS NULL OR r.day < r.valid_until)
              AND NOT EXISTS (SELECT 1 FROM {SC}.cancellations c WHERE c.slot_id = r.slot_id AND c.on_day = r.day)
        ),
        aired AS (
            SELECT st.station_id, st.part, se.session_id,
                   tstzrange(greatest(se.started_at, $4), least(se.ended_at, $5), '[)') AS during
            FROM st JOIN {AIRTIME}.sessions se ON se.station_id = st.station_id
            WHERE NOT se.cancelled AND se.started_at < $5 AND se.ended_at > $4
        ),
        touched AS MATERIALIZED (
            SELECT a.*, d::date AS day FROM aired a,
                 generate_series({local_day.format("lower(a.during)")},
                                 {local_day.format("upper(a.during) - interval '1 microsecond'")}, interval '1 day') d
        ),
        met AS (
            SELECT t.session_id, t.part,
                   sum(extract(epoch FROM upper(t.during * p.during) - lower(t.during * p.during))) AS seconds
            FROM touched t JOIN planned p ON p.station_id = t.station_id AND p.day = t.day AND p.during && t.during
            GROUP BY t.session_id, t.part
        ),
        scheduled AS (SELECT DISTINCT station_id FROM {SC}.slots WHERE station_id IN (SELECT station_id FROM st))
        SELECT 'planned' AS figure, part, sum(seconds)::bigint AS value FROM planned GROUP BY part
        UNION ALL
        SELECT 'aired', part, sum(extract(epoch FROM upper(during) - lower(during)))::bigint FROM aired GROUP BY part
        UNION ALL
        SELECT 'in_schedule', part, sum(seconds)::bigint FROM met GROUP BY part
        UNION ALL
        SELECT 'outside', a.part, count(*) FROM aired a JOIN scheduled USING (station_id)
        WHERE NOT EXISTS (SELECT 1 FROM met m WHERE m.session_id = a.session_id)
        GROUP BY a.part
        UNION ALL
        SELECT 'interrupted', st.part, count(*) FROM st JOIN {SC}.interruptions i ON i.station_id = st.station_id
        WHERE i.on_day BETWEEN $2::date AND $3::date GROUP BY st.part
    """


async def _figures(
    conn: Conn, stations: str, first: object, period: Period, *more: object
) -> dict[str | None, dict[str, int]]:
    """``more``: the stations CTE's parameters after ``first`` and the period's, from ``$7``."""
    rows = await conn.fetch(
        _figures_sql(stations),
        first,
        datetime.datetime.combine(period.first_day, datetime.time()),
        datetime.datetime.combine(period.last_day, datetime.time()),
        period.starts_at,
        period.ends_at,
        OFFSET,
        *more,
    )
    found: dict[str | None, dict[str, int]] = defaultdict(lambda: dict.fromkeys(FIGURES, 0))
    for r in rows:
        found[r["part"]][r["figure"]] = r["value"] or 0
    return found


def _adherence(figures: dict[str, int]) -> dict[str, int]:
    return {
        "planned_minutes": figures["planned"] // 60,
        "aired_minutes": figures["aired"] // 60,
        "aired_in_schedule_minutes": figures["in_schedule"] // 60,
        "sessions_outside_schedule": figures["outside"],
        "interruption_count": figures["interrupted"],
    }


def _zero() -> dict[str, int]:
    return dict.fromkeys(FIGURES, 0)


async def station_schedule(conn: Conn, station_id: str, unit_code: str, period: Period) -> StationSchedule:
    stations = "st AS (SELECT $1::text AS station_id, NULL::text AS part)"
    figures = (await _figures(conn, stations, station_id, period)).get(None, _zero())
    slots = await conn.fetch(
        f"""SELECT sl.*, coalesce(array_agg(c.on_day ORDER BY c.on_day) FILTER (WHERE c.on_day IS NOT NULL),
                                  '{{}}') AS cancelled_on
            FROM {SC}.slots sl
            LEFT JOIN {SC}.cancellations c ON c.slot_id = sl.slot_id AND c.on_day BETWEEN $2 AND $3
            WHERE sl.station_id = $1
              AND (sl.on_day BETWEEN $2 AND $3
                   OR (sl.on_day IS NULL AND sl.valid_from <= $3 AND (sl.valid_until IS NULL OR sl.valid_until > $2)))
            GROUP BY sl.slot_id
            ORDER BY coalesce(sl.weekday, extract(isodow FROM sl.on_day)::int), sl.on_day NULLS FIRST, sl.starts""",
        station_id,
        period.first_day,
        period.last_day,
    )
    interruptions = await conn.fetch(
        f"""SELECT * FROM {SC}.interruptions WHERE station_id = $1 AND on_day BETWEEN $2 AND $3
            ORDER BY interrupted_at, bulletin_kind, bulletin_id""",
        station_id,
        period.first_day,
        period.last_day,
    )
    return StationSchedule(
        station_id=station_id,
        period=str(period),
        slots=[
            ScheduleSlotView(
                **{k: r[k] for k in ("slot_id", "station_id", "unit_code", "kind", "source", "weekday", "title")},
                starts=hh_mm(r["starts"]),
                ends=hh_mm(r["ends"]),
                valid_from=r["valid_from"],
                valid_until=r["valid_until"],
                on=r["on_day"],
                cancelled_on=list(r["cancelled_on"]),
            )
            for r in slots
        ],
        interruptions=[
            ScheduleInterruptionView(
                **{k: r[k] for k in ("station_id", "unit_code", "slot_id", "interrupted_at", "bulletin_kind")},
                bulletin_id=r["bulletin_id"],
                on=r["on_day"],
            )
            for r in interruptions
        ],
        **_adherence(figures),
    )


async def unit_adherence(
    conn: Conn, unit: UnitRow, period: Period, as_of: datetime.date | None = None
) -> UnitScheduleAdherence:
    """Airtime against the schedule at the stations of the unit and the units under it, with the
    split by direct child (a district's communes, a province's districts); ``as_of``: the day
    whose unit tree gives the units under it and its children (None: today's)."""
    stations = f"""parents AS {parents_as_of("$7")},
        tree AS (
            SELECT unit_id, unit_id AS child FROM parents WHERE parent_id = $1
            UNION
            SELECT p.unit_id, t.child FROM parents p JOIN tree t ON p.parent_id = t.unit_id
        ), placed AS (SELECT unit_id, child FROM tree UNION ALL SELECT $1, NULL),
        st AS (SELECT s.station_id, p.child AS part
               FROM placed p JOIN {REGISTRY}.stations s ON s.unit_id = p.unit_id)"""
    per_part = await _figures(conn, stations, unit.unit_id, period, as_of)
    total = _zero()
    for figures in per_part.values():
        for name, value in figures.items():
            total[name] += value
    children = await conn.fetch(
        f"""SELECT u.unit_id, u.code, u.name FROM {parents_as_of("$2")} p JOIN {REGISTRY}.units u USING (unit_id)
            WHERE p.parent_id = $1 ORDER BY u.code""",
        unit.unit_id,
        as_of,
    )
    parts = [
        UnitScheduleAdherencePart(
            unit_code=c["code"], name=c["name"], **_adherence(per_part.get(c["unit_id"], _zero()))
        )
        for c in children
    ]
    return UnitScheduleAdherence(
        unit_code=unit.code, name=unit.name, period=str(period), children=parts, **_adherence(total)
    )
