"""Announces computed values that changed: ``metrics.indicator_value_changed`` (and threshold
breaches or clearances) appended to the metrics event store by the computing projection, in
the transaction that applies the batch and moves its checkpoint.

For each unit a batch touched, its ancestors (province, district, commune; villages are not
announced) are re-evaluated for the year of the touched day and, for a stock, for the current
year too (what the operations centre watches). Each value is compared with the last one
announced (``metrics.emitted_values``); only differences are appended, so a redelivered batch,
a rebuild or a no-op event announces nothing.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Set

from contracts.base import Event
from contracts.metrics_events import IndicatorDefinition, IndicatorValueChanged
from contracts.province import PROVINCE_TZ
from libs.common.db import Conn
from services.metrics.adapters import announced_values as announced
from services.metrics.adapters import indicator_data as data
from services.metrics.adapters.catalogue_reader import SHARED
from services.metrics.adapters.facts_writer import Touched
from services.metrics.adapters.indicator_data import UnitRow
from services.metrics.application.evaluation import evaluate, needed_codes
from services.metrics.domain.periods import Period
from services.metrics.domain.values import UnitRef, threshold_events

ANY_FACT = "*"


def announced_codes(catalogue: dict[str, IndicatorDefinition]) -> list[str]:
    """Every indicator but the reported ones: a reported value is announced by the command that
    records it; what follows from it (rollups, formulas, the DTI) is announced here."""
    return sorted(code for code, d in catalogue.items() if d.method != "reported")


def dependents(catalogue: dict[str, IndicatorDefinition], code: str) -> list[str]:
    """The indicator and every indicator computed from it."""
    return sorted(c for c in catalogue if code in needed_codes(catalogue, [c]))


def _depends_on(catalogue: dict[str, IndicatorDefinition], code: str, facts: set[str]) -> bool:
    """Whether a change to these facts can change the indicator (any, when the hierarchy changed)."""
    if ANY_FACT in facts:
        return True
    return any(catalogue[c].fact in facts for c in needed_codes(catalogue, [code]))


async def emit_changes(conn: Conn, schema: str, touched: Touched, occurred_at: datetime.datetime) -> int:
    """Returns how many events it appended."""
    catalogue = (await SHARED.current(conn)).indicators
    codes = announced_codes(catalogue)
    if not codes:
        return 0
    current_year = datetime.datetime.now(PROVINCE_TZ).year
    by_year: dict[int, set[str]] = defaultdict(set)
    facts_by_year: dict[int, set[str]] = defaultdict(set)
    for unit_id, day, flow, fact in touched.items:
        years = [day.year] if flow or day.year >= current_year else [day.year, current_year]
        for year in years:
            by_year[year].add(unit_id)
            facts_by_year[year].add(fact)
    await announced.lock(conn)
    appended = 0
    for year, unit_ids in sorted(by_year.items()):
        period = Period(year, "year", 1)
        units = await announced.ancestors(conn, sorted(unit_ids), period.end)
        affected = [c for c in codes if _depends_on(catalogue, c, facts_by_year[year])]
        if units and affected:
            appended += await _announce(conn, catalogue, affected, units, period)
    return appended


async def announce_reported(conn: Conn, reports: set[tuple[str, str, str]]) -> int:
    """After reported values (code, unit_id, period) changed: announce what follows from them
    for the unit and its ancestors, for the period and the coarser ones (a month's report
    changes its quarter and year), but not the reported values themselves (their commands did).

    Reports of one indicator in one period are evaluated together, over the ancestors of all
    their units: a batch of the district's communes for one month evaluates the district and
    the province once, not once per commune."""
    catalogue = (await SHARED.current(conn)).indicators
    await announced.lock(conn)
    groups: dict[tuple[Period, tuple[str, ...]], tuple[set[str], set[tuple[str, str, str]]]] = {}
    for code, unit_id, text in sorted(reports):
        if code not in catalogue:
            continue
        reported = Period.parse(text)
        periods = [reported, *([Period(reported.year, "quarter", (reported.index + 2) // 3)]
                               if reported.granularity == "month" else [])]  # fmt: skip
        if reported.granularity != "year":
            periods.append(reported.year_period())
        codes = tuple(dependents(catalogue, code))
        for period in periods:
            unit_ids, skip = groups.setdefault((period, codes), (set(), set()))
            unit_ids.add(unit_id)
            skip.add((code, unit_id, text))
    appended = 0
    for (period, codes), (unit_ids, skip) in groups.items():
        units = await announced.ancestors(conn, sorted(unit_ids), period.end)
        if units:
            appended += await _announce(conn, catalogue, list(codes), units, period, skip=skip)
    return appended


async def _announce(  # noqa: PLR0917 - internal
    conn: Conn,
    catalogue: dict[str, IndicatorDefinition],
    codes: list[str],
    units: list[UnitRow],
    period: Period,
    skip: Set[tuple[str, str, str]] = frozenset(),
) -> int:
    """``skip``: (code, unit id, period) of values not to announce here (reported ones)."""
    values = [
        v
        for v in await evaluate(conn, catalogue, codes, units, period)
        if (v.code, v.unit.unit_id, v.period) not in skip
    ]
    ids = [u.unit_id for u in units]
    known = await announced.last_announced(conn, str(period), ids)
    thresholds = await data.thresholds(conn)
    rows: list[tuple[str, str, str, int, Event, datetime.datetime]] = []
    emitted: list[tuple[str, str, str, float | None, str | None, int]] = []
    for v in values:
        previous, version = known.get((v.code, v.unit.unit_id), (None, 0))
        if version == 0 and not v.value:
            continue  # nothing was there and nothing is: no news
        if version > 0 and previous == v.value:
            continue
        stream = f"computed:{v.code}:{v.unit.unit_id}:{v.period}"
        unit = UnitRef(v.unit.unit_id, v.unit.code, v.unit.level)
        events: list[Event] = [
            IndicatorValueChanged(
                indicator_code=v.code, unit_id=unit.unit_id, unit_code=unit.code, unit_level=unit.level,
                period=v.period, value=v.value, reason=v.reason, previous_value=previous, target=v.target,
                origin="computed", source=v.source, as_of=v.as_of,
            ),
            *threshold_events(thresholds.get(v.code), v.code, unit, v.period, previous, v.value, v.as_of),
        ]  # fmt: skip
        for event in events:
            version += 1
            rows.append((stream, "computed_value", event.type_name(), version, event, v.as_of))
        emitted.append((v.code, v.unit.unit_id, v.period, v.value, v.reason, version))
    if not rows:
        return 0
    await announced.append(conn, rows, emitted)
    return len(rows)
