"""Reported values for a period: the value reported for the period itself, else its
sub-periods' (a flow's sum, a stock's latest), else the unit's children's rolled up."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Mapping

from contracts.metrics_events import IndicatorDefinition
from libs.common.db import Conn
from services.metrics.adapters import indicator_data as data
from services.metrics.adapters.indicator_data import Reported
from services.metrics.application.evaluated import Found
from services.metrics.domain.periods import Period


class ReportedResolver:
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
        self.memo: dict[tuple[str, str], Found] = {}
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
    ) -> ReportedResolver:
        edges = await data.subtree_edges(conn, roots, day)
        children: dict[str, list[str]] = defaultdict(list)
        units = set(roots)
        for _, unit_id, parent_id in edges:
            units.add(unit_id)
            if parent_id is not None and unit_id not in children[parent_id]:
                children[parent_id].append(unit_id)
        periods = [str(p) for p in [period, *period.descendants()] if p.end <= day or p == period]
        rows = await data.reported_values(conn, codes, sorted(units), periods)
        return ReportedResolver(defs, rows, children, period, day)

    def unit_value(self, code: str, unit_id: str) -> Found:
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
                found = Found(total, None, "rollup", f"{d.rollup} of {len(values)} units' values")
            else:
                found = Found(None, "not reported", "reported", "")
        self.memo[key] = found
        return found

    def _period_value(self, kind: str, reports: Mapping[str, Reported], period: str) -> Found | None:
        row = reports.get(period)
        if row is not None:
            return Found(row.value, None, "reported", row.source, row.recorded_at)
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
        return Found(sum(p.value or 0.0 for p in parts), None, "reported", f"sum of {len(parts)} sub-periods", latest)
