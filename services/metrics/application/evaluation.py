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

from contracts.metrics_events import IndicatorDefinition
from contracts.province import PROVINCE_TZ
from libs.common.db import Conn
from libs.common.errors import InvalidInputError
from services.metrics.adapters import indicator_data as data
from services.metrics.adapters.indicator_data import UnitRow
from services.metrics.application.evaluated import Found, Part, Value
from services.metrics.application.reported_rollup import ReportedResolver
from services.metrics.domain.catalogue import references
from services.metrics.domain.formulas import compile_formula
from services.metrics.domain.periods import Period

COMPUTED_SOURCE = "computed from registry and broadcast events"


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
    resolver = await ReportedResolver.load(conn, reported, defs, roots, period, day) if reported else None
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
        resolver: ReportedResolver | None,
        day: datetime.date,
    ) -> None:
        self.defs = defs
        self.totals = totals
        self.resolver = resolver
        self.day = day
        self.memo: dict[tuple[str, str], Found] = {}

    def value(self, code: str, unit_id: str) -> Found:
        key = (code, unit_id)
        if key not in self.memo:
            self.memo[key] = self._compute(self.defs[code], unit_id)
        return self.memo[key]

    def _compute(self, d: IndicatorDefinition, unit_id: str) -> Found:
        if d.method == "computed":
            total, holders = self.totals.get((unit_id, d.fact or ""), (0.0, 0))
            return Found(
                float(holders) if d.aggregate == "distinct_units" else total, None, "computed", COMPUTED_SOURCE
            )
        if d.method == "reported":
            assert self.resolver is not None
            return self.resolver.unit_value(d.code, unit_id)
        if d.method == "formula":
            formula = compile_formula(d.formula or "")
            inputs = {ref: self.value(ref, unit_id).value for ref in formula.references}
            outcome = formula.evaluate(inputs)
            return Found(outcome.value, outcome.reason, "formula", d.formula or "")
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
        return Found(
            round(score, 6),
            reason,
            "composite",
            "weighted mean of " + ", ".join(c.code for c in d.components),
            None,
            parts,
        )
