"""Relay sessions and local broadcasts: recorded in batches (a station's log for a day, or a
monitoring system's export), all or nothing; cancelled one at a time."""

from __future__ import annotations

import datetime
from typing import Annotated

import asyncpg
import msgspec

from contracts.broadcast_events import RelaySource
from libs.common.errors import ConflictError, InvalidInputError, NotFoundError
from libs.common.eventstore.commands import Transaction
from services.broadcast.adapters import registry_view, relay_index
from services.broadcast.application.access import require_units_within_reach
from services.broadcast.application.base import Accepted, Caller, Commands, new_ids
from services.broadcast.domain.relays import (
    RELAY_SESSION,
    CancelSession,
    RecordSession,
    RelaySession,
    checked_interval,
    session_stream,
)

MAX_BATCH = 5000


class RelaySessionInput(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    station_id: str
    source: RelaySource
    started_at: datetime.datetime
    ended_at: datetime.datetime
    programme_id: str | None = None
    note: str | None = None


class RecordRelaySessionsInput(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    sessions: Annotated[list[RelaySessionInput], msgspec.Meta(min_length=1, max_length=MAX_BATCH)]


class CancelRelaySessionInput(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    reason: str


class RelayCommands(Commands):
    async def record(self, data: RecordRelaySessionsInput, caller: Caller) -> Accepted:
        ids = new_ids(caller, len(data.sessions))

        async def work(tx: Transaction) -> str:
            known = await registry_view.stations(tx.conn, [s.station_id for s in data.sessions])
            unknown = sorted({s.station_id for s in data.sessions} - known.keys())
            if unknown:
                raise NotFoundError("unknown radio station", code="unknown_station", details={"station_ids": unknown})
            closed = sorted(sid for sid, st in known.items() if st.status == "DECOMMISSIONED")
            if closed:
                raise ConflictError(
                    "the radio station is decommissioned", code="station_decommissioned",
                    details={"station_ids": closed},
                )  # fmt: skip
            await require_units_within_reach(tx.conn, caller.principal, [st.unit_id for st in known.values()])
            rows: list[tuple[str, str, datetime.datetime, datetime.datetime]] = []
            for index, (session_id, item) in enumerate(zip(ids, data.sessions, strict=True)):
                try:
                    start, end = checked_interval(item.started_at, item.ended_at)
                except InvalidInputError as exc:
                    exc.details["index"] = index
                    raise
                command = RecordSession(
                    session_id=session_id,
                    station_id=item.station_id,
                    unit_code=known[item.station_id].unit_code,
                    source=item.source,
                    started_at=start,
                    ended_at=end,
                    programme_id=item.programme_id,
                    note=item.note,
                )
                await tx.append(
                    RELAY_SESSION, session_stream(session_id), 0, RELAY_SESSION.decide(command, RelaySession())
                )
                rows.append((session_id, item.station_id, start, end))
            try:
                async with tx.conn.transaction():  # a savepoint: the clash can be looked up after it
                    await relay_index.claim(tx.conn, rows)
            except asyncpg.ExclusionViolationError:
                # Told by index and session id, never by the constraint's DETAIL: that names the
                # table's columns and types and quotes the other session as PostgreSQL stores it.
                raise ConflictError(
                    "a session overlaps another session of the same station",
                    code="relay_overlap",
                    details={"overlaps": await relay_index.overlaps(tx.conn, rows)},
                ) from None
            return session_stream(ids[0])

        return Accepted(ids=ids, result=await self._run(work, caller))

    async def cancel(self, session_id: str, data: CancelRelaySessionInput, caller: Caller) -> Accepted:
        async def work(tx: Transaction) -> str:
            stream = session_stream(session_id)
            session, version = await tx.load(RELAY_SESSION, stream)
            if session.status != "absent":
                station = (await registry_view.stations(tx.conn, [session.station_id])).get(session.station_id)
                await require_units_within_reach(tx.conn, caller.principal, [station.unit_id] if station else [])
            await tx.append(
                RELAY_SESSION, stream, version, RELAY_SESSION.decide(CancelSession(reason=data.reason), session)
            )
            await relay_index.release(tx.conn, session_id)
            return stream

        return Accepted(ids=[session_id], result=await self._run(work, caller))
