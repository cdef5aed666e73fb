"""SQL that keeps the ``registry_units`` read model (described in
``entrypoints/units_projection.py``, which says which event becomes which write)."""

from __future__ import annotations

from collections.abc import Sequence

from contracts.registry_events import UnitDissolved, UnitMerged, UnitRegistered, UnitRenamed, UnitReparented, UnitSplit
from libs.common.db import Conn


def tables_sql(schema: str) -> str:
    s = schema
    return f"""
    CREATE TABLE IF NOT EXISTS {s}.units (
        unit_id          text PRIMARY KEY,
        code             text NOT NULL,
        name             text NOT NULL,
        search_name      text NOT NULL,
        level            text NOT NULL,
        unit_type        text,
        parent_id        text,
        valid_from       date NOT NULL,
        valid_to         date,
        status           text NOT NULL,
        version          integer NOT NULL
    );
    CREATE INDEX IF NOT EXISTS units_code ON {s}.units (code, valid_from);
    CREATE INDEX IF NOT EXISTS units_parent ON {s}.units (parent_id);
    CREATE INDEX IF NOT EXISTS units_level ON {s}.units (level, code);
    CREATE INDEX IF NOT EXISTS units_search ON {s}.units USING gin (search_name public.gin_trgm_ops);
    CREATE TABLE IF NOT EXISTS {s}.unit_names (
        unit_id     text NOT NULL,
        name        text NOT NULL,
        search_name text NOT NULL,
        valid_from  date NOT NULL,
        valid_to    date,
        PRIMARY KEY (unit_id, valid_from)
    );
    CREATE INDEX IF NOT EXISTS unit_names_search ON {s}.unit_names USING gin (search_name public.gin_trgm_ops);
    CREATE TABLE IF NOT EXISTS {s}.unit_parents (
        unit_id     text NOT NULL,
        parent_id   text NOT NULL,
        valid_from  date NOT NULL,
        valid_to    date,
        PRIMARY KEY (unit_id, valid_from)
    );
    CREATE INDEX IF NOT EXISTS unit_parents_parent ON {s}.unit_parents (parent_id);
    CREATE TABLE IF NOT EXISTS {s}.closure (
        ancestor_id    text NOT NULL,
        descendant_id  text NOT NULL,
        depth          integer NOT NULL,
        PRIMARY KEY (ancestor_id, descendant_id)
    );
    CREATE INDEX IF NOT EXISTS closure_descendant ON {s}.closure (descendant_id);
    CREATE TABLE IF NOT EXISTS {s}.lineage (
        predecessor_id  text NOT NULL,
        successor_id    text NOT NULL,
        effective_on    date NOT NULL,
        PRIMARY KEY (predecessor_id, successor_id)
    );
    CREATE INDEX IF NOT EXISTS lineage_successor ON {s}.lineage (successor_id);
    """


