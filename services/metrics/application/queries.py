"""Queries of the metrics service: batched values, values at a level, rankings, units behind
target, completeness, a report's history, and the CSV table. All values come from
``evaluation.evaluate``."""

from __future__ import annotations

import csv
import datetime
import io
from dataclasses import dataclass

import asyncpg

from contracts.metrics_events import IndicatorDefinition
from libs.common.errors import InvalidInputError, NotFoundError
from services.metrics.adapters import indicator_data as data
from services.metrics.adapters.catalogue_reader import SHARED
from services.metrics.adapters.indicator_data import UnitRow
from services.metrics.application.evaluated import Value
from services.metrics.application.evaluation import evaluate
from services.metrics.application.group_rollup import group_members, group_rollup
from services.metrics.domain.periods import Period
from services.metrics.domain.timeliness import Timeliness, classify, deadline

LEVELS = ("province", "district", "commune", "village")
MAX_CELLS = 200_000


@dataclass(frozen=True, slots=True)
class Ranked:
    rank: int
    value: Value


class MetricsQueries:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def catalogue(self) -> dict[str, IndicatorDefinition]:
        async with self.pool.acquire() as conn:
            return dict((await SHARED.current(conn)).indicators)

    async def _check_codes(self, codes: list[str]) -> dict[str, IndicatorDefinition]:
        known = await self.catalogue()
        unknown = [c for c in codes if c not in known]
        if unknown:
            raise NotFoundError(
                f"unknown indicators: {', '.join(unknown)}", code="unknown_indicator", details={"unknown": unknown}
            )
        return known

    async def values(
        self, codes: list[str], unit_codes: list[str], period: Period, as_of: datetime.date | None = None
    ) -> list[Value]:
        known = await self._check_codes(codes)
        async with self.pool.acquire() as conn:
            found = await data.units_by_code(conn, unit_codes, period.end, since=period.start)
            unknown = [c for c in unit_codes if c not in found]
            if unknown:
                raise NotFoundError(
                    f"no unit has these codes in {period}: {', '.join(unknown)}",
                    code="unknown_unit",
                    details={"unknown": unknown},
                )
            units = [found[c] for c in dict.fromkeys(unit_codes)]
            if len(units) * len(codes) > MAX_CELLS:
                raise InvalidInputError("too many values in one request; narrow it", code="too_many_values")
            return await evaluate(conn, known, codes, units, period, as_of=as_of)

    async def units_at(
        self, level: str, parent_code: str | None, day: datetime.date, group_code: str | None = None
    ) -> list[UnitRow]:
        """The units of ``level`` on ``day`` (under ``parent_code``); with ``group_code``, only
        the group's members that day (ADR 0056)."""
        if level not in LEVELS:
            raise InvalidInputError(f"level is one of {', '.join(LEVELS)}", code="invalid_level")
        async with self.pool.acquire() as conn:
            parent_id = None
            if parent_code is not None:
                parent = (await data.units_by_code(conn, [parent_code], day)).get(parent_code)
                if parent is None:
                    raise NotFoundError(f"no unit has the code {parent_code!r} on {day}", code="unknown_unit")
                parent_id = parent.unit_id
            units = await data.units_at_level(conn, parent_id, level, day)
            if group_code is None:
                return units
            members = {u.unit_id for u in await group_members(conn, group_code, day)}
            return [u for u in units if u.unit_id in members]

    async def at_level(
        self,
        codes: list[str],
        period: Period,
        level: str,
        parent_code: str | None,
        as_of: datetime.date | None = None,
        *,
        group_code: str | None = None,
    ) -> list[Value]:
        known = await self._check_codes(codes)
        units = await self.units_at(level, parent_code, period.end, group_code)
        if len(units) * len(codes) > MAX_CELLS:
            raise InvalidInputError("too many values in one request; narrow it", code="too_many_values")
        async with self.pool.acquire() as conn:
            return await evaluate(conn, known, codes, units, period, as_of=as_of)

    async def ranking(
        self, index_code: str, period: Period, level: str, parent_code: str | None, group_code: str | None = None
    ) -> list[Ranked]:
        """Best first; equal scores share a rank (1, 2, 2, 4) and are listed by unit code, so the
        order is the same on every call. Units without a value come last, unranked order by code."""
        known = await self._check_codes([index_code])
        values = await self.at_level([index_code], period, level, parent_code, group_code=group_code)
        better = known[index_code].higher_is_better
        scored = sorted(
            (v for v in values if v.value is not None),
            key=lambda v: ((-(v.value or 0.0) if better else (v.value or 0.0)), v.unit.code),
        )
        out: list[Ranked] = []
        for i, v in enumerate(scored):
            rank = out[-1].rank if out and out[-1].value.value == v.value else i + 1
            out.append(Ranked(rank, v))
        unscored = sorted((v for v in values if v.value is None), key=lambda v: v.unit.code)
        out.extend(Ranked(len(scored) + 1, v) for v in unscored)
        return out

    async def behind_target(
        self, code: str, period: Period, level: str, parent_code: str | None, group_code: str | None = None
    ) -> list[Value]:
        known = await self._check_codes([code])
        better = known[code].higher_is_better
        values = await self.at_level([code], period, level, parent_code, group_code=group_code)

        def behind(v: Value) -> bool:
            if v.target is None:
                return False
            if v.value is None:
                return True
            return v.value < v.target if better else v.value > v.target

        return sorted((v for v in values if behind(v)), key=lambda v: (v.progress is not None, v.progress or 0.0))

    async def completeness(
        self, codes: list[str], period: Period, level: str, parent_code: str | None, group_code: str | None = None
    ) -> tuple[list[UnitRow], dict[str, list[UnitRow]]]:
        """For each reported indicator: the units of the level with no report for the period
        (a value for one of its sub-periods counts)."""
        known = await self._check_codes(codes)
        not_reported = [c for c in codes if known[c].method != "reported"]
        if not_reported:
            raise InvalidInputError(
                f"completeness is about reported indicators; {', '.join(not_reported)} are not",
                code="not_reported",
                details={"codes": not_reported},
            )
        units = await self.units_at(level, parent_code, period.end, group_code)
        periods = [str(p) for p in [period, *period.descendants()]]
        async with self.pool.acquire() as conn:
            rows = await data.reported_values(conn, codes, [u.unit_id for u in units], periods)
        have = {(r.code, r.unit_id) for r in rows}
        return units, {c: [u for u in units if (c, u.unit_id) not in have] for c in codes}

    async def timeliness(
        self, codes: list[str], period: Period, level: str, parent_code: str | None, group_code: str | None = None
    ) -> dict[str, Timeliness[UnitRow]]:
        """For each reported indicator with a deadline: the units of the level that reported the
        period on time, late, or not at all (a first report for a sub-period counts)."""
        known = await self._check_codes(codes)
        without = [c for c in codes if known[c].reporting_deadline_days is None]
        if without:
            raise InvalidInputError(
                f"timeliness needs a reporting deadline; {', '.join(without)} have none",
                code="no_deadline",
                details={"codes": without},
            )
        units = await self.units_at(level, parent_code, period.end, group_code)
        periods = [str(p) for p in [period, *period.descendants()]]
        async with self.pool.acquire() as conn:
            first = await data.first_reports(conn, codes, [u.unit_id for u in units], periods)
        answers = {}
        for code in codes:
            days = known[code].reporting_deadline_days
            assert days is not None
            reported = {u: first[(code, u.unit_id)] for u in units if (code, u.unit_id) in first}
            answers[code] = classify(units, reported, deadline(period, days))
        return answers

    async def group_values(
        self, codes: list[str], group_code: str, period: Period, as_of: datetime.date | None = None
    ) -> list[Value]:
        """Each indicator for the group as a whole: its members' values rolled up (ADR 0056)."""
        known = await self._check_codes(codes)
        async with self.pool.acquire() as conn:
            return await group_rollup(conn, known, codes, group_code, period, as_of)

    async def history(self, code: str, unit_code: str, period: Period) -> list[asyncpg.Record]:
        await self._check_codes([code])
        async with self.pool.acquire() as conn:
            unit = (await data.units_by_code(conn, [unit_code], period.end, since=period.start)).get(unit_code)
            if unit is None:
                raise NotFoundError(f"no unit has the code {unit_code!r} in {period}", code="unknown_unit")
            return await data.reported_history(conn, code, unit.unit_id, str(period))

    async def export_csv(
        self,
        codes: list[str],
        periods: list[Period],
        level: str,
        parent_code: str | None,
        group_code: str | None = None,
    ) -> str:
        """One row per indicator x unit x period."""
        if len(periods) > 60:
            raise InvalidInputError("at most 60 periods in one export", code="too_many_periods")
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(
            [
                "indicator",
                "unit_code",
                "unit_name",
                "level",
                "period",
                "value",
                "reason",
                "target",
                "progress",
                "source",
            ]
        )
        for period in periods:
            for v in await self.at_level(codes, period, level, parent_code, group_code=group_code):
                writer.writerow(
                    [
                        v.code, v.unit.code, v.unit.name, v.unit.level, v.period,
                        "" if v.value is None else f"{v.value:g}", v.reason or "",
                        "" if v.target is None else f"{v.target:g}",
                        "" if v.progress is None else f"{v.progress:.2f}", v.source,
                    ]
                )  # fmt: skip
        return out.getvalue()
