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
        self._pending: list[tuple[str, str, str | None, str | None, float, datetime.date]] = []
        self._assets: dict[str, tuple[str, str | None]] = {}
        self._asset_writes: list[tuple[str, str, str | None]] = []

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
        await self.flush()
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
        """Buffered like facts (see ``flush``); later events of the batch see it at once."""
        known = self._assets.get(asset_id)
        self._assets[asset_id] = (kind, unit_id if unit_id is not None else (known[1] if known else None))
        self._asset_writes.append((asset_id, kind, unit_id))

    async def preload_assets(self, asset_ids: set[str]) -> None:
        """One query for the assets a batch's events name, so lookups cost no round trip."""
        wanted = [a for a in asset_ids if a not in self._assets]
        if not wanted:
            return
        rows = await self.conn.fetch(
            f"SELECT asset_id, kind, unit_id FROM {self.s}.assets WHERE asset_id = ANY($1::text[])", wanted
        )
        for row in rows:
            self._assets.setdefault(row["asset_id"], (row["kind"], row["unit_id"]))

    async def asset(self, asset_id: str) -> tuple[str, str | None] | None:
        if asset_id in self._assets:
            return self._assets[asset_id]
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

        Buffered: the batch's changes go to the database together (``flush``), in order, in one
        round trip; anything that reads or writes facts otherwise flushes first."""
        self._pending.append((key, fact, unit_id, via_station, value, day))

    async def flush(self) -> None:
        """Write what is buffered: facts in order, then assets; then give facts that waited for
        a station (a cluster registered before it) the station's unit."""
        s = self.s
        if self._pending:
            pending, self._pending = self._pending, []
            columns = list(zip(*pending, strict=True))
            # For this transaction only: the function names its table without the schema.
            await self.conn.execute("SELECT set_config('search_path', $1, true)", s)
            rows = await self.conn.fetch(
                "SELECT unit_id, day, fact FROM metrics.set_facts($1, $2, $3, $4, $5, $6)",
                *(list(c) for c in columns),
            )
            for row in rows:
                self.touched.add(row["unit_id"], row["day"], fact=row["fact"])
        if self._asset_writes:
            writes, self._asset_writes = self._asset_writes, []
            await self.conn.executemany(
                f"""INSERT INTO {s}.assets (asset_id, kind, unit_id) VALUES ($1, $2, $3)
                    ON CONFLICT (asset_id) DO UPDATE SET kind = $2, unit_id = coalesce($3, {s}.assets.unit_id)""",
                writes,
            )
            stations = [(a, u) for a, kind, u in writes if kind == "station" and u is not None]
            if stations:
                resolved = await self.conn.fetch(
                    f"""UPDATE {s}.facts f SET unit_id = x.unit_id
                        FROM unnest($1::text[], $2::text[]) AS x(station_id, unit_id)
                        WHERE f.via_station = x.station_id AND f.unit_id IS NULL
                        RETURNING f.unit_id, f.valid_from, f.valid_to, f.fact""",
                    [a for a, _ in stations], [u for _, u in stations],
                )  # fmt: skip
                for row in resolved:
                    flow = row["valid_to"] is not None and row["fact"].startswith("broadcast.")
                    self.touched.add(row["unit_id"], row["valid_from"], flow, row["fact"])

    async def end_facts(self, key: str, day: datetime.date) -> None:
        """Every open fact of ``key`` ends on ``day``."""
        await self.flush()
        rows = await self.conn.fetch(
            f"SELECT fact, unit_id FROM {self.s}.facts WHERE key = $1 AND valid_to IS NULL", key
        )
        for row in rows:
            await self.set_fact(key, row["fact"], row["unit_id"], 0.0, day)

    async def set_window(self, key: str, fact: str, unit_id: str, start: datetime.date, end: datetime.date) -> None:
        """``key`` contributes 1 to ``fact`` on the days ``[start, end)``, joined with any window
        of the key it overlaps or touches, so no day counts a key twice."""
        await self.flush()
        row = await self.conn.fetchrow(
            f"""WITH gone AS (
                    DELETE FROM {self.s}.facts WHERE key = $1 AND fact = $2 AND valid_to IS NOT NULL
                      AND valid_from <= $5 AND valid_to >= $4
                    RETURNING valid_from, valid_to)
                INSERT INTO {self.s}.facts (key, fact, unit_id, value, valid_from, valid_to)
                SELECT $1, $2, $3, 1, least($4, min(valid_from)), greatest($5, max(valid_to)) FROM gone
                RETURNING valid_from, valid_to""",
            key, fact, unit_id, start, end,
        )  # fmt: skip
        assert row is not None
        self.touched.add(unit_id, row["valid_from"], fact=fact)
        self.touched.add(unit_id, row["valid_to"], fact=fact)

    async def cut_windows(self, key: str, day: datetime.date) -> None:
        """The windows of ``key`` end on ``day`` at the latest."""
        await self.flush()
        rows = await self.conn.fetch(
            f"""WITH gone AS (
                    DELETE FROM {self.s}.facts WHERE key = $1 AND valid_to IS NOT NULL AND valid_from >= $2
                    RETURNING unit_id, fact, valid_from AS day),
                cut AS (
                    UPDATE {self.s}.facts SET valid_to = $2 WHERE key = $1 AND valid_to > $2 AND valid_from < $2
                    RETURNING unit_id, fact, $2::date AS day)
                SELECT * FROM gone UNION ALL SELECT * FROM cut""",
            key, day,
        )  # fmt: skip
        for row in rows:
            self.touched.add(row["unit_id"], row["day"], fact=row["fact"])

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
        await self.flush()
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
        await self.flush()
        rows = await self.conn.fetch(
            f"""SELECT fact, unit_id, valid_from, value FROM {self.s}.facts
                WHERE key LIKE $1 || ':%' AND valid_to = valid_from + 1""",
            prefix,
        )
        if not rows:
            return None
        return rows[0]["unit_id"], rows[0]["valid_from"], {r["fact"]: r["value"] for r in rows}

    async def remove_flows(self, key: str) -> None:
        await self.flush()
        rows = await self.conn.fetch(
            f"""DELETE FROM {self.s}.facts WHERE key = $1 AND valid_to = valid_from + 1
                RETURNING unit_id, valid_from, fact""",
            key,
        )
        for row in rows:
            self.touched.add(row["unit_id"], row["valid_from"], flow=True, fact=row["fact"])
