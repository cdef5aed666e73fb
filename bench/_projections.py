"""Counter-total read models for the benchmarks, in the two shapes a projection can take.

- :class:`TotalsPerEvent` upserts once per event (``executemany``), like the test suite's
  ``CounterTotals``.
- :class:`TotalsFolded` folds a batch per stream first and upserts each stream once, with
  one ``unnest`` statement.

With ``notify_channel``, statement-level triggers on the read-model table send a NOTIFY
naming each stream a statement wrote and the recorded_at of its last event. PostgreSQL
delivers it when the applying transaction commits, so a listener learns the moment the
read model shows the event (the end-to-end measurement), and the projection pays no extra
round trip for it.

Both record the last event's ``recorded_at`` per stream. The event store schema and the
projection's name are chosen per run, so they are instance attributes here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from contracts.catalogue import EventCatalogue
from libs.common.db import Conn
from libs.common.projections.projection import Applied, Projection
from tests.support.counter import CATALOGUE, CounterIncremented

_NOTIFY_CHUNK = 7000  # a NOTIFY payload must stay under 8000 bytes


class _Totals(Projection):
    sources: ClassVar[dict[str, EventCatalogue]] = {"test": CATALOGUE}
    handles: ClassVar[frozenset[str]] = frozenset({"test.counter_incremented"})

    def __init__(self, name: str, *, store_schema: str, notify_channel: str | None = None) -> None:
        self.name = name  # type: ignore[misc]
        self.service = store_schema  # type: ignore[misc]  # dead letters go to the store's schema
        self.notify_channel = notify_channel

    def tables_sql(self, schema: str) -> str:
        table = f"""
        CREATE TABLE IF NOT EXISTS {schema}.totals (
            stream_id         text PRIMARY KEY,
            total             bigint NOT NULL,
            events            integer NOT NULL,
            last_version      integer NOT NULL,
            last_recorded_at  timestamptz NOT NULL
        );
        """
        if not self.notify_channel:
            return table
        # An upsert fires the INSERT and the UPDATE statement triggers, each with its rows; a
        # trigger with a transition table may have only one event, hence two triggers.
        return (
            table
            + f"""
        CREATE OR REPLACE FUNCTION {schema}.notify_applied() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
            payload text := '';
            entry text;
        BEGIN
            FOR entry IN
                SELECT stream_id || '|' || (extract(epoch FROM last_recorded_at) * 1000000)::bigint FROM written
            LOOP
                IF length(payload) + length(entry) > {_NOTIFY_CHUNK} THEN
                    PERFORM pg_notify('{self.notify_channel}', payload);
                    payload := '';
                END IF;
                payload := CASE WHEN payload = '' THEN entry ELSE payload || ',' || entry END;
            END LOOP;
            IF payload <> '' THEN
                PERFORM pg_notify('{self.notify_channel}', payload);
            END IF;
            RETURN NULL;
        END $$;
        CREATE OR REPLACE TRIGGER inserted AFTER INSERT ON {schema}.totals
            REFERENCING NEW TABLE AS written FOR EACH STATEMENT EXECUTE FUNCTION {schema}.notify_applied();
        CREATE OR REPLACE TRIGGER updated AFTER UPDATE ON {schema}.totals
            REFERENCING NEW TABLE AS written FOR EACH STATEMENT EXECUTE FUNCTION {schema}.notify_applied();
        """
        )


class TotalsPerEvent(_Totals):
    async def apply(self, conn: Conn, schema: str, batch: Sequence[Applied]) -> None:
        rows = []
        for item in batch:
            event = item.event
            assert isinstance(event, CounterIncremented)
            rows.append((item.envelope.stream_id, event.by, item.envelope.version, item.envelope.recorded_at))
        await conn.executemany(
            f"""
            INSERT INTO {schema}.totals AS t (stream_id, total, events, last_version, last_recorded_at)
            VALUES ($1, $2, 1, $3, $4)
            ON CONFLICT (stream_id) DO UPDATE SET total = t.total + EXCLUDED.total, events = t.events + 1,
                last_version = EXCLUDED.last_version, last_recorded_at = EXCLUDED.last_recorded_at
            """,
            rows,
        )


class TotalsFolded(_Totals):
    def __init__(self, name: str, *, store_schema: str, notify_channel: str | None = None) -> None:
        super().__init__(name, store_schema=store_schema, notify_channel=notify_channel)
        self.rows_written = 0
        self.events_folded = 0

    async def apply(self, conn: Conn, schema: str, batch: Sequence[Applied]) -> None:
        folded: dict[str, list[object]] = {}
        for item in batch:
            event = item.event
            assert isinstance(event, CounterIncremented)
            env = item.envelope
            row = folded.get(env.stream_id)
            if row is None:
                folded[env.stream_id] = [event.by, 1, env.version, env.recorded_at]
            else:
                row[0] += event.by  # type: ignore[operator]
                row[1] += 1  # type: ignore[operator]
                row[2], row[3] = env.version, env.recorded_at
        streams = list(folded)
        values = list(folded.values())
        await conn.execute(
            f"""
            INSERT INTO {schema}.totals AS t (stream_id, total, events, last_version, last_recorded_at)
            SELECT * FROM unnest($1::text[], $2::bigint[], $3::int[], $4::int[], $5::timestamptz[])
            ON CONFLICT (stream_id) DO UPDATE SET total = t.total + EXCLUDED.total,
                events = t.events + EXCLUDED.events, last_version = EXCLUDED.last_version,
                last_recorded_at = EXCLUDED.last_recorded_at
            """,
            streams,
            [v[0] for v in values],
            [v[1] for v in values],
            [v[2] for v in values],
            [v[3] for v in values],
        )
        self.rows_written += len(streams)
        self.events_folded += len(batch)
