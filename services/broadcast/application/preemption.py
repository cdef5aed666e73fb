"""Pre-emption: an emergency bulletin interrupts the slot on air in the station's schedule.

Run by the pre-emption policy (``entrypoints.preemption_policy``) on the connection and in the
transaction that moves the policy's checkpoint: the interruption and the record that the bulletin
was handled commit together, so a restart or a redelivered event neither loses an interruption
nor records it twice (the schedule itself also takes each bulletin once, for a rebuild that
replays them all). The station's schedule stream may move meanwhile (somebody edits it): the
append is then decided again on the new version, in a savepoint of its own.
"""

from __future__ import annotations

from typing import Literal

from contracts.broadcast_events import CATALOGUE
from contracts.envelope import Metadata
from libs.common.db import Conn
from libs.common.eventstore.errors import ConcurrencyError
from libs.common.eventstore.store import EventStore
from services.broadcast.domain.schedules import SCHEDULE, Interrupt, schedule_stream

STORE = EventStore("broadcast")
ATTEMPTS = 5

Outcome = Literal["interrupted", "recorded_before", "outside_slots"]
"""What a bulletin did to the schedule: interrupted a slot now, had done so before (a replay),
or met no slot on air."""


async def preempt(conn: Conn, station_id: str, command: Interrupt, metadata: Metadata) -> Outcome:
    stream = schedule_stream(station_id)
    for attempt in range(ATTEMPTS):
        history = await STORE.load(conn, stream)
        schedule = SCHEDULE.fold([CATALOGUE.decode(e.type, e.schema_version, e.data) for e in history])
        if schedule.took(command.bulletin_kind, command.bulletin_id):
            return "recorded_before"
        events = SCHEDULE.decide(command, schedule)
        if not events:
            return "outside_slots"
        version = history[-1].version if history else 0
        try:
            async with conn.transaction():  # a savepoint: a lost race rolls back alone
                await STORE.append(conn, stream, SCHEDULE.stream_type, version, events, metadata=metadata)
            return "interrupted"
        except ConcurrencyError:
            if attempt == ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable: the last attempt returns or raises")
