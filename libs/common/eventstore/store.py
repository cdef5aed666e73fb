"""Append, load and read events in commit order.

``append`` is one statement: it checks the stream's current version and inserts the new
events together, and ``UNIQUE (stream_id, version)`` settles the race between two writers
that both saw the same version.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from uuid import UUID

import asyncpg
import msgspec
import uuid_utils.compat

from contracts.base import Event
from contracts.envelope import Envelope, Metadata
from libs.common.db import Conn
from libs.common.eventstore.errors import ConcurrencyError

SourcePosition = tuple[int, int]
"""(tx_id, position): the order in which events became visible; compare as a tuple."""

START: SourcePosition = (0, 0)

_encode = msgspec.json.encode

_COLUMNS = (
    "event_id, stream_id, stream_type, version, type, schema_version, occurred_at, recorded_at, "
    "tx_id, position, actor, partner, correlation_id, causation_id, traceparent, data"
)


def new_event_id() -> UUID:
    """A UUIDv7: time-ordered, so ids sort roughly by creation."""
    return uuid_utils.compat.uuid7()


class NewEvent(msgspec.Struct, frozen=True):
    event: Event
    occurred_at: datetime | None = None


class EventStore:
    """The events table of one service schema."""

    def __init__(self, schema: str) -> None:
        self.schema = schema
        s = schema
        self._append_sql = f"""
            WITH current AS (SELECT coalesce(max(version), 0) AS v FROM {s}.events WHERE stream_id = $1)
            INSERT INTO {s}.events (event_id, stream_id, stream_type, version, type, schema_version,
                                    occurred_at, actor, partner, correlation_id, causation_id, traceparent, data)
            SELECT e.event_id, $1, $2, $3 + e.n, e.type, e.schema_version, e.occurred_at,
                   $4, $5, $6, $7, $8, e.data
            FROM unnest($9::uuid[], $10::text[], $11::int[], $12::timestamptz[], $13::jsonb[])
                 WITH ORDINALITY AS e(event_id, type, schema_version, occurred_at, data, n)
            WHERE (SELECT v FROM current) = $3
            RETURNING event_id, version, tx_id, position, recorded_at
        """
        self._load_sql = f"SELECT {_COLUMNS} FROM {s}.events WHERE stream_id = $1 AND version > $2 ORDER BY version"
        self._read_sql = f"""
            SELECT {_COLUMNS} FROM {s}.events
            WHERE (tx_id, position) > ($1::xid8, $2)
              AND tx_id < pg_snapshot_xmin(pg_current_snapshot())
            ORDER BY tx_id, position
            LIMIT $3
        """
        self._read_types_sql = f"""
            SELECT {_COLUMNS} FROM {s}.events
            WHERE (tx_id, position) > ($1::xid8, $2)
              AND tx_id < pg_snapshot_xmin(pg_current_snapshot())
              AND type = ANY($4::text[])
            ORDER BY tx_id, position
            LIMIT $3
        """
        self._count_sql = f"SELECT count(*) FROM {s}.events WHERE type = ANY($1::text[])"
        self._version_sql = f"SELECT coalesce(max(version), 0) FROM {s}.events WHERE stream_id = $1"

    async def append(
        self,
        conn: Conn,
        stream_id: str,
        stream_type: str,
        expected_version: int,
        events: Sequence[Event | NewEvent],
        *,
        metadata: Metadata | None = None,
    ) -> list[Envelope]:
        """Append after ``expected_version`` (0 = new stream) or raise :class:`ConcurrencyError`."""
        if not events:
            return []
        meta = metadata or Metadata()
        now = datetime.now(UTC)
        wrapped = [e if isinstance(e, NewEvent) else NewEvent(e) for e in events]
        ids = [new_event_id() for _ in wrapped]
        types = [w.event.type_name() for w in wrapped]
        versions = [w.event.SCHEMA_VERSION for w in wrapped]
        occurred = [w.occurred_at or now for w in wrapped]
        data = [_encode(w.event) for w in wrapped]
        try:
            rows = await conn.fetch(
                self._append_sql,
                stream_id,
                stream_type,
                expected_version,
                meta.actor,
                meta.partner,
                meta.correlation_id,
                meta.causation_id,
                meta.traceparent,
                ids,
                types,
                versions,
                occurred,
                data,
            )
        except asyncpg.UniqueViolationError as exc:
            if exc.constraint_name == "events_stream_version":
                raise ConcurrencyError(stream_id, expected_version) from None
            raise
        if not rows:
            raise ConcurrencyError(stream_id, expected_version)
        return [
            Envelope(
                event_id=row["event_id"],
                stream_id=stream_id,
                stream_type=stream_type,
                version=row["version"],
                type=types[i],
                schema_version=versions[i],
                occurred_at=occurred[i],
                recorded_at=row["recorded_at"],
                tx_id=row["tx_id"],
                position=row["position"],
                actor=meta.actor,
                partner=meta.partner,
                correlation_id=meta.correlation_id,
                causation_id=meta.causation_id,
                traceparent=meta.traceparent,
                data=msgspec.Raw(data[i]),
            )
            for i, row in enumerate(rows)
        ]

    async def load(self, conn: Conn, stream_id: str, after_version: int = 0) -> list[Envelope]:
        return [_envelope(row) for row in await conn.fetch(self._load_sql, stream_id, after_version)]

    async def current_version(self, conn: Conn, stream_id: str) -> int:
        version: int = await conn.fetchval(self._version_sql, stream_id)
        return version

    async def read_committed(
        self, conn: Conn, after: SourcePosition = START, limit: int = 1000, types: Sequence[str] | None = None
    ) -> list[Envelope]:
        """Events after ``after`` in commit-safe order.

        Only events of transactions older than every transaction still running are returned:
        a later reader will never find an event ordered before one it already returned.
        """
        if types is None:
            rows = await conn.fetch(self._read_sql, after[0], after[1], limit)
        else:
            rows = await conn.fetch(self._read_types_sql, after[0], after[1], limit, list(types))
        return [_envelope(row) for row in rows]

    async def count(self, conn: Conn, types: Sequence[str]) -> int:
        total: int = await conn.fetchval(self._count_sql, list(types))
        return total


def _envelope(row: asyncpg.Record) -> Envelope:
    return Envelope(
        event_id=row["event_id"],
        stream_id=row["stream_id"],
        stream_type=row["stream_type"],
        version=row["version"],
        type=row["type"],
        schema_version=row["schema_version"],
        occurred_at=row["occurred_at"],
        recorded_at=row["recorded_at"],
        tx_id=row["tx_id"],
        position=row["position"],
        actor=row["actor"],
        partner=row["partner"],
        correlation_id=row["correlation_id"],
        causation_id=row["causation_id"],
        traceparent=row["traceparent"],
        data=msgspec.Raw(row["data"]),
    )
