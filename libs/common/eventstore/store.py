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
from libs.common.eventstore.decider import NewEvent
from libs.common.eventstore.errors import ConcurrencyError

SourcePosition = tuple[int, int]
"""(tx_id, position): the order in which events became visible; compare as a tuple."""

START: SourcePosition = (0, 0)

_encode = msgspec.json.encode
_NO_METADATA = Metadata()

_COLUMNS = (
    "event_id, stream_id, stream_type, version, type, schema_version, occurred_at, recorded_at, "
    "tx_id, position, actor, partner, correlation_id, causation_id, traceparent, data"
)


def new_event_id() -> UUID:
    """A UUIDv7: time-ordered, so ids sort roughly by creation."""
    return uuid_utils.compat.uuid7()


class StreamAppend(msgspec.Struct, frozen=True):
    """Events to append to one stream after ``expected_version`` (0 = a new stream)."""

    stream_id: str
    stream_type: str
    expected_version: int
    events: Sequence[Event | NewEvent]
    metadata: Metadata | None = None


def _aware(moment: datetime) -> datetime:
    """A naive time is local time, as asyncpg reads it for a ``timestamptz``: made explicit, so
    the envelope returned says what was stored."""
    return moment if moment.tzinfo is not None else moment.astimezone(UTC)


class _Row(msgspec.Struct):
    """One event of a several-stream append, as an object of its JSON document."""

    stream_id: str
    stream_type: str
    expected: int
    version: int
    event_id: UUID
    type: str
    schema_version: int
    occurred_at: datetime
    actor: str | None
    partner: str | None
    correlation_id: UUID | None
    causation_id: UUID | None
    traceparent: str | None
    data: msgspec.Raw


_encode_rows = msgspec.json.Encoder().encode


class EventRows:
    """Events on their way into an append statement: one list per column, one entry per event
    (the one-stream append binds them as arrays; the several-stream one as a JSON document).
    Building them encodes the events, so an event that cannot be encoded fails while its
    stream is added, before any statement runs."""

    def __init__(self) -> None:
        self.streams: set[str] = set()
        self.stream_ids: list[str] = []
        self.stream_types: list[str] = []
        self.expected: list[int] = []
        self.versions: list[int] = []
        self.event_ids: list[UUID] = []
        self.types: list[str] = []
        self.schema_versions: list[int] = []
        self.occurred: list[datetime] = []
        self.actors: list[str | None] = []
        self.partners: list[str | None] = []
        self.correlation_ids: list[UUID | None] = []
        self.causation_ids: list[UUID | None] = []
        self.traceparents: list[str | None] = []
        self.data: list[bytes] = []
        self.index: dict[tuple[str, int], int] = {}

    def add(self, append: StreamAppend, now: datetime) -> None:
        """Add one stream's events, all or none: raises ``ValueError`` for a stream already
        added, or what encoding an event raises."""
        if append.stream_id in self.streams:
            raise ValueError(f"stream {append.stream_id} given twice: append its events together")
        wrapped = [item if isinstance(item, NewEvent) else NewEvent(item) for item in append.events]
        data = [_encode(new.event) for new in wrapped]
        types = [new.event.type_name() for new in wrapped]
        meta = append.metadata or _NO_METADATA
        n = len(wrapped)
        first = len(self.event_ids)
        self.streams.add(append.stream_id)
        versions = range(append.expected_version + 1, append.expected_version + n + 1)
        self.index.update({(append.stream_id, v): first + i for i, v in enumerate(versions)})
        self.stream_ids.extend([append.stream_id] * n)
        self.stream_types.extend([append.stream_type] * n)
        self.expected.extend([append.expected_version] * n)
        self.versions.extend(versions)
        self.event_ids.extend(new_event_id() for _ in wrapped)
        self.types.extend(types)
        self.schema_versions.extend(new.event.SCHEMA_VERSION for new in wrapped)
        self.occurred.extend(_aware(new.occurred_at) if new.occurred_at else now for new in wrapped)
        self.actors.extend([meta.actor] * n)
        self.partners.extend([meta.partner] * n)
        self.correlation_ids.extend([meta.correlation_id] * n)
        self.causation_ids.extend([meta.causation_id] * n)
        self.traceparents.extend([meta.traceparent] * n)
        self.data.extend(data)

    def envelopes(self, stored: Sequence[asyncpg.Record]) -> dict[str, list[Envelope]]:
        """The envelopes of the rows the append statement returned, by stream, in version order."""
        by_stream: dict[str, list[Envelope]] = {}
        for row in stored:
            i = self.index[(row["stream_id"], row["version"])]
            by_stream.setdefault(row["stream_id"], []).append(
                Envelope(
                    event_id=self.event_ids[i],
                    stream_id=self.stream_ids[i],
                    stream_type=self.stream_types[i],
                    version=self.versions[i],
                    type=self.types[i],
                    schema_version=self.schema_versions[i],
                    occurred_at=self.occurred[i],
                    recorded_at=row["recorded_at"],
                    tx_id=row["tx_id"],
                    position=row["position"],
                    actor=self.actors[i],
                    partner=self.partners[i],
                    correlation_id=self.correlation_ids[i],
                    causation_id=self.causation_ids[i],
                    traceparent=self.traceparents[i],
                    data=msgspec.Raw(self.data[i]),
                )
            )
        return by_stream

    def document(self) -> bytes:
        """Every event as one JSON document, for ``jsonb_to_recordset``."""
        return _encode_rows(
            [
                _Row(
                    self.stream_ids[i],
                    self.stream_types[i],
                    self.expected[i],
                    self.versions[i],
                    self.event_ids[i],
                    self.types[i],
                    self.schema_versions[i],
                    self.occurred[i],
                    self.actors[i],
                    self.partners[i],
                    self.correlation_ids[i],
                    self.causation_ids[i],
                    self.traceparents[i],
                    msgspec.Raw(self.data[i]),
                )
                for i in range(len(self.event_ids))
            ]
        )


