"""Indicators for a unit group as a whole (ADR 0056): its members on the day asked, evaluated
like any unit (``evaluation.evaluate``), then rolled up the way the unit tree rolls up.

- computed: the sum of the members' values (facts are per unit, so members that do not nest
  count each fact once);
- reported: the members' values by the indicator's ``rollup`` (sum or average), null with the
  reason when none reported;
- formula: evaluated on the group's own inputs, so a share is the ratio of the group's sums;
- composite: the weighted mean of its components at the group, a missing one counting 0.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Mapping

from contracts.metrics_events import IndicatorDefinition
from libs.common.db import Conn
from libs.common.errors import NotFoundError
from services.metrics.adapters import unit_groups
from services.metrics.adapters.indicator_data import UnitRow
from services.metrics.application.evaluated import Found, Part, Value
from services.metrics.application.evaluation import COMPUTED_SOURCE, end_of, evaluate, evaluation_day, needed_codes
from services.metrics.domain.formulas import compile_formula
from services.metrics.domain.periods import Period

GROUP_LEVEL = "group"
"""The ``unit_level`` of a group's own values, which are no unit's."""


async def group_members(conn: Conn, group_code: str, day: datetime.date) -> list[UnitRow]:
    """The members of the group on ``day``; ``unknown_unit_group`` (404) if there is no such group."""
    code = group_code.strip().upper()
    if await unit_groups.group_name(conn, code) is None:
        raise NotFoundError(f"no unit group has the code {group_code!r}", code="unknown_unit_group")
    return await unit_groups.members_on(conn, code, day)


async def group_rollup(  # noqa: PLR0917 - the query's arguments
    conn: Conn,
    catalogue: Mapping[str, IndicatorDefinition],
    codes: list[str],
    group_code: str,
    period: Period,
    as_of: datetime.date | None,
) -> list[Value]:
    day = evaluation_day(period, as_of)
    members = await group_members(conn, group_code, day)
    code = group_code.strip().upper()
    name = await unit_groups.group_name(conn, code) or code
    needed = needed_codes(catalogue, codes)
    values = await evaluate(conn, catalogue, needed, members, period, as_of=as_of) if members else []
    by_code: dict[str, list[float]] = defaultdict(list)
    for v in values:
        if v.value is not None:
            by_code[v.code].append(v.value)
    roll = _Rollup(catalogue, by_code, len(members))
    group = UnitRow(f"group:{code}", code, name, GROUP_LEVEL)
    out = []
    for c in codes:
        found = roll.value(c)
        out.append(Value(c, group, str(period), found.value, found.reason, found.origin, found.source, end_of(day),
                         breakdown=found.breakdown))  # fmt: skip
    return out


class _Rollup:
    def __init__(self, defs: Mapping[str, IndicatorDefinition], members: Mapping[str, list[float]], size: int) -> None:
        self.defs = defs
        self.members = members
        self.size = size
        self.memo: dict[str, Found] = {}

    def value(self, code: str) -> Found:
        if code not in self.memo:
            self.memo[code] = self._compute(self.defs[code])
        return self.memo[code]

    def _compute(self, d: IndicatorDefinition) -> Found:
        values = self.members.get(d.code, [])
        if d.method == "computed":
            return Found(sum(values), None, "computed", COMPUTED_SOURCE)
        if d.method == "reported":
            if not values:
                return Found(None, "not reported", "reported", "")
            total = sum(values) if d.rollup == "sum" else sum(values) / len(values)
            return Found(total, None, "rollup", f"{d.rollup} of {len(values)} of {self.size} members' values")
        if d.method == "formula":
            formula = compile_formula(d.formula or "")
            outcome = formula.evaluate({ref: self.value(ref).value for ref in formula.references})
            return Found(outcome.value, outcome.reason, "formula", d.formula or "")
        parts: list[Part] = []
        total_weight = sum(c.weight for c in d.components)
        score = 0.0
        for c in d.components:
            v = self.value(c.code).value
            contribution = (v or 0.0) * c.weight / total_weight
            score += contribution
            parts.append(Part(c.code, c.weight, v, round(contribution, 6), v is None))
        missing = [p.code for p in parts if p.missing]
        reason = ("counted 0 for lack of a value: " + ", ".join(missing)) if missing else None
        source = "weighted mean of " + ", ".join(c.code for c in d.components)
        return Found(round(score, 6), reason, "composite", source, None, parts)
