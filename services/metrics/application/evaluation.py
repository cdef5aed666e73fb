"""Evaluates indicators for units and a period: the one code path behind every query, the
rankings, the CSV export and the change emitter, so they can never disagree.

- computed: the sum of the facts over the unit's subtree on the period's last day (stocks) or
  over the period's days (flows); ``distinct_units`` counts the units holding any;
- reported: the value reported for the unit and period; else, for a flow, the sum of the
  sub-periods' values (months -> quarter -> year), for a stock the latest sub-period's; else
  the unit's children's values rolled up (sum or average);
- formula: evaluated on the unit's own inputs, so a share at the province is the ratio of the
  province's sums (``ratio_of_sums``); a division by zero gives null with the reason;
- composite: the weighted mean of its components at the unit; a missing component counts 0 and
  is named in the breakdown.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

from contracts.metrics_events import IndicatorDefinition
from contracts.province import PROVINCE_TZ
from libs.common.db import Conn
from libs.common.errors import InvalidInputError
from services.metrics.adapters import indicator_data as data
from services.metrics.adapters.indicator_data import Reported, UnitRow
from services.metrics.domain.catalogue import references
from services.metrics.domain.formulas import compile_formula
from services.metrics.domain.periods import Period

COMPUTED_SOURCE = "computed from registry and broadcast events"


@dataclass(frozen=True, slots=True)
class Part:
    code: str
    weight: float
    value: float | None
    contribution: float
    missing: bool


@dataclass(slots=True)
class Value:
    code: str
    unit: UnitRow
    period: str
    value: float | None
    reason: str | None
    origin: str
    """reported, rollup, computed, formula or composite."""
    source: str
    as_of: datetime.datetime
    target: float | None = None
    progress: float | None = None
    """100 * value / target, in percent."""
    breakdown: list[Part] = field(default_factory=list)


@dataclass(slots=True)
class _Found:
    value: float | None
    reason: str | None
    origin: str
    source: str
    as_of: datetime.datetime | None = None
    breakdown: list[Part] = field(default_factory=list)


def end_of(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(23, 59, 59), PROVINCE_TZ)


def needed_codes(catalogue: Mapping[str, IndicatorDefinition], codes: list[str]) -> list[str]:
    out: list[str] = []
    stack = list(codes)
    while stack:
        code = stack.pop()
        if code in out:
            continue
        out.append(code)
        stack.extend(references(catalogue[code]))
    return out


def evaluation_day(period: Period, as_of: datetime.date | None) -> datetime.date:
    if as_of is None:
        return period.end
    if as_of < period.start:
        raise InvalidInputError(
            f"as_of {as_of} is before the period {period} starts", code="invalid_as_of", details={"as_of": str(as_of)}
        )
    return min(as_of, period.end)


async def evaluate(
    conn: Conn,
    catalogue: Mapping[str, IndicatorDefinition],
    codes: list[str],
    units: list[UnitRow],
    period: Period,
    *,
    as_of: datetime.date | None = None,
) -> list[Value]:
    """Every (code, unit) pair, codes outer, units inner.

    A unit that ended during the period is evaluated on its last day."""
    day = evaluation_day(period, as_of)
    groups: dict[datetime.date, list[UnitRow]] = defaultdict(list)
    for unit in units:
        last = unit.valid_to - datetime.timedelta(days=1) if unit.valid_to is not None else day
        groups[min(day, max(last, period.start))].append(unit)
    found: dict[tuple[str, str], Value] = {}
    for group_day, members in groups.items():
        for v in await _evaluate_on(conn, catalogue, codes, members, period, group_day):
            found[(v.code, v.unit.unit_id)] = v
    return [found[(code, unit.unit_id)] for code in codes for unit in units]


async def _evaluate_on(  # noqa: PLR0917 - internal
    conn: Conn,
    catalogue: Mapping[str, IndicatorDefinition],
    codes: list[str],
    units: list[UnitRow],
    period: Period,
    day: datetime.date,
) -> list[Value]:
    needed = needed_codes(catalogue, codes)
    defs = {c: catalogue[c] for c in needed}
    roots = [u.unit_id for u in units]
    computed = [d for d in defs.values() if d.method == "computed" and d.fact]
    totals = await data.fact_totals(
        conn,
        roots,
        day,
        stock_facts=sorted({d.fact for d in computed if d.kind == "stock" and d.fact}),
        flow_facts=sorted({d.fact for d in computed if d.kind == "flow" and d.fact}),
        flow_from=period.start,
    )
    reported = [c for c, d in defs.items() if d.method == "reported"]
    resolver = await _ReportedResolver.load(conn, reported, defs, roots, period, day) if reported else None
    engine = _Engine(defs, totals, resolver, day)
    goals = await data.targets(conn, codes, roots, period.year)
    out: list[Value] = []
    for code in codes:
        for unit in units:
            found = engine.value(code, unit.unit_id)
            target = goals.get((code, unit.unit_id))
            progress = None
            if target is not None and target != 0 and found.value is not None:
                progress = round(100.0 * found.value / target, 6)
            out.append(
                Value(
                    code, unit, str(period), found.value, found.reason, found.origin, found.source,
                    found.as_of or end_of(day), target, progress, found.breakdown,
                )
            )  # fmt: skip
    return out


class _Engine:
    def __init__(
        self,
        defs: Mapping[str, IndicatorDefinition],
        totals: Mapping[tuple[str, str], tuple[float, int]],
        resolver: _ReportedResolver | None,
        day: datetime.date,
    ) -> None:
        self.defs = defs
        self.totals = totals
        self.resolver = resolver
        self.day = day
        self.memo: dict[tuple[str, str], _Found] = {}

    def value(self, code: str, unit_id: str) -> _Found:
        key = (code, unit_id)
        if key not in self.memo:
            self.memo[key] = self._compute(self.defs[code], unit_id)
        return self.memo[key]

    def _compute(self, d: IndicatorDefinition, unit_id: str) -> _Found:
        if d.method == "computed":
            total, holders = self.totals.get((unit_id, d.fact or ""), (0.0, 0))
            return _Found(
                float(holders) if d.aggregate == "distinct_units" else total, None, "computed", COMPUTED_SOURCE
            )
        if d.method == "reported":
            assert self.resolver is not None
            return self.resolver.unit_value(d.code, unit_id)
        if d.method == "formula":
            formula = compile_formula(d.formula or "")
            inputs = {ref: self.value(ref, unit_id).value for ref in formula.references}
            outcome = formula.evaluate(inputs)
            return _Found(outcome.value, outcome.reason, "formula", d.formula or "")
        parts: list[Part] = []
        total_weight = sum(c.weight for c in d.components)
        score = 0.0
        for c in d.components:
            v = self.value(c.code, unit_id).value
            contribution = (v or 0.0) * c.weight / total_weight
            score += contribution
            parts.append(Part(c.code, c.weight, v, round(contribution, 6), v is None))
        missing = [p.code for p in parts if p.missing]
        reason = ("counted 0 for lack of a value: " + ", ".join(missing)) if missing else None
        return _Found(
            round(score, 6),
            reason,
            "composite",
            "weighted mean of " + ", ".join(c.code for c in d.components),
            None,
            parts,
        )


class _ReportedResolver:
    """Reported values for a period, rolled up over sub-periods and then over the hierarchy."""

    def __init__(
        self,
        defs: Mapping[str, IndicatorDefinition],
        rows: list[Reported],
        children: Mapping[str, list[str]],
        period: Period,
        day: datetime.date,
    ) -> None:
        self.defs = defs
        self.rows: dict[tuple[str, str], dict[str, Reported]] = defaultdict(dict)
        for r in rows:
            self.rows[(r.code, r.unit_id)][r.period] = r
        self.children = children
        self.period = str(period)
        self.memo: dict[tuple[str, str], _Found] = {}
        # Sub-periods that have ended by the day asked about, once per query (not per unit).
        self.subs: dict[str, list[str]] = {}
        for p in [period, *period.descendants()]:
            self.subs[str(p)] = [str(c) for c in p.children() if c.end <= day]

    @staticmethod
    async def load(  # noqa: PLR0917 - internal, called once
        conn: Conn,
        codes: list[str],
        defs: Mapping[str, IndicatorDefinition],
        roots: list[str],
        period: Period,
        day: datetime.date,
    ) -> _ReportedResolver:
        edges = await data.subtree_edges(conn, roots, day)
        children: dict[str, list[str]] = defaultdict(list)
        units = set(roots)
        for _, unit_id, parent_id in edges:
            units.add(unit_id)
            if parent_id is not None and unit_id not in children[parent_id]:
                children[parent_id].append(unit_id)
        periods = [str(p) for p in [period, *period.descendants()] if p.end <= day or p == period]
        rows = await data.reported_values(conn, codes, sorted(units), periods)
        return _ReportedResolver(defs, rows, children, period, day)

    def unit_value(self, code: str, unit_id: str) -> _Found:
        key = (code, unit_id)
        if key in self.memo:
            return self.memo[key]
        reports = self.rows.get(key)
        found = self._period_value(self.defs[code].kind, reports, self.period) if reports else None
        if found is None:
            d = self.defs[code]
            below = [self.unit_value(code, child) for child in sorted(self.children.get(unit_id, []))]
            values = [f.value for f in below if f.value is not None]
            if values:
                total = sum(values) if d.rollup == "sum" else sum(values) / len(values)
                found = _Found(total, None, "rollup", f"{d.rollup} of {len(values)} units' values")
            else:
                found = _Found(None, "not reported", "reported", "")
        self.memo[key] = found
        return found

    def _period_value(self, kind: str, reports: Mapping[str, Reported], period: str) -> _Found | None:
        row = reports.get(period)
        if row is not None:
            return _Found(row.value, None, "reported", row.source, row.recorded_at)
        subs = self.subs.get(period)
        if not subs:
            return None
        if kind == "stock":
            for sub in reversed(subs):
                found = self._period_value(kind, reports, sub)
                if found is not None:
                    return found
            return None
        parts = [f for f in (self._period_value(kind, reports, sub) for sub in subs) if f is not None]
        if not parts:
            return None
        latest = max((p.as_of for p in parts if p.as_of is not None), default=None)
        return _Found(sum(p.value or 0.0 for p in parts), None, "reported", f"sum of {len(parts)} sub-periods", latest)
