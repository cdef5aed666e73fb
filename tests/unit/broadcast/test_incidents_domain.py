"""Incidents handled, decided on their own: each step says who and when, a resolved incident
takes no further step, repeated steps change nothing, and the overdue alert is raised once."""

from __future__ import annotations

import datetime

import pytest

from contracts.base import Event
from contracts.broadcast_events import (
    IncidentAcknowledged,
    IncidentAssigned,
    IncidentEscalated,
    IncidentNoteAdded,
    IncidentResolved,
)
from libs.common.errors import ConflictError, InvalidInputError, NotFoundError
from services.broadcast.domain.incidents import (
    INCIDENT,
    Acknowledge,
    AddNote,
    Assign,
    Incident,
    IncidentCommand,
    OpenedIncident,
    RaiseOverdue,
    Resolve,
)

OPENED_AT = datetime.datetime(2026, 12, 7, 8, 0, tzinfo=datetime.UTC)
OPENED = OpenedIncident(
    incident_id="inc-1", cluster_id="cl-1", station_id="st-1", unit_code="00001", opened_at=OPENED_AT
)


def at(minutes: int) -> datetime.datetime:
    return OPENED_AT + datetime.timedelta(minutes=minutes)


def run(*steps: Acknowledge | Assign | AddNote | Resolve | RaiseOverdue) -> tuple[Incident, list[Event]]:
    """Decide each step on the state the previous ones left; every event, in order."""
    state, history = Incident(), list[Event]()
    for step in steps:
        events = INCIDENT.decide(IncidentCommand(incident=OPENED, step=step), state)
        history.extend(e for e in events if isinstance(e, Event))
        state = INCIDENT.fold(history)
    return state, history


def test_an_incident_is_acknowledged_assigned_annotated_and_resolved_with_who_and_when() -> None:
    state, events = run(
        Acknowledge(at=at(5), by="ioc:lan"),
        Assign(assignee_kind="unit", assignee_code="00001", at=at(6), by="ioc:lan", note="  Xã Một goes  "),
        AddNote(note="the cable is cut", at=at(30), by="commune:an"),
        Resolve(cause="transmission_fault", at=at(90), by="commune:an"),
    )
    assert [type(e) for e in events] == [
        IncidentAcknowledged,
        IncidentAssigned,
        IncidentNoteAdded,
        IncidentNoteAdded,
        IncidentResolved,
    ]
    assigned, resolved = events[1], events[-1]
    assert isinstance(assigned, IncidentAssigned)
    assert assigned.assigned_by == "ioc:lan"
    assert isinstance(resolved, IncidentResolved)
    assert (resolved.opened_at, resolved.resolved_at, resolved.resolved_by) == (OPENED_AT, at(90), "commune:an")
    assert (resolved.assignee_kind, resolved.assignee_code, resolved.cause) == ("unit", "00001", "transmission_fault")
    assert state.status == "resolved"


def test_acknowledging_or_assigning_twice_the_same_way_changes_nothing() -> None:
    _, events = run(
        Acknowledge(at=at(1), by="a"),
        Acknowledge(at=at(2), by="b"),
        Assign(assignee_kind="operator", assignee_code="VNPT", at=at(3), by="a"),
        Assign(assignee_kind="operator", assignee_code="VNPT", at=at(4), by="b"),
    )
    assert [type(e) for e in events] == [IncidentAcknowledged, IncidentAssigned]
    assert isinstance(events[0], IncidentAcknowledged)
    assert events[0].acknowledged_by == "a"


def test_a_resolved_incident_refuses_every_further_step() -> None:
    state, _ = run(Resolve(cause="power_outage", at=at(10), by="a"))
    for step in (
        Acknowledge(at=at(11), by="a"),
        Assign(assignee_kind="unit", assignee_code="061", at=at(11), by="a"),
        AddNote(note="late", at=at(11), by="a"),
        Resolve(cause="other", at=at(11), by="a"),
    ):
        with pytest.raises(ConflictError) as refused:
            INCIDENT.decide(IncidentCommand(incident=OPENED, step=step), state)
        assert refused.value.code == "incident_already_resolved"


def test_a_step_on_an_incident_never_opened_is_unknown_incident() -> None:
    with pytest.raises(NotFoundError) as refused:
        INCIDENT.decide(IncidentCommand(incident=None, step=Acknowledge(at=at(1), by="a")), Incident())
    assert refused.value.code == "unknown_incident"


def test_a_blank_note_is_refused() -> None:
    with pytest.raises(InvalidInputError):
        run(AddNote(note="   ", at=at(1), by="a"))


def test_the_overdue_alert_is_raised_once_and_never_for_an_acknowledged_or_resolved_incident() -> None:
    state, events = run(RaiseOverdue(deadline_minutes=30, at=at(31)), RaiseOverdue(deadline_minutes=30, at=at(32)))
    assert [type(e) for e in events] == [IncidentEscalated]
    assert state.overdue_raised
    _, acknowledged_first = run(Acknowledge(at=at(1), by="a"), RaiseOverdue(deadline_minutes=30, at=at(31)))
    assert [type(e) for e in acknowledged_first] == [IncidentAcknowledged]
    _, resolved_first = run(Resolve(cause="other", at=at(1), by="a"), RaiseOverdue(deadline_minutes=30, at=at(31)))
    assert [type(e) for e in resolved_first] == [IncidentResolved]