class UnitsWriter:
    def __init__(self, conn: Conn, schema: str) -> None:
        self.conn = conn
        self.s = schema

    async def registered(self, event: UnitRegistered, version: int) -> None:
        conn, s = self.conn, self.s
        await conn.execute(
            f"""
            INSERT INTO {s}.units (unit_id, code, name, search_name, level, unit_type, parent_id, valid_from,
                                   status, version)
            VALUES ($1, $2, $3, public.tinhso_search_text($3), $4, $5, $6, $7, 'active', $8)
            """,
            event.unit_id,
            event.code,
            event.name,
            event.level,
            event.unit_type,
            event.parent_id,
            event.valid_from,
            version,
        )
        await _record_lineage(conn, s, event.predecessor_ids, [event.unit_id], event.valid_from)
        await conn.execute(
            f"INSERT INTO {s}.unit_names (unit_id, name, search_name, valid_from, valid_to) "
            "VALUES ($1, $2, public.tinhso_search_text($2), $3, NULL)",
            event.unit_id,
            event.name,
            event.valid_from,
        )
        if event.parent_id is not None:
            await conn.execute(
                f"INSERT INTO {s}.unit_parents (unit_id, parent_id, valid_from, valid_to) VALUES ($1, $2, $3, NULL)",
                event.unit_id,
                event.parent_id,
                event.valid_from,
            )
        await _link(conn, s, event.unit_id, event.parent_id)

    async def renamed(self, event: UnitRenamed, version: int) -> None:
        conn, s = self.conn, self.s
        await conn.execute(
            f"UPDATE {s}.units SET name = $2, search_name = public.tinhso_search_text($2), version = $3 "
            "WHERE unit_id = $1",
            event.unit_id,
            event.name,
            version,
        )
        await _close_interval(conn, f"{s}.unit_names", event.unit_id, event.effective_on)
        await conn.execute(
            f"""
            INSERT INTO {s}.unit_names (unit_id, name, search_name, valid_from, valid_to)
            VALUES ($1, $2, public.tinhso_search_text($2), $3, NULL)
            ON CONFLICT (unit_id, valid_from) DO UPDATE
                SET name = $2, search_name = EXCLUDED.search_name, valid_to = NULL
            """,
            event.unit_id,
            event.name,
            event.effective_on,
        )

    async def reparented(self, event: UnitReparented, version: int) -> None:
        conn, s = self.conn, self.s
        await conn.execute(
            f"UPDATE {s}.units SET parent_id = $2, version = $3 WHERE unit_id = $1",
            event.unit_id,
            event.parent_id,
            version,
        )
        await _close_interval(conn, f"{s}.unit_parents", event.unit_id, event.effective_on)
        await conn.execute(
            f"""
            INSERT INTO {s}.unit_parents (unit_id, parent_id, valid_from, valid_to) VALUES ($1, $2, $3, NULL)
            ON CONFLICT (unit_id, valid_from) DO UPDATE SET parent_id = $2, valid_to = NULL
            """,
            event.unit_id,
            event.parent_id,
            event.effective_on,
        )
        await _unlink_subtree(conn, s, event.unit_id)
        await _link(conn, s, event.unit_id, event.parent_id)

    async def ended(self, event: UnitMerged | UnitSplit | UnitDissolved, version: int) -> None:
        conn, s = self.conn, self.s
        successors = (
            [event.successor_id]
            if isinstance(event, UnitMerged)
            else event.successor_ids
            if isinstance(event, UnitSplit)
            else []
        )
        status = {UnitMerged: "merged", UnitSplit: "split", UnitDissolved: "dissolved"}[type(event)]
        await conn.execute(
            f"UPDATE {s}.units SET status = $2, valid_to = $3, version = $4 WHERE unit_id = $1",
            event.unit_id,
            status,
            event.effective_on,
            version,
        )
        await _record_lineage(conn, s, [event.unit_id], successors, event.effective_on)
        await _close_interval(conn, f"{s}.unit_names", event.unit_id, event.effective_on)
        await _close_interval(conn, f"{s}.unit_parents", event.unit_id, event.effective_on)


async def _record_lineage(
    conn: Conn, s: str, predecessors: Sequence[str], successors: Sequence[str], on: object
) -> None:
    """Both sides of a merge or split say it happened (the sources' streams and the new unit's);
    whichever arrives first records the link, so lineage reads the same in every arrival order,
    also for a merge into a unit that already existed."""
    await conn.executemany(
        f"INSERT INTO {s}.lineage (predecessor_id, successor_id, effective_on) VALUES ($1, $2, $3) "
        "ON CONFLICT DO NOTHING",
        [(p, n, on) for p in predecessors for n in successors],
    )


async def _close_interval(conn: Conn, table: str, unit_id: str, on: object) -> None:
    await conn.execute(f"UPDATE {table} SET valid_to = $2 WHERE unit_id = $1 AND valid_to IS NULL", unit_id, on)


async def _link(conn: Conn, s: str, unit_id: str, parent_id: str | None) -> None:
    """Add every (ancestor, descendant) pair through ``unit_id``.

    Ancestors: the unit itself, its parent (even if not projected yet), and the parent's known
    ancestors. Descendants: the unit itself and whatever arrived before it naming it as an
    ancestor. Pairing the two sets completes the closure in any arrival order.
    """
    await conn.execute(
        f"""
        WITH ancestors AS (
            SELECT $1::text AS id, 0 AS depth
            UNION SELECT $2::text, 1 WHERE $2::text IS NOT NULL
            UNION SELECT ancestor_id, depth + 1 FROM {s}.closure WHERE descendant_id = $2 AND ancestor_id <> $2
        ), descendants AS (
            SELECT $1::text AS id, 0 AS depth
            UNION SELECT descendant_id, depth FROM {s}.closure WHERE ancestor_id = $1 AND descendant_id <> $1
        )
        INSERT INTO {s}.closure (ancestor_id, descendant_id, depth)
        SELECT a.id, d.id, a.depth + d.depth FROM ancestors a CROSS JOIN descendants d
        ON CONFLICT (ancestor_id, descendant_id) DO NOTHING
        """,
        unit_id,
        parent_id,
    )


async def _unlink_subtree(conn: Conn, s: str, unit_id: str) -> None:
    """Forget the links from the unit's old ancestors to the unit and everything under it."""
    await conn.execute(
        f"""
        DELETE FROM {s}.closure c
        WHERE c.descendant_id IN (SELECT descendant_id FROM {s}.closure WHERE ancestor_id = $1)
          AND c.ancestor_id NOT IN (SELECT descendant_id FROM {s}.closure WHERE ancestor_id = $1)
        """,
        unit_id,
    )
