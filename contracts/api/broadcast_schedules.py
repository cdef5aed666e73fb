"""The broadcast service's answers about schedules (ADR 0053), declared once: the service returns
them, the gateway's client decodes them. Every field is always sent. Times of day are ``HH:MM`` on
the province's clock; minutes are whole minutes (seconds dropped, as airtime's durations are)."""

from __future__ import annotations

import datetime

from contracts.api.broadcast_views import View
from contracts.broadcast_events import BulletinKind, RelaySource, ScheduleKind


class ScheduleSlotView(View, frozen=True, kw_only=True):
    slot_id: str
    station_id: str
    unit_code: str
    kind: ScheduleKind
    source: RelaySource
    starts: str
    ends: str
    weekday: int | None
    """1 Monday … 7 Sunday for a weekly slot; ``None`` for a one-day slot (``on``)."""
    valid_from: datetime.date | None
    valid_until: datetime.date | None
    """The first day a removed slot no longer runs."""
    on: datetime.date | None
    title: str | None
    cancelled_on: list[datetime.date]
    """The days of the asked period it does not run (exceptions)."""


class ScheduleInterruptionView(View, frozen=True, kw_only=True):
    station_id: str
    unit_code: str
    slot_id: str
    on: datetime.date
    interrupted_at: datetime.datetime
    bulletin_kind: BulletinKind
    bulletin_id: str
    """The alert's id, or the emergency programme's."""


class ScheduleAdherence(View, frozen=True, kw_only=True):
    """Airtime against the schedule over a period."""

    planned_minutes: int
    """Slots planned on the period's days, cancelled ones left out, one-day slots in."""
    aired_minutes: int
    """Relay sessions and local broadcasts recorded (cancelled sessions left out)."""
    aired_in_schedule_minutes: int
    """Of those, the minutes inside a planned slot."""
    sessions_outside_schedule: int
    """Sessions that met no planned slot, at stations that have a schedule."""
    interruption_count: int
    """Slots pre-empted by emergency bulletins."""


class StationSchedule(ScheduleAdherence, frozen=True, kw_only=True):
    station_id: str
    period: str
    slots: list[ScheduleSlotView]
    """Weekly slots in force on some day of the period and the period's one-day slots, by weekday
    or day, then start."""
    interruptions: list[ScheduleInterruptionView]


class UnitScheduleAdherencePart(ScheduleAdherence, frozen=True, kw_only=True):
    unit_code: str
    name: str


class UnitScheduleAdherence(ScheduleAdherence, frozen=True, kw_only=True):
    unit_code: str
    name: str
    period: str
    children: list[UnitScheduleAdherencePart]
    """The unit's direct children, each with everything under it."""
