"""Relay sessions and local broadcasts: one aggregate per session.

A session is on one station, from one source, at most 24 hours long, and must not overlap
another session of the same station. Overlap spans sessions (streams), so it is held by the
command-side index (``adapters.relay_index``) in the same transaction; the rules that need
only the session itself live here. Splitting at local midnight (and so at every period
boundary) is the airtime read model's business: the event keeps the session as it happened.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Literal

import msgspec

from contracts.base import Event
from contracts.broadcast_events import RelaySessionCancelled, RelaySessionRecorded, RelaySource
from libs.common.errors import ConflictError, InvalidInputError, NotFoundError
from libs.common.eventstore.decider import Decider
from services.broadcast.domain.common import aware, clean_text, required_text

MAX_SESSION = datetime.timedelta(hours=24)


class RelaySession(msgspec.Struct, frozen=True, kw_only=True):
    session_id: str = ""
    station_id: str = ""
    unit_code: str = ""
    status: Literal["absent", "recorded", "cancelled"] = "absent"


def session_stream(session_id: str) -> str:
    return f"relay_session-{session_id}"


class RecordSession(msgspec.Struct, frozen=True, kw_only=True):
    session_id: str
    station_id: str
    unit_code: str
    source: RelaySource
    started_at: datetime.datetime
    ended_at: datetime.datetime
    programme_id: str | None = None
    note: str | None = None


class CancelSession(msgspec.Struct, frozen=True, kw_only=True):
    reason: str


SessionCommand = RecordSession | CancelSession


def checked_interval(
    started_at: datetime.datetime, ended_at: datetime.datetime
) -> tuple[datetime.datetime, datetime.datetime]:
    start = aware(started_at, field="started_at")
    end = aware(ended_at, field="ended_at")
    if end <= start:
        raise InvalidInputError(
            "a session must end after it starts",
            code="session_ends_before_start",
            details={"started_at": start.isoformat(), "ended_at": end.isoformat()},
        )
    if end - start > MAX_SESSION:
        raise InvalidInputError(
            "a session may last at most 24 hours; record a longer broadcast as several sessions",
            code="session_too_long",
            details={"hours": round((end - start).total_seconds() / 3600, 2)},
        )
    return start, end


def decide_session(command: SessionCommand, session: RelaySession) -> Sequence[Event]:
    match command:
        case RecordSession():
            if session.status != "absent":
                raise ConflictError("the session is already recorded", code="duplicate_relay_session")
            start, end = checked_interval(command.started_at, command.ended_at)
            return [
                RelaySessionRecorded(
                    session_id=command.session_id,
                    station_id=command.station_id,
                    unit_code=command.unit_code,
                    source=command.source,
                    started_at=start,
                    ended_at=end,
                    programme_id=command.programme_id,
                    note=clean_text(command.note, field="note"),
                )
            ]
        case CancelSession():
            if session.status == "absent":
                raise NotFoundError("no such relay session", code="unknown_relay_session")
            if session.status == "cancelled":
                return []
            return [
                RelaySessionCancelled(
                    session_id=session.session_id,
                    station_id=session.station_id,
                    unit_code=session.unit_code,
                    reason=required_text(command.reason, field="reason"),
                )
            ]


def evolve_session(session: RelaySession, event: Event) -> RelaySession:
    match event:
        case RelaySessionRecorded():
            return RelaySession(
                session_id=event.session_id, station_id=event.station_id, unit_code=event.unit_code, status="recorded"
            )
        case RelaySessionCancelled():
            return msgspec.structs.replace(session, status="cancelled")
    return session


RELAY_SESSION: Decider[SessionCommand, RelaySession] = Decider(
    stream_type="relay_session", initial=RelaySession, evolve=evolve_session, decide=decide_session
)
