"""The broadcast service's HTTP API requests: every command's and batched query's body, declared once.

The service takes them (unknown fields refused), the gateway's client encodes them; queries
answer the views of ``contracts.api.broadcast_views``, commands answer
``libs.common.eventstore.results.CommandResult``. Units are named by official code, stations
and clusters by the registry's ids.
"""

from __future__ import annotations

import datetime
from typing import Annotated, Literal

import msgspec

from contracts.broadcast_events import (
    AlertCategory,
    AlertPriority,
    AssigneeKind,
    AudioFile,
    Priority,
    ProgrammeItem,
    RelaySource,
    ResolutionCause,
    ScheduleKind,
)

MAX_STATIONS = 2000
"""Stations one programme is sent to in one command."""
MAX_RELAY_BATCH = 5000
MAX_SIGNAL_BATCH = 10_000
MAX_KEYS = 1000
"""Keys of one batched query (clusters: ``MAX_SIGNAL_BATCH``)."""

ObservationKind = Literal["HEARTBEAT", "RESTORED", "NO_SIGNAL", "OFFLINE"]
Timeliness = Literal["on_time", "late", "missing", "pending", "failed"]
Keys = Annotated[list[str], msgspec.Meta(min_length=1, max_length=MAX_KEYS)]
IncidentStatus = Literal["open", "closed", "unacknowledged", "unresolved", "resolved"]
"""Which incidents a listing shows: ``open``/``closed`` by the signal; ``unacknowledged`` (nobody
took it on and it is not resolved), ``unresolved`` and ``resolved`` by people's handling."""
MttrBy = Literal["assignee", "cause"]


class Body(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True, omit_defaults=True):
    """A request body: unknown fields refused; defaults left out when sent, so the service's apply."""


# --- commands: programmes and deliveries ------------------------------------------------------


class RecordProgrammeBody(Body, frozen=True, kw_only=True):
    unit_code: str
    """The producer: a district (its culture and media centre) or the province."""
    title: str
    air_date: datetime.date
    duration_seconds: int
    news_items: int
    articles: int
    items: list[ProgrammeItem] = msgspec.field(default_factory=list)
    segments: list[str] = msgspec.field(default_factory=list)
    audio: AudioFile | None = None
    priority: Priority = "normal"
    draft: bool = False
    """Content approval (ADR 0052): a caller who may approve the programme records it approved,
    unless it asks for a draft; anyone else records a draft, to be submitted and approved."""


class CorrectProgrammeBody(Body, frozen=True, kw_only=True):
    reason: str
    title: str | None = None
    air_date: datetime.date | None = None
    duration_seconds: int | None = None
    news_items: int | None = None
    articles: int | None = None
    items: list[ProgrammeItem] | None = None
    segments: list[str] | None = None
    audio: AudioFile | None = None
    priority: Priority | None = None


class SubmitProgrammeBody(Body, frozen=True, kw_only=True):
    note: str | None = None


class ApproveProgrammeBody(Body, frozen=True, kw_only=True):
    note: str | None = None


class RejectProgrammeBody(Body, frozen=True, kw_only=True):
    reason: str
    """Why the content is refused: what the producer corrects before submitting it again."""


class SendProgrammeBody(Body, frozen=True, kw_only=True):
    station_ids: Annotated[list[str], msgspec.Meta(min_length=1, max_length=MAX_STATIONS)]
    due_at: datetime.datetime
    sent_at: datetime.datetime | None = None
    """Default: now."""


class DeliveryStepBody(Body, frozen=True, kw_only=True):
    at: datetime.datetime | None = None
    """When it happened; default: now."""
    reason: str | None = None
    """For a failure: why (required there)."""
    content_hash: str | None = None
    """For a receipt: the hash of the file the station got."""


# --- commands: relays, signal, outreach, alerts -----------------------------------------------


class RelaySessionBody(Body, frozen=True, kw_only=True):
    station_id: str
    source: RelaySource
    started_at: datetime.datetime
    ended_at: datetime.datetime
    programme_id: str | None = None
    note: str | None = None


class RecordRelaySessionsBody(Body, frozen=True, kw_only=True):
    sessions: Annotated[list[RelaySessionBody], msgspec.Meta(min_length=1, max_length=MAX_RELAY_BATCH)]


class ReasonBody(Body, frozen=True, kw_only=True):
    """Cancelling a relay session or an alert."""

    reason: str


class SignalReportBody(Body, frozen=True, kw_only=True):
    cluster_id: str
    kind: ObservationKind
    observed_at: datetime.datetime


class ReportSignalsBody(Body, frozen=True, kw_only=True):
    reports: Annotated[list[SignalReportBody], msgspec.Meta(min_length=1, max_length=MAX_SIGNAL_BATCH)]


