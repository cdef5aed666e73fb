"""A station's broadcast schedule, decided on its own: weekly slots and one-day exceptions never
overlap, a removed or cancelled slot stops running, and an emergency bulletin interrupts the slot
on air at its instant, once."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

import pytest

from contracts.base import Event
from contracts.broadcast_events import ScheduleInterrupted, ScheduleSlotAdded, ScheduleSlotDayCancelled
from contracts.province import PROVINCE_TZ
from libs.common.errors import ConflictError, InvalidInputError, NotFoundError
from services.broadcast.domain.schedules import (
    SCHEDULE,
    AddSlot,
    CancelSlotOn,
    Interrupt,
    RemoveSlot,
    Schedule,
    ScheduleCommand,
)

MONDAY = datetime.date(2026, 12, 7)
FROM = datetime.date(2026, 11, 30)


def weekly(slot_id: str, starts: str, ends: str, *, weekday: int = 1, **more: Any) -> AddSlot:
    fields: dict[str, Any] = {"kind": "relay", "source": "VOV1", "valid_from": FROM, **more}
    return AddSlot(
        slot_id=slot_id, station_id="st-1", unit_code="00001", starts=starts, ends=ends, weekday=weekday, **fields
    )


def one_day(slot_id: str, on: datetime.date, starts: str, ends: str) -> AddSlot:
    return AddSlot(
        slot_id=slot_id, station_id="st-1", unit_code="00001", kind="local", source=None, starts=starts, ends=ends,
        on=on,
    )  # fmt: skip


def run(*commands: ScheduleCommand) -> tuple[Schedule, list[Event]]:
    """The schedule after every command, and the events the last one decided."""
    schedule, decided = SCHEDULE.initial(), []
    for command in commands:
        decided = [e for e in SCHEDULE.decide(command, schedule) if isinstance(e, Event)]
        schedule = _fold(schedule, decided)
    return schedule, decided


def _fold(schedule: Schedule, events: Sequence[Event]) -> Schedule:
    for event in events:
        schedule = SCHEDULE.evolve(schedule, event)
    return schedule


def local(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), PROVINCE_TZ)


def test_a_weekly_slot_is_recorded_with_its_times_and_a_local_slot_carries_local() -> None:
    _, events = run(weekly("s1", "5:30", "06:00"))
    assert isinstance(events[0], ScheduleSlotAdded)
    assert (events[0].starts, events[0].ends, events[0].source) == ("05:30", "06:00", "VOV1")
    _, events = run(one_day("s2", MONDAY, "17:00", "24:00"))
    assert isinstance(events[0], ScheduleSlotAdded)
    assert (events[0].kind, events[0].source, events[0].ends) == ("local", "LOCAL", "24:00")


def test_overlapping_weekly_slots_on_the_same_weekday_are_refused() -> None:
    with pytest.raises(ConflictError) as refused:
        run(weekly("s1", "05:00", "06:00"), weekly("s2", "05:45", "06:30"))
    assert refused.value.code == "schedule_overlap"
    assert refused.value.details["overlaps"] == ["s1"]
    # touching slots and another weekday are fine
    run(weekly("s1", "05:00", "06:00"), weekly("s2", "06:00", "06:30"), weekly("s3", "05:00", "06:00", weekday=2))


def test_a_day_slot_may_not_overlap_the_weekly_slot_of_its_weekday_unless_that_is_cancelled() -> None:
    with pytest.raises(ConflictError) as refused:
        run(weekly("s1", "05:00", "06:00"), one_day("d1", MONDAY, "05:30", "07:00"))
    assert refused.value.code == "schedule_overlap"
    cancel = CancelSlotOn(slot_id="s1", on=MONDAY, reason="hội nghị huyện")
    _, events = run(weekly("s1", "05:00", "06:00"), cancel, one_day("d1", MONDAY, "05:30", "07:00"))
    assert isinstance(events[0], ScheduleSlotAdded)


def test_a_weekly_slot_may_not_cover_a_day_slot_already_there() -> None:
    with pytest.raises(ConflictError):
        run(one_day("d1", MONDAY, "05:30", "07:00"), weekly("s1", "05:00", "06:00"))
    # from a later day it does not meet the one-day slot
    run(one_day("d1", MONDAY, "05:30", "07:00"), weekly("s1", "05:00", "06:00", valid_from=MONDAY.replace(day=8)))


def test_a_removed_slot_frees_its_time_from_that_day() -> None:
    removed = RemoveSlot(slot_id="s1", valid_from=MONDAY)
    schedule, _ = run(weekly("s1", "05:00", "06:00"), removed, weekly("s2", "05:00", "06:00", valid_from=MONDAY))
    assert [s.slot_id for s in schedule.slots if s.runs_on(MONDAY)] == ["s2"]
    assert [s.slot_id for s in schedule.slots if s.runs_on(MONDAY - datetime.timedelta(days=7))] == ["s1"]
    _, again = run(weekly("s1", "05:00", "06:00"), removed, removed)
    assert again == []


def test_bad_times_days_and_sources_are_refused_with_their_codes() -> None:
    cases: list[tuple[AddSlot, str]] = [
        (weekly("s", "25:00", "26:00"), "invalid_time_of_day"),
        (weekly("s", "06:00", "05:00"), "slot_ends_before_start"),
        (weekly("s", "24:00", "24:00"), "slot_ends_before_start"),
        (weekly("s", "05:00", "06:00", weekday=8), "invalid_weekday"),
        (weekly("s", "05:00", "06:00", source="LOCAL"), "invalid_slot_source"),
        (weekly("s", "05:00", "06:00", kind="local", source="VTV1"), "invalid_slot_source"),
    ]
    for command, code in cases:
        with pytest.raises(InvalidInputError) as refused:
            run(command)
        assert refused.value.code == code, command


def test_cancelling_a_slot_on_a_day_it_does_not_run_is_refused_and_twice_changes_nothing() -> None:
    with pytest.raises(InvalidInputError) as refused:
        run(weekly("s1", "05:00", "06:00"), CancelSlotOn(slot_id="s1", on=MONDAY.replace(day=8), reason="x"))
    assert refused.value.code == "slot_not_on_that_day"
    cancel = CancelSlotOn(slot_id="s1", on=MONDAY, reason="bão số 3")
    _, events = run(weekly("s1", "05:00", "06:00"), cancel)
    assert isinstance(events[0], ScheduleSlotDayCancelled)
    assert run(weekly("s1", "05:00", "06:00"), cancel, cancel)[1] == []
    with pytest.raises(NotFoundError):
        run(CancelSlotOn(slot_id="nope", on=MONDAY, reason="x"))


def test_an_emergency_bulletin_interrupts_the_slot_on_air_once() -> None:
    alert = Interrupt(at=local(MONDAY, 5, 40), bulletin_kind="alert", bulletin_id="al-1")
    _, events = run(weekly("s1", "05:00", "06:00"), weekly("s2", "17:00", "18:00"), alert)
    assert len(events) == 1
    assert isinstance(events[0], ScheduleInterrupted)
    assert (events[0].slot_id, events[0].on, events[0].bulletin_id) == ("s1", MONDAY, "al-1")
    assert run(weekly("s1", "05:00", "06:00"), alert, alert)[1] == []


def test_a_bulletin_outside_every_slot_or_on_a_cancelled_day_interrupts_nothing() -> None:
    late = Interrupt(at=local(MONDAY, 6, 0), bulletin_kind="delivery", bulletin_id="pg-1")
    assert run(weekly("s1", "05:00", "06:00"), late)[1] == []
    during = Interrupt(at=local(MONDAY, 5, 30), bulletin_kind="delivery", bulletin_id="pg-1")
    cancel = CancelSlotOn(slot_id="s1", on=MONDAY, reason="x")
    assert run(weekly("s1", "05:00", "06:00"), cancel, during)[1] == []
    assert run(during)[1] == []  # a station without a schedule
