"""Incidents handled: a signal incident acknowledged, assigned, annotated and resolved by people.

The signal stream opens and closes an incident (``domain.signal``); handling it is a stream of
its own per incident (``incident-<id>``), so people working on it never contend with the
cluster's reports. Every step names who took it and when. The rules (docs/services/broadcast.md,
"Incidents handled"): a resolved incident takes no further step; acknowledging or assigning
twice the same way changes nothing; resolving needs a cause from the closed list
(``contracts.broadcast_events.ResolutionCause``). Who may take a step is decided before the
command reaches here (``application.incidents``): the domain knows the incident, not callers.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Literal

import msgspec

from contracts.base import Event
from contracts.broadcast_events import (
    AssigneeKind,
    IncidentAcknowledged,
    IncidentAssigned,
    IncidentEscalated,
    IncidentNoteAdded,
    IncidentResolved,
    ResolutionCause,
)
from libs.common.errors import ConflictError, NotFoundError
from libs.common.eventstore.decider import Decider
from services.broadcast.domain.common import clean_text, required_text

MAX_NOTE = 2000


class OpenedIncident(msgspec.Struct, frozen=True, kw_only=True):
    """What the signal side opened: the incident a handling step is about."""

    incident_id: str
    cluster_id: str
    station_id: str
    unit_code: str
    opened_at: datetime.datetime


class Incident(msgspec.Struct, frozen=True, kw_only=True):
    status: Literal["open", "resolved"] = "open"
    acknowledged_at: datetime.datetime | None = None
    assignee_kind: AssigneeKind | None = None
    assignee_code: str | None = None
    overdue_raised: bool = False


def incident_stream(incident_id: str) -> str:
    return f"incident-{incident_id}"


class Acknowledge(msgspec.Struct, frozen=True, kw_only=True):
    at: datetime.datetime
    by: str
    note: str | None = None


class Assign(msgspec.Struct, frozen=True, kw_only=True):
    assignee_kind: AssigneeKind
    assignee_code: str
    """Checked to exist before the command is decided (``unknown_assignee``)."""
    at: datetime.datetime
    by: str
    note: str | None = None


class AddNote(msgspec.Struct, frozen=True, kw_only=True):
    note: str
    at: datetime.datetime
    by: str


class Resolve(msgspec.Struct, frozen=True, kw_only=True):
    cause: ResolutionCause
    at: datetime.datetime
    by: str
    note: str | None = None


class RaiseOverdue(msgspec.Struct, frozen=True, kw_only=True):
    deadline_minutes: float
    at: datetime.datetime


class IncidentCommand(msgspec.Struct, frozen=True, kw_only=True):
    incident: OpenedIncident | None
    """``None``: no incident of that id was ever opened."""
    step: Acknowledge | Assign | AddNote | Resolve | RaiseOverdue


def _note(opened: OpenedIncident, note: str | None, at: datetime.datetime, by: str) -> list[Event]:
    text = clean_text(note, field="note", max_length=MAX_NOTE)
    if not text:
        return []
    return [
        IncidentNoteAdded(
            incident_id=opened.incident_id, unit_code=opened.unit_code, note=text, noted_at=at, noted_by=by
        )
    ]


def decide_incident(command: IncidentCommand, incident: Incident) -> Sequence[Event]:
    opened = command.incident
    if opened is None:
        raise NotFoundError("no such incident", code="unknown_incident")
    step = command.step
    if incident.status == "resolved":
        if isinstance(step, RaiseOverdue):
            return []
        raise ConflictError(
            "the incident is already resolved", code="incident_already_resolved",
            details={"incident_id": opened.incident_id},
        )  # fmt: skip
    ids = {"incident_id": opened.incident_id, "unit_code": opened.unit_code}
    match step:
        case Acknowledge():
            if incident.acknowledged_at is not None:
                return _note(opened, step.note, step.at, step.by)
            acknowledged = IncidentAcknowledged(**ids, acknowledged_at=step.at, acknowledged_by=step.by)
            return [acknowledged, *_note(opened, step.note, step.at, step.by)]
        case Assign():
            same = (incident.assignee_kind, incident.assignee_code) == (step.assignee_kind, step.assignee_code)
            assigned: list[Event] = [] if same else [
                IncidentAssigned(
                    **ids, assignee_kind=step.assignee_kind, assignee_code=step.assignee_code,
                    assigned_at=step.at, assigned_by=step.by,
                )
            ]  # fmt: skip
            return assigned + _note(opened, step.note, step.at, step.by)
        case AddNote():
            return [
                IncidentNoteAdded(
                    **ids, note=required_text(step.note, field="note", max_length=MAX_NOTE), noted_at=step.at,
                    noted_by=step.by,
                )
            ]  # fmt: skip
        case Resolve():
            return [
                IncidentResolved(
                    **ids,
                    cause=step.cause,
                    opened_at=opened.opened_at,
                    resolved_at=step.at,
                    resolved_by=step.by,
                    assignee_kind=incident.assignee_kind,
                    assignee_code=incident.assignee_code,
                    note=clean_text(step.note, field="note", max_length=MAX_NOTE),
                )
            ]
        case _:
            if incident.acknowledged_at is not None or incident.overdue_raised:
                return []  # raised once per incident, and never for one somebody took on
            return [
                IncidentEscalated(
                    **ids,
                    cluster_id=opened.cluster_id,
                    station_id=opened.station_id,
                    opened_at=opened.opened_at,
                    deadline_minutes=step.deadline_minutes,
                    raised_at=step.at,
                )
            ]


def evolve_incident(incident: Incident, event: Event) -> Incident:
    match event:
        case IncidentAcknowledged():
            return msgspec.structs.replace(incident, acknowledged_at=event.acknowledged_at)
        case IncidentAssigned():
            return msgspec.structs.replace(
                incident, assignee_kind=event.assignee_kind, assignee_code=event.assignee_code
            )
        case IncidentResolved():
            return msgspec.structs.replace(incident, status="resolved")
        case IncidentEscalated():
            return msgspec.structs.replace(incident, overdue_raised=True)
    return incident


INCIDENT: Decider[IncidentCommand, Incident] = Decider(
    stream_type="incident", initial=Incident, evolve=evolve_incident, decide=decide_incident
)
