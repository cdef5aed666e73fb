"""Bulletins received from the source-information system (2455/BTTTT-TTCS, ADR 0054).

One stream per (sender, sender's bulletin id): the first receipt records the bulletin and the
programme it became; the same bulletin again changes nothing, and the same id with another body
is refused, so a sender's retry never makes a second programme and a reused id is never
mistaken for a retry.
"""

from __future__ import annotations

import datetime
import hashlib
import uuid
from collections.abc import Sequence

import msgspec

from contracts.api.source_link import ReceiveBulletinBody
from contracts.base import Event
from contracts.broadcast_events import Priority, SourceBulletinReceived
from libs.common.errors import ConflictError, InvalidInputError
from libs.common.eventstore.decider import Decider
from services.broadcast.domain.common import aware

_PROGRAMMES = uuid.UUID("8f1d7f3e-54a1-4c36-9a55-2455b7771c5e")
"""The namespace of programme ids made from bulletins (UUIDv5)."""


class SourceBulletin(msgspec.Struct, frozen=True, kw_only=True):
    programme_id: str = ""
    body_hash: str = ""

    @property
    def exists(self) -> bool:
        return bool(self.programme_id)


class ReceiveBulletin(msgspec.Struct, frozen=True, kw_only=True):
    sender: str
    bulletin_id: str
    programme_id: str
    unit_code: str
    priority: Priority
    body_hash: str
    received_at: datetime.datetime
    issued_at: datetime.datetime | None = None


def bulletin_stream(sender: str, bulletin_id: str) -> str:
    return f"source-bulletin-{sender}:{bulletin_id}"


def programme_id_of(sender: str, bulletin_id: str) -> str:
    """The programme a bulletin becomes: known before the command runs, the same on every retry."""
    return str(uuid.uuid5(_PROGRAMMES, f"{sender}\n{bulletin_id}"))


def body_hash(body: ReceiveBulletinBody) -> str:
    """SHA-256 of the bulletin's fields as decoded (key order and spacing of the sender's JSON
    do not count; a field left at its default counts as left out)."""
    return hashlib.sha256(msgspec.json.encode(body)).hexdigest()


def decide_bulletin(command: ReceiveBulletin, bulletin: SourceBulletin) -> Sequence[Event]:
    if bulletin.exists:
        if bulletin.body_hash != command.body_hash:
            raise ConflictError(
                "the bulletin id was already received with another body",
                code="bulletin_id_reused",
                details={"bulletin_id": command.bulletin_id, "programme_id": bulletin.programme_id},
            )
        return []  # the sender's retry: the programme exists already
    return [
        SourceBulletinReceived(
            sender=command.sender,
            bulletin_id=command.bulletin_id,
            programme_id=command.programme_id,
            unit_code=command.unit_code,
            priority=command.priority,
            body_hash=command.body_hash,
            received_at=command.received_at,
            issued_at=_issued_at(command.issued_at),
        )
    ]


def _issued_at(at: datetime.datetime | None) -> datetime.datetime | None:
    if at is None:
        return None
    try:
        return aware(at, field="issued_at")
    except OverflowError:  # a time near year 1 or 9999 whose offset takes it off the calendar in UTC
        raise InvalidInputError(
            "issued_at is outside the range of dates", code="invalid_datetime", details={"field": "issued_at"}
        ) from None


def evolve_bulletin(bulletin: SourceBulletin, event: Event) -> SourceBulletin:
    if isinstance(event, SourceBulletinReceived):
        return SourceBulletin(programme_id=event.programme_id, body_hash=event.body_hash)
    return bulletin


SOURCE_BULLETIN: Decider[ReceiveBulletin, SourceBulletin] = Decider(
    stream_type="source_bulletin", initial=SourceBulletin, evolve=evolve_bulletin, decide=decide_bulletin
)