class EventStore:
    """The events table of one service schema."""

    def __init__(self, schema: str) -> None:
        self.schema = schema
        s = schema
        # One statement checks the stream's current version and inserts its events together:
        # a writer in between makes the check fail (no rows), one racing it makes
        # UNIQUE (stream_id, version) fail. Rows go in the order given, so positions follow
        # versions. The check is a one-time InitPlan, which keeps the prepared statement on its
        # generic plan: the several-stream form below is planned afresh at every call.
        self._append_sql = f"""
            WITH current AS (SELECT coalesce(max(version), 0) AS v FROM {s}.events WHERE stream_id = $1)
            INSERT INTO {s}.events (event_id, stream_id, stream_type, version, type, schema_version,
                                    occurred_at, actor, partner, correlation_id, causation_id, traceparent, data)
            SELECT e.event_id, $1, $2, $3 + e.n, e.type, e.schema_version, e.occurred_at,
                   $4, $5, $6, $7, $8, e.data
            FROM unnest($9::uuid[], $10::text[], $11::int[], $12::timestamptz[], $13::jsonb[])
                 WITH ORDINALITY AS e(event_id, type, schema_version, occurred_at, data, n)
            WHERE (SELECT v FROM current) = $3
            RETURNING stream_id, version, tx_id, position, recorded_at
        """
        # Several streams: each row is checked against its stream's version as the statement
        # began (a statement does not see its own inserts), so a changed stream gets no rows.
        # Rows go in stream order, so two such statements take their index entries in the
        # same order and cannot deadlock each other; within a stream, in version order.
        # The rows travel as one JSON document, not one array per column: asyncpg checks every
        # element of an array it binds against collections.abc, and PostgreSQL unpacks one
        # document more cheaply than many arrays (figures in ADR 0013's amendment).
        self._append_streams_sql = f"""
            INSERT INTO {s}.events (event_id, stream_id, stream_type, version, type, schema_version,
                                    occurred_at, actor, partner, correlation_id, causation_id, traceparent, data)
            SELECT b.event_id, b.stream_id, b.stream_type, b.version, b.type, b.schema_version, b.occurred_at,
                   b.actor, b.partner, b.correlation_id, b.causation_id, b.traceparent, b.data
            FROM jsonb_to_recordset($1::jsonb)
                 AS b(stream_id text, stream_type text, expected int, version int, event_id uuid, type text,
                      schema_version int, occurred_at timestamptz, actor text, partner text,
                      correlation_id uuid, causation_id uuid, traceparent text, data jsonb)
            WHERE coalesce((SELECT max(e.version) FROM {s}.events e WHERE e.stream_id = b.stream_id), 0)
                  = b.expected
            ORDER BY b.stream_id, b.version
            RETURNING stream_id, version, tx_id, position, recorded_at
        """
        self._load_streams_sql = (
            f"SELECT {_COLUMNS} FROM {s}.events WHERE stream_id = ANY($1::text[]) ORDER BY stream_id, version"
        )
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
        rows = EventRows()
        rows.add(StreamAppend(stream_id, stream_type, expected_version, events, metadata), datetime.now(UTC))
        return await self._append_one(conn, rows)

    async def _append_one(self, conn: Conn, rows: EventRows, *, raise_races: bool = False) -> list[Envelope]:
        stream_id, expected_version = rows.stream_ids[0], rows.expected[0]
        try:
            stored = await conn.fetch(
                self._append_sql,
                stream_id,
                rows.stream_types[0],
                expected_version,
                rows.actors[0],
                rows.partners[0],
                rows.correlation_ids[0],
                rows.causation_ids[0],
                rows.traceparents[0],
                rows.event_ids,
                rows.types,
                rows.schema_versions,
                rows.occurred,
                rows.data,
            )
        except asyncpg.UniqueViolationError as exc:
            if exc.constraint_name == "events_stream_version" and not raise_races:
                raise ConcurrencyError(stream_id, expected_version) from None
            raise
        if not stored:
            raise ConcurrencyError(stream_id, expected_version)
        return rows.envelopes(stored)[stream_id]

    async def append_rows(self, conn: Conn, rows: EventRows, *, atomic: bool = False) -> dict[str, list[Envelope]]:
        """Append every stream of ``rows`` with one statement, each only if it is still at its
        expected version. The result holds the streams appended to: a stream missing from it
        had no events, or was changed by another writer and got nothing. A writer racing the
        statement can still fail it as a whole (``UniqueViolationError``; with several
        streams, any of them may be the one), and so can a deadlock with another transaction.
        ``atomic``: the caller's transaction holds more than this statement, and a failed
        statement has aborted it, so that failure is raised as it is, even with one stream.
        """
        if not rows.event_ids:
            return {}
        if len(set(rows.stream_ids)) == 1:
            try:
                return {rows.stream_ids[0]: await self._append_one(conn, rows, raise_races=atomic)}
            except ConcurrencyError:
                return {}
        return rows.envelopes(await conn.fetch(self._append_streams_sql, rows.document()))

    async def load_streams(self, conn: Conn, stream_ids: Sequence[str]) -> dict[str, list[Envelope]]:
        """Several streams' events with one query: stream id -> events in version order (a
        stream with no events is missing)."""
        loaded: dict[str, list[Envelope]] = {}
        for row in await conn.fetch(self._load_streams_sql, list(stream_ids)):
            loaded.setdefault(row["stream_id"], []).append(_envelope(row))
        return loaded

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
