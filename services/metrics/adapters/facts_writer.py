"""SQL that keeps the ``metrics_facts`` tables: units over time, assets, dated facts."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field

from libs.common.db import Conn


@dataclass
class Touched:
    """What a batch changed: (unit_id, day, is_flow) for the change emitter."""

    items: set[tuple[str, datetime.date, bool, str]] = field(default_factory=set)
    """(unit_id, day, is_flow, fact): ``ANY_FACT`` when the hierarchy itself changed."""
    unresolved: set[tuple[datetime.date, bool]] = field(default_factory=set)

    def add(self, unit_id: str | None, day: datetime.date, flow: bool = False, fact: str = "*") -> None:
        if unit_id is None:
            self.unresolved.add((day, flow))
        else:
            self.items.add((unit_id, day, flow, fact))


class FactsWriter:
    def __init__(self, conn: Conn, schema: str, touched: Touched) -> None:
        self.conn = conn
        self.s = schema
        self.touched = touched

    # --- units -------------------------------------------------------------------------

    async def register_unit(  # noqa: PLR0917 - the fields of the event
        self, unit_id: str, code: str, name: str, level: str, parent_id: str | None, day: datetime.date
    ) -> None:
        s = self.s
        await self.conn.execute(
            f"""INSERT INTO {s}.units (unit_id, code, name, level, valid_from) VALUES ($1, $2, $3, $4, $5)
                ON CONFLICT (unit_id) DO UPDATE SET code = $2, name = $3, level = $4, valid_from = $5""",
            unit_id, code, name, level, day,
        )  # fmt: skip
        if parent_id is not None:
            await self.set_parent(unit_id, parent_id, day)
        fact = {"district": "admin.districts", "commune": "admin.communes", "village": "admin.villages"}.get(level)
        if fact is not None:
            await self.set_fact(unit_id, fact, unit_id, 1.0, day)
        # Facts that named this unit by code before it arrived.
        resolved = await self.conn.fetch(
            f"""UPDATE {s}.facts SET unit_id = $1 WHERE via_code = $2 AND unit_id IS NULL AND valid_from >= $3
                RETURNING valid_from, valid_to, fact""",
            unit_id, code, day,
        )  # fmt: skip
        for row in resolved:
            self.touched.add(unit_id, row["valid_from"], row["valid_to"] is not None, row["fact"])

    async def set_parent(self, unit_id: str, parent_id: str, day: datetime.date) -> None:
        s = self.s
        await self.conn.execute(
            f"UPDATE {s}.unit_parents SET valid_to = $2 WHERE unit_id = $1 AND valid_to IS NULL AND valid_from < $2",
            unit_id, day,
        )  # fmt: skip
        await self.conn.execute(
            f"""INSERT INTO {s}.unit_parents (unit_id, parent_id, valid_from) VALUES ($1, $2, $3)
                ON CONFLICT (unit_id, valid_from) DO UPDATE SET parent_id = $2, valid_to = NULL""",
            unit_id, parent_id, day,
        )  # fmt: skip
        self.touched.add(unit_id, day)

    async def rename_unit(self, unit_id: str, name: str) -> None:
        await self.conn.execute(f"UPDATE {self.s}.units SET name = $2 WHERE unit_id = $1", unit_id, name)

    async def end_unit(self, unit_id: str, day: datetime.date) -> None:
        """The unit stops existing on ``day`` (merged, split, dissolved): it and its facts end."""
        s = self.s
        await self.conn.execute(f"UPDATE {s}.units SET valid_to = $2 WHERE unit_id = $1", unit_id, day)
        await self.conn.execute(
            f"UPDATE {s}.unit_parents SET valid_to = $2 WHERE unit_id = $1 AND valid_to IS NULL", unit_id, day
        )
        for fact in ("admin.districts", "admin.communes", "admin.villages"):
            await self.set_fact(unit_id, fact, unit_id, 0.0, day)
        self.touched.add(unit_id, day)

    # --- assets ------------------------------------------------------------------------

    async def register_asset(self, asset_id: str, kind: str, unit_id: str | None) -> None:
        s = self.s
        await self.conn.execute(
            f"""INSERT INTO {s}.assets (asset_id, kind, unit_id) VALUES ($1, $2, $3)
                ON CONFLICT (asset_id) DO UPDATE SET kind = $2, unit_id = coalesce($3, {s}.assets.unit_id)""",
            asset_id, kind, unit_id,
        )  # fmt: skip
        if kind == "station" and unit_id is not None:
            resolved = await self.conn.fetch(
                f"""UPDATE {s}.facts SET unit_id = $1 WHERE via_station = $2 AND unit_id IS NULL
                    RETURNING valid_from, valid_to, fact""",
                unit_id, asset_id,
            )  # fmt: skip
            for row in resolved:
                self.touched.add(unit_id, row["valid_from"], row["fact"].startswith("broadcast."), row["fact"])

    async def asset(self, asset_id: str) -> tuple[str, str | None] | None:
        row = await self.conn.fetchrow(f"SELECT kind, unit_id FROM {self.s}.assets WHERE asset_id = $1", asset_id)
        return None if row is None else (row["kind"], row["unit_id"])

    async def asset_unit(self, asset_id: str) -> str | None:
        found = await self.asset(asset_id)
        return None if found is None else found[1]

    async def unit_by_code(self, code: str, day: datetime.date) -> str | None:
        unit_id: str | None = await self.conn.fetchval(
            f"""SELECT unit_id FROM {self.s}.units WHERE code = $1 AND valid_from <= $2
                AND (valid_to IS NULL OR valid_to > $2) ORDER BY valid_from DESC LIMIT 1""",
            code, day,
        )  # fmt: skip
        return unit_id

    # --- facts -------------------------------------------------------------------------

    async def set_fact(
        self,
        key: str,
        fact: str,
        unit_id: str | None,
        value: float,
        day: datetime.date,
        *,
        via_station: str | None = None,
    ) -> None:
        """From ``day`` on, ``key`` contributes ``value`` to ``fact`` (0: nothing any more).

        One statement (it runs for every fact of every event): the open interval, if its value
        differs, ends on ``day`` (or goes, if it began that day or later: it never held), and a
        new one opens unless the value is 0."""
        row = await self.conn.fetchrow(self._set_fact_sql, key, fact, unit_id, via_station, value, day)
        assert row is not None
        if row["changed"]:
            self.touched.add(unit_id or row["old_unit"], day, fact=fact)

    @property
    def _set_fact_sql(self) -> str:
        s = self.s
        return f"""
            WITH old AS (
                SELECT id, value, valid_from, unit_id FROM {s}.facts
                WHERE key = $1 AND fact = $2 AND valid_to IS NULL FOR UPDATE
            ), closed AS (
                UPDATE {s}.facts f SET valid_to = $6 FROM old
                WHERE f.id = old.id AND old.value <> $5 AND old.valid_from < $6 RETURNING f.id
            ), dropped AS (
                DELETE FROM {s}.facts f USING old
                WHERE f.id = old.id AND old.value <> $5 AND old.valid_from >= $6 RETURNING f.id
            ), added AS (
                INSERT INTO {s}.facts (key, fact, unit_id, via_station, value, valid_from)
                SELECT $1, $2, coalesce($3, (SELECT unit_id FROM old)), $4, $5, $6
                WHERE $5 <> 0 AND NOT EXISTS (SELECT 1 FROM old WHERE old.value = $5)
                RETURNING id
            )
            SELECT (SELECT unit_id FROM old) AS old_unit,
                   EXISTS (SELECT 1 FROM closed) OR EXISTS (SELECT 1 FROM dropped) OR EXISTS (SELECT 1 FROM added)
                       AS changed
        """

    async def end_facts(self, key: str, day: datetime.date) -> None:
        """Every open fact of ``key`` ends on ``day``."""
        rows = await self.conn.fetch(
            f"SELECT fact, unit_id FROM {self.s}.facts WHERE key = $1 AND valid_to IS NULL", key
        )
        for row in rows:
            await self.set_fact(key, row["fact"], row["unit_id"], 0.0, day)

    async def add_flow(
        self,
        key: str,
        fact: str,
        amounts: Sequence[tuple[datetime.date, float]],
        *,
        unit_id: str | None = None,
        via_station: str | None = None,
        via_code: str | None = None,
    ) -> None:
        """Amounts on days (a relay's hours, split at local midnight; a session's 1); the same
        key replaces them."""
        await self.remove_flows(key)
        await self.conn.executemany(
            f"""INSERT INTO {self.s}.facts (key, fact, unit_id, via_station, via_code, value, valid_from, valid_to)
                VALUES ($1, $2, $3, $4, $5, $6, $7::date, $7::date + 1)""",
            [(key, fact, unit_id, via_station, via_code, value, day) for day, value in amounts],
        )
        for day, _ in amounts:
            self.touched.add(unit_id, day, flow=True, fact=fact)

    async def flows(self, prefix: str) -> tuple[str | None, datetime.date, dict[str, float]] | None:
        """The unit, day and amount per fact of the one-day facts whose key starts with ``prefix:``."""
        rows = await self.conn.fetch(
            f"""SELECT fact, unit_id, valid_from, value FROM {self.s}.facts
                WHERE key LIKE $1 || ':%' AND valid_to = valid_from + 1""",
            prefix,
        )
        if not rows:
            return None
        return rows[0]["unit_id"], rows[0]["valid_from"], {r["fact"]: r["value"] for r in rows}

    async def remove_flows(self, key: str) -> None:
        rows = await self.conn.fetch(
            f"""DELETE FROM {self.s}.facts WHERE key = $1 AND valid_to = valid_from + 1
                RETURNING unit_id, valid_from, fact""",
            key,
        )
        for row in rows:
            self.touched.add(row["unit_id"], row["valid_from"], flow=True, fact=row["fact"])
