"""A station's broadcast schedule: one aggregate per station (``schedule-<station_id>``).

Circular 39/2020/TT-BTTTT has a grassroots station broadcast on a schedule: slots that relay the
national or provincial channel and slots of local programmes. A weekly slot runs every week on
its weekday from the day it is valid from until the day it is removed from; an exception adds a
slot for one day or cancels a slot on one day. No two slots that can run on the same day overlap,
so which slot is on air at an instant has one answer: what an emergency bulletin pre-empts
(``Interrupt``, decided by the pre-emption policy, ``entrypoints.preemption_policy``), once per
bulletin. Times of day are the province's clock (``HH:MM``, ``24:00`` ends a day). Who may edit a
station's schedule is decided before the command reaches here (``application.schedules``).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Sequence
from typing import get_args

import msgspec

from contracts.base import Event
from contracts.broadcast_events import (
    BulletinKind,
    RelaySource,
    ScheduleInterrupted,
    ScheduleKind,
    ScheduleSlotAdded,
    ScheduleSlotDayCancelled,
    ScheduleSlotRemoved,
)
from contracts.province import PROVINCE_TZ
from libs.common.errors import ConflictError, InvalidInputError, NotFoundError
from libs.common.eventstore.decider import Decider
from services.broadcast.domain.common import clean_text, optional_name, required_text

_TIME = re.compile(r"^(\d{1,2}):([0-5]\d)$")
DAY_MINUTES = 24 * 60
RELAYED: frozenset[str] = frozenset(get_args(RelaySource)) - {"LOCAL"}


def minute_of_day(value: str, *, field: str) -> int:
    """``HH:MM`` as minutes after midnight; ``24:00`` (the end of the day) is 1440."""
    match = _TIME.match(value.strip())
    minutes = int(match.group(1)) * 60 + int(match.group(2)) if match else -1
    if not 0 <= minutes <= DAY_MINUTES:
        raise InvalidInputError(
            f"{field} must be a time of day HH:MM (00:00 to 24:00)", code="invalid_time_of_day",
            details={"field": field, "value": value},
        )  # fmt: skip
    return minutes


def hh_mm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


class Slot(msgspec.Struct, frozen=True, kw_only=True):
    slot_id: str
    kind: ScheduleKind
    source: RelaySource
    starts: int
    """Minutes after local midnight; ``ends`` likewise, after ``starts``."""
    ends: int
    weekday: int | None = None
    valid_from: datetime.date | None = None
    on: datetime.date | None = None
    valid_until: datetime.date | None = None
    """The first day it no longer runs (removed), if any."""
    cancelled: frozenset[datetime.date] = frozenset()

    def runs_on(self, day: datetime.date) -> bool:
        if day in self.cancelled or (self.valid_until is not None and day >= self.valid_until):
            return False
        if self.on is not None:
            return day == self.on
        return day.isoweekday() == self.weekday and (self.valid_from is None or day >= self.valid_from)

    def meets(self, other: Slot) -> bool:
        return self.starts < other.ends and other.starts < self.ends


class Schedule(msgspec.Struct, frozen=True, kw_only=True):
    station_id: str = ""
    unit_code: str = ""
    slots: tuple[Slot, ...] = ()
    bulletins: frozenset[str] = frozenset()
    """The emergency bulletins (``kind:id``) that interrupted it: each does so once."""

    def slot(self, slot_id: str) -> Slot:
        for slot in self.slots:
            if slot.slot_id == slot_id:
                return slot
        raise NotFoundError("no such slot in the station's schedule", code="unknown_schedule_slot",
                            details={"slot_id": slot_id})  # fmt: skip

    def took(self, bulletin_kind: BulletinKind, bulletin_id: str) -> bool:
        """Whether that bulletin already interrupted the schedule."""
        return f"{bulletin_kind}:{bulletin_id}" in self.bulletins

    def on_air(self, at: datetime.datetime) -> tuple[Slot, datetime.date] | None:
        local = at.astimezone(PROVINCE_TZ)
        minute = local.hour * 60 + local.minute
        for slot in self.slots:
            if slot.runs_on(local.date()) and slot.starts <= minute < slot.ends:
                return slot, local.date()
        return None


def schedule_stream(station_id: str) -> str:
    return f"schedule-{station_id}"


class AddSlot(msgspec.Struct, frozen=True, kw_only=True):
    """A weekly slot (``weekday`` and ``valid_from``) or a one-day slot (``on``)."""

    slot_id: str
    station_id: str
    unit_code: str
    kind: ScheduleKind
    source: RelaySource | None
    starts: str
    ends: str
    weekday: int | None = None
    valid_from: datetime.date | None = None
    on: datetime.date | None = None
    title: str | None = None
    reason: str | None = None


class RemoveSlot(msgspec.Struct, frozen=True, kw_only=True):
    slot_id: str
    valid_from: datetime.date
    reason: str | None = None


class CancelSlotOn(msgspec.Struct, frozen=True, kw_only=True):
    slot_id: str
    on: datetime.date
    reason: str


class Interrupt(msgspec.Struct, frozen=True, kw_only=True):
    at: datetime.datetime
    bulletin_kind: BulletinKind
    bulletin_id: str


ScheduleCommand = AddSlot | RemoveSlot | CancelSlotOn | Interrupt


def _source(kind: ScheduleKind, source: RelaySource | None) -> RelaySource:
    if kind == "local" and source in (None, "LOCAL"):
        return "LOCAL"
    if kind == "relay" and source in RELAYED:
        assert source is not None
        return source
    raise InvalidInputError(
        "a relay slot names the channel it relays (VOV1, VTV1, PROVINCIAL, OTHER); a local slot is LOCAL",
        code="invalid_slot_source", details={"kind": kind, "source": source},
    )  # fmt: skip


def _new_slot(command: AddSlot) -> Slot:
    starts = minute_of_day(command.starts, field="starts")
    ends = minute_of_day(command.ends, field="ends")
    if starts >= DAY_MINUTES or ends <= starts:
        raise InvalidInputError(
            "a slot ends after it starts, on the same day (split a slot across midnight in two)",
            code="slot_ends_before_start", details={"starts": command.starts, "ends": command.ends},
        )  # fmt: skip
    weekly = command.weekday is not None
    if weekly == (command.on is not None):
        raise InvalidInputError("a slot has a weekday (every week) or a day (once), not both",
                                code="invalid_slot_day")  # fmt: skip
    if command.weekday is not None and not 1 <= command.weekday <= 7:
        raise InvalidInputError("weekday runs from 1 (Monday) to 7 (Sunday)", code="invalid_weekday",
                                details={"weekday": command.weekday})  # fmt: skip
    if weekly and command.valid_from is None:
        raise InvalidInputError("a weekly slot says the day it is valid from", code="missing_field",
                                details={"field": "valid_from"})  # fmt: skip
    return Slot(
        slot_id=command.slot_id, kind=command.kind, source=_source(command.kind, command.source), starts=starts,
        ends=ends, weekday=command.weekday, valid_from=command.valid_from if weekly else None, on=command.on,
    )  # fmt: skip


def _clashes(new: Slot, slots: Iterable[Slot]) -> list[str]:
    """The slots ``new`` would overlap on some day both run."""
    found = []
    for other in slots:
        if not new.meets(other):
            continue
        if new.on is not None:
            clash = other.runs_on(new.on)
        elif other.on is not None:
            clash = new.runs_on(other.on) and other.runs_on(other.on)
        else:
            from_day = max(new.valid_from or datetime.date.min, other.valid_from or datetime.date.min)
            clash = other.weekday == new.weekday and (other.valid_until is None or other.valid_until > from_day)
        if clash:
            found.append(other.slot_id)
    return found


def decide_schedule(command: ScheduleCommand, schedule: Schedule) -> Sequence[Event]:
    ids = {"station_id": schedule.station_id, "unit_code": schedule.unit_code}
    match command:
        case AddSlot():
            if any(s.slot_id == command.slot_id for s in schedule.slots):
                raise ConflictError("the slot is already in the schedule", code="duplicate_schedule_slot")
            slot = _new_slot(command)
            if clashes := _clashes(slot, schedule.slots):
                raise ConflictError(
                    "the slot overlaps another slot of the station's schedule", code="schedule_overlap",
                    details={"starts": command.starts, "ends": command.ends, "overlaps": clashes},
                )  # fmt: skip
            return [
                ScheduleSlotAdded(
                    slot_id=slot.slot_id, station_id=command.station_id, unit_code=command.unit_code,
                    kind=slot.kind, source=slot.source, starts=hh_mm(slot.starts), ends=hh_mm(slot.ends),
                    weekday=slot.weekday, valid_from=slot.valid_from, on=slot.on,
                    title=optional_name(command.title, field="title"),
                    reason=clean_text(command.reason, field="reason"),
                )
            ]  # fmt: skip
        case RemoveSlot():
            slot = schedule.slot(command.slot_id)
            if slot.valid_until is not None and slot.valid_until <= command.valid_from:
                return []  # already gone by then
            reason = clean_text(command.reason, field="reason")
            return [ScheduleSlotRemoved(**ids, slot_id=slot.slot_id, valid_from=command.valid_from, reason=reason)]
        case CancelSlotOn():
            slot = schedule.slot(command.slot_id)
            if command.on in slot.cancelled:
                return []
            if not slot.runs_on(command.on):
                raise InvalidInputError(
                    "the slot does not run on that day", code="slot_not_on_that_day",
                    details={"slot_id": slot.slot_id, "on": command.on.isoformat()},
                )  # fmt: skip
            reason = required_text(command.reason, field="reason")
            return [ScheduleSlotDayCancelled(**ids, slot_id=slot.slot_id, on=command.on, reason=reason)]
        case Interrupt():
            found = schedule.on_air(command.at)
            if schedule.took(command.bulletin_kind, command.bulletin_id) or found is None:
                return []  # once per bulletin; outside every slot there is nothing to pre-empt
            slot, day = found
            return [
                ScheduleInterrupted(
                    **ids, slot_id=slot.slot_id, on=day, interrupted_at=command.at,
                    bulletin_kind=command.bulletin_kind, bulletin_id=command.bulletin_id,
                )
            ]  # fmt: skip


def _with(schedule: Schedule, slot_id: str, **changes: object) -> Schedule:
    slots = tuple(msgspec.structs.replace(s, **changes) if s.slot_id == slot_id else s for s in schedule.slots)
    return msgspec.structs.replace(schedule, slots=slots)


def evolve_schedule(schedule: Schedule, event: Event) -> Schedule:
    match event:
        case ScheduleSlotAdded():
            slot = Slot(
                slot_id=event.slot_id, kind=event.kind, source=event.source,
                starts=minute_of_day(event.starts, field="starts"), ends=minute_of_day(event.ends, field="ends"),
                weekday=event.weekday, valid_from=event.valid_from, on=event.on,
            )  # fmt: skip
            return msgspec.structs.replace(
                schedule, station_id=event.station_id, unit_code=event.unit_code, slots=(*schedule.slots, slot)
            )
        case ScheduleSlotRemoved():
            return _with(schedule, event.slot_id, valid_until=event.valid_from)
        case ScheduleSlotDayCancelled():
            cancelled = schedule.slot(event.slot_id).cancelled | {event.on}
            return _with(schedule, event.slot_id, cancelled=cancelled)
        case ScheduleInterrupted():
            key = f"{event.bulletin_kind}:{event.bulletin_id}"
            return msgspec.structs.replace(schedule, bulletins=schedule.bulletins | {key})
    return schedule


SCHEDULE: Decider[ScheduleCommand, Schedule] = Decider(
    stream_type="schedule", initial=Schedule, evolve=evolve_schedule, decide=decide_schedule
)
