"""Relay sessions and local broadcasts: recorded in batches (a station's log for a day, or a
monitoring system's export), all or nothing; cancelled one at a time."""

from __future__ import annotations

import datetime

import asyncpg
import msgspec

from contracts.api.broadcast import ReasonBody, RecordRelaySessionsBody
from libs.common.errors import ConflictError, InvalidInputError, NotFoundError
from libs.common.eventstore.commands import CommandExecutor, CommandResult, Transaction
from libs.common.eventstore.context import CommandContext
from services.broadcast.adapters import registry_view, relay_index
from services.broadcast.application.units import within_reach
from services.broadcast.domain.relays import (
    RELAY_SESSION,
    CancelSession,
    RecordSession,
    RelaySession,
    checked_interval,
    session_stream,
)


class CancelRelaySessionInput(msgspec.Struct, frozen=True, kw_only=True):
    session_id: str
    body: ReasonBody


class RelayHandlers:
    def __init__(self, executor: CommandExecutor) -> None:
        self.executor = executor

    async def record(self, cmd: RecordRelaySessionsBody, ctx: CommandContext) -> CommandResult:
        ids = ctx.new_ids(len(cmd.sessions))

        async def work(tx: Transaction) -> str:
            known = await registry_view.stations(tx.conn, [s.station_id for s in cmd.sessions])
            unknown = sorted({s.station_id for s in cmd.sessions} - known.keys())
            if unknown:
                raise NotFoundError("unknown radio station", code="unknown_station", details={"station_ids": unknown})
            closed = sorted(sid for sid, st in known.items() if st.status == "DECOMMISSIONED")
            if closed:
                raise ConflictError(
                    "the radio station is decommissioned", code="station_decommissioned",
                    details={"station_ids": closed},
                )  # fmt: skip
            await within_reach(tx, [st.unit_id for st in known.values()])
            rows: list[tuple[str, str, datetime.datetime, datetime.datetime]] = []
            for index, (session_id, item) in enumerate(zip(ids, cmd.sessions, strict=True)):
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

        return await self.executor.run(work, context=ctx, request=cmd, ids=ids)

    async def cancel(self, cmd: CancelRelaySessionInput, ctx: CommandContext) -> CommandResult:
        session_id = cmd.session_id

        async def work(tx: Transaction) -> str:
            stream = session_stream(session_id)
            session, version = await tx.load(RELAY_SESSION, stream)
            if session.status != "absent":
                station = (await registry_view.stations(tx.conn, [session.station_id])).get(session.station_id)
                await within_reach(tx, [station.unit_id] if station else [])
            await tx.append(
                RELAY_SESSION, stream, version, RELAY_SESSION.decide(CancelSession(reason=cmd.body.reason), session)
            )
            await relay_index.release(tx.conn, session_id)
            return stream

        return await self.executor.run(work, context=ctx, request=cmd, ids=[session_id])