class ConfigureSignalBody(Body, frozen=True, kw_only=True):
    silence_threshold_seconds: int


class RecordOutreachSessionBody(Body, frozen=True, kw_only=True):
    unit_code: str
    held_on: datetime.date
    topic: str | None = None
    audience: int | None = None


class RecordVehicleTripBody(Body, frozen=True, kw_only=True):
    unit_code: str
    made_on: datetime.date
    route: str | None = None
    distance_km: float | None = None


class IssueAlertBody(Body, frozen=True, kw_only=True):
    unit_code: str | None = None
    """The area: this unit and every unit under it. Required (refused with a clear code)."""
    category: AlertCategory
    priority: AlertPriority
    title: str
    message: str
    expires_at: datetime.datetime


class AcknowledgeAlertBody(Body, frozen=True, kw_only=True):
    station_id: str
    acknowledged_at: datetime.datetime | None = None
    """Default: now."""


# --- commands: incidents handled ---------------------------------------------------------------


class AcknowledgeIncidentBody(Body, frozen=True, kw_only=True):
    """Someone has seen the incident and takes it on; a note may say what they do first."""

    note: str | None = None


class AssignIncidentBody(Body, frozen=True, kw_only=True):
    assignee_kind: AssigneeKind
    assignee_code: str
    """A district or commune's code (``unit``), or an operator's code such as ``VNPT`` (``operator``)."""
    note: str | None = None


class IncidentNoteBody(Body, frozen=True, kw_only=True):
    note: str


class ResolveIncidentBody(Body, frozen=True, kw_only=True):
    cause: ResolutionCause
    note: str | None = None


# --- batched queries: their keys --------------------------------------------------------------


class ProgrammeKeys(Body, frozen=True, kw_only=True):
    programme_ids: Keys


class StationKeys(Body, frozen=True, kw_only=True):
    station_ids: Keys
    problems_only: bool = False
    """Only late, missing and failed deliveries."""


class StationAirtimeQuery(Body, frozen=True, kw_only=True):
    station_ids: Keys
    period: str


class UnitAirtimeQuery(Body, frozen=True, kw_only=True):
    unit_codes: Keys
    period: str


class AlertKeys(Body, frozen=True, kw_only=True):
    alert_ids: Keys


class AlertStationsAsk(Body, frozen=True, kw_only=True):
    """One page of one alert's stations: the first ``limit`` after the cursor ``after``."""

    alert_id: str
    after: str | None = None
    limit: Annotated[int, msgspec.Meta(ge=1, le=500)] = 50


class AlertStationsQuery(Body, frozen=True, kw_only=True):
    """Pages of many alerts' stations at once (a list of alerts, each with its stations' page)."""

    pages: Annotated[list[AlertStationsAsk], msgspec.Meta(min_length=1, max_length=MAX_KEYS)]


class IncidentKeys(Body, frozen=True, kw_only=True):
    incident_ids: Keys


class SessionKeys(Body, frozen=True, kw_only=True):
    session_ids: Keys


class OutreachKeys(Body, frozen=True, kw_only=True):
    outreach_ids: Keys


class ClusterKeys(Body, frozen=True, kw_only=True):
    cluster_ids: Annotated[list[str], msgspec.Meta(min_length=1, max_length=MAX_SIGNAL_BATCH)]


# --- commands: broadcast schedules -------------------------------------------------------------


class ScheduleSlotBody(Body, frozen=True, kw_only=True):
    """A weekly slot: on ``weekday`` (1 Monday … 7 Sunday) from ``starts`` to ``ends`` (``HH:MM``,
    the province's clock; ``24:00`` ends the day), every week from ``valid_from`` (default: today)."""

    weekday: int
    starts: str
    ends: str
    kind: ScheduleKind
    source: RelaySource | None = None
    """The channel a relay slot carries (VOV1, VTV1, PROVINCIAL, OTHER); a local slot's is LOCAL."""
    valid_from: datetime.date | None = None
    title: str | None = None


class ScheduleDaySlotBody(Body, frozen=True, kw_only=True):
    """An exception: a slot added for day ``on`` only."""

    on: datetime.date
    starts: str
    ends: str
    kind: ScheduleKind
    source: RelaySource | None = None
    title: str | None = None
    reason: str | None = None


class RemoveScheduleSlotBody(Body, frozen=True, kw_only=True):
    valid_from: datetime.date | None = None
    """The first day the slot no longer runs (default: today)."""
    reason: str | None = None


class CancelScheduleSlotBody(Body, frozen=True, kw_only=True):
    """An exception: the slot does not run on day ``on``."""

    on: datetime.date
    reason: str
