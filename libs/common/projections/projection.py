"""What a projection declares: its sources, the events and fields it reads, its tables, its apply.

A projection owns one Postgres schema, named after it, holding its read-model tables and its
checkpoints. Keeping the checkpoints inside that schema lets a rebuild swap tables and
checkpoints in one rename (blue/green, see ``rebuild``).
"""

from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from typing import ClassVar

import msgspec

from contracts.base import Event
from contracts.catalogue import EventCatalogue
from contracts.envelope import Envelope
from contracts.reads import Reads
from libs.common.db import Conn


class Applied(msgspec.Struct, frozen=True, gc=False):
    """One event as a projection sees it: the envelope and the decoded, upcast event.

    Not tracked by the cyclic garbage collector (a batch holds thousands; frozen, no cycles)."""

    envelope: Envelope
    event: Event


class Projection(ABC):
    name: ClassVar[str]
    """Also the name of its schema: lowercase, ``<service>_<what>``."""
    service: ClassVar[str]
    """The service that runs it and keeps its dead letters."""
    sources: ClassVar[Mapping[str, EventCatalogue]]
    """The services whose topics it consumes, with their event catalogues."""
    reads: ClassVar[Reads]
    """Of each event type it applies, the fields it reads (checked against ``contracts``)."""
    handles: ClassVar[frozenset[str]]
    """Wire names of the events it applies; others only move its checkpoint. The types of its
    ``reads``, set when the class is made, so the two cannot disagree; only a projection that
    declares no reads (a test's) names them itself."""

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        declared = cls.__dict__.get("reads")
        if declared is not None:
            if "handles" in cls.__dict__:
                raise TypeError(f"{cls.__name__}: handles is the types of reads; declare reads only")
            cls.handles = declared.types()

    @abstractmethod
    def tables_sql(self, schema: str) -> str:
        """DDL that creates its tables in ``schema`` (``IF NOT EXISTS``, idempotent)."""

    @abstractmethod
    async def apply(self, conn: Conn, schema: str, batch: Sequence[Applied]) -> None:
        """Apply events in order. Called inside a transaction; must not commit."""

    def decode(self, envelope: Envelope) -> Event:
        service = envelope.type.split(".", 1)[0]
        return self.sources[service].decode(envelope.type, envelope.schema_version, envelope.data)

    def lock_key(self) -> int:
        digest = hashlib.sha256(f"tinhso-projection:{self.name}".encode()).digest()
        return int.from_bytes(digest[:8], "big", signed=True)


CHECKPOINTS_SQL = """
CREATE TABLE IF NOT EXISTS {s}.checkpoints (
    topic             text        NOT NULL,
    partition         integer     NOT NULL,
    tx_id             bigint      NOT NULL,
    position          bigint      NOT NULL,
    kafka_offset      bigint,
    last_recorded_at  timestamptz,
    applied           bigint      NOT NULL DEFAULT 0,
    updated_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (topic, partition)
);
"""


async def ensure_schema(conn: Conn, projection: Projection, schema: str | None = None) -> None:
    schema = schema or projection.name
    async with conn.transaction():
        # Runners of one projection starting together would race on CREATE ... IF NOT EXISTS
        # (a unique violation in the catalogue); the projection's lock makes them take turns.
        await conn.execute("SELECT pg_advisory_xact_lock($1)", projection.lock_key())
        await conn.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
        await conn.execute(CHECKPOINTS_SQL.format(s=schema))
        await conn.execute(projection.tables_sql(schema))
