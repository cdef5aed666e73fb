"""The broadcast service's query answers, declared once: the service returns them, the
gateway's client decodes them. Every field is always sent."""

from __future__ import annotations

import datetime
from typing import Literal

import msgspec

from contracts.api.broadcast import Timeliness
from contracts.broadcast_events import AssigneeKind, AudioFile, Priority, ProgrammeItem, ResolutionCause

ApprovalState = Literal["draft", "submitted", "approved", "rejected", "distributed"]
ApprovalStep = Literal["submitted", "approved", "rejected", "distributed"]


class View(msgspec.Struct, frozen=True, kw_only=True):
    """An answer: every field always sent."""


class ProgrammeView(View, frozen=True, kw_only=True):
    programme_id: str
    unit_code: str
    title: str
    air_date: datetime.date
    duration_seconds: int
    news_items: int
    articles: int
    segments: list[str]
    items: list[ProgrammeItem]
    audio: AudioFile | None
    corrections: int
    priority: Priority
    approval: ApprovalState
    """Content approval (ADR 0052): only ``approved`` or ``distributed`` content is sent."""
    approval_history: list[ApprovalStepView]
    """Each step, oldest first: who took it and when."""


class ApprovalStepView(View, frozen=True, kw_only=True):
    step: ApprovalStep
    at: datetime.datetime
    by: str
    note: str | None
    """The submitter's or approver's note, or the rejection's reason."""


class ProgrammePage(View, frozen=True, kw_only=True):
    programmes: list[ProgrammeView]
    next_cursor: str | None
    """Pass it back as ``cursor`` for the next page; ``None`` on the last page."""
    total_count: int
    """Programmes matching the filters, on every page (the cursor does not change it)."""


class TopicCount(View, frozen=True, kw_only=True):
    topic: str
    news_items: int
    articles: int


class ProgrammeSummary(View, frozen=True, kw_only=True):
    unit_code: str
    period: str
    programmes: int
    news_items: int
    articles: int
    duration_seconds: int
    duration: str
    segments: dict[str, int]
    """Programmes carrying each thematic segment."""
    topics: list[TopicCount]
    by_priority: list[PriorityFigures]
    """The programmes and their deliveries per priority, every priority listed (ADR 0052)."""


class PriorityFigures(View, frozen=True, kw_only=True):
    priority: Priority
    programmes: int
    news_items: int
    """News items of this priority in the period's programmes: a listed item's is the higher of
    its own and its programme's; a programme that lists no items counts its news at its own."""
    deliveries: int
    """Deliveries sent of the period's programmes of this priority."""
    aired: int


class DeliveryView(View, frozen=True, kw_only=True):
    programme_id: str
    station_id: str
    unit_code: str
    status: str
    timeliness: Timeliness
    """``late``: aired after ``due_at``, or received and still not aired past it; ``missing``:
    not even received past ``due_at``; ``pending``: not due yet."""
    sent_at: datetime.datetime
    due_at: datetime.datetime
    received_at: datetime.datetime | None
    aired_at: datetime.datetime | None
    failed_at: datetime.datetime | None
    failure_reason: str | None
    priority: Priority


class Deliveries(View, frozen=True, kw_only=True):
    key: str
    """The programme or station asked for."""
    deliveries: list[DeliveryView]


class DeliveryPage(View, frozen=True, kw_only=True):
    deliveries: list[DeliveryView]
    """By ``due_at``, then programme and station."""
    cursors: list[str]
    """Each delivery's cursor, in order: pass one back as ``cursor`` to page on after it."""
    next_cursor: str | None
    total_count: int


class SourceAirtime(View, frozen=True, kw_only=True):
    source: str
    seconds: int
    duration: str
    """As the reports write it: ``1,345 h 22 min``."""
    sessions: int


class Airtime(View, frozen=True, kw_only=True):
    sources: list[SourceAirtime]
    total_seconds: int
    total: str


class StationAirtime(Airtime, frozen=True, kw_only=True):
    station_id: str
    period: str


class UnitAirtimePart(Airtime, frozen=True, kw_only=True):
    unit_code: str
    name: str


class UnitAirtime(Airtime, frozen=True, kw_only=True):
    unit_code: str
    name: str
    period: str
    children: list[UnitAirtimePart]
    """The unit's direct children, each with everything under it."""


class SessionView(View, frozen=True, kw_only=True):
    session_id: str
    station_id: str
    unit_code: str
    source: str
    started_at: str
    ended_at: str
    programme_id: str | None
    cancelled: bool
    outside_schedule: bool = False
    """Met no slot of its station's schedule (a station without a schedule flags none)."""


class SessionPage(View, frozen=True, kw_only=True):
    sessions: list[SessionView]
    """By ``started_at``, then id."""
    cursors: list[str]
    """Each session's cursor, in order: pass one back as ``cursor`` to page on after it."""
    next_cursor: str | None
    total_count: int


class ClusterSignalView(View, frozen=True, kw_only=True):
    cluster_id: str
    station_id: str | None
    unit_code: str | None
    status: str
    """UP, DOWN or UNKNOWN (never reported)."""
    last_observed_at: datetime.datetime | None
    down_since: datetime.datetime | None
    down_cause: str | None
    """NO_SIGNAL, OFFLINE or SILENT while DOWN."""
    open_incident_id: str | None
    reports: int
    out_of_order: int
    """Reports older than the cluster's latest: counted, no change of state."""


class IncidentView(View, frozen=True, kw_only=True):
    incident_id: str
    cluster_id: str
    station_id: str
    unit_code: str
    down_since: datetime.datetime
    opened_at: datetime.datetime
    closed_at: datetime.datetime | None
    cause: str
    threshold_seconds: int
    acknowledged_at: datetime.datetime | None = None
    acknowledged_by: str | None = None
    assignee_kind: AssigneeKind | None = None
    assignee_code: str | None = None
    assigned_at: datetime.datetime | None = None
    resolved_at: datetime.datetime | None = None
    resolved_by: str | None = None
    resolution_cause: ResolutionCause | None = None
    acknowledgement_overdue_at: datetime.datetime | None = None
    """When the operations centre was alerted that nobody had acknowledged it."""
    notes: list[IncidentNoteView] = msgspec.field(default_factory=list)
    """Oldest first."""


class IncidentNoteView(View, frozen=True, kw_only=True):
    note: str
    noted_at: datetime.datetime
    noted_by: str


class IncidentPage(View, frozen=True, kw_only=True):
    """A page of incidents, oldest first (opening time, then id)."""

    incidents: list[IncidentView]
    next_cursor: str | None
    total_count: int


class MttrGroup(View, frozen=True, kw_only=True):
    key: str
    """The assignee (``unit:061``, ``operator:VNPT``, ``unassigned``) or the cause."""
    resolved: int
    mttr_seconds: float
    """Mean time from the incident's opening to its resolution."""


class IncidentMttr(View, frozen=True, kw_only=True):
    unit_code: str
    period: str
    by: str
    """``assignee`` or ``cause``."""
    groups: list[MttrGroup]
    """Largest count first."""


class HealthFigures(View, frozen=True, kw_only=True):
    clusters: int
    downtime_seconds: int
    availability_percent: float | None
    """Share of cluster-time with signal over the period (up to now for the current one)."""
    incidents_opened: int
    incidents_closed: int
    mttr_seconds: float | None
    """Mean time to restore of the incidents closed in the period, from the outage's start."""


class StationHealth(HealthFigures, frozen=True, kw_only=True):
    station_id: str
    unit_code: str


class UnitHealth(HealthFigures, frozen=True, kw_only=True):
    unit_code: str
    period: str
    stations: list[StationHealth]


class AlertStationView(View, frozen=True, kw_only=True):
    station_id: str
    unit_code: str
    acknowledged_at: datetime.datetime | None


class AlertStationPage(View, frozen=True, kw_only=True):
    """One page of an alert's stations (by commune, then station), asked by ``AlertStationsAsk``."""

    alert_id: str
    stations: list[AlertStationView]
    cursors: list[str]
    """Each station's cursor, in order: pass one back as ``after`` to page on after it."""
    next_cursor: str | None
    total_count: int


class AlertSummary(View, frozen=True, kw_only=True):
    """An alert as a list shows it: its figures, not its stations (``AlertView`` adds them)."""

    alert_id: str
    unit_code: str
    category: str
    priority: str
    title: str
    message: str
    issued_at: datetime.datetime
    expires_at: datetime.datetime
    expired: bool
    cancelled_at: datetime.datetime | None
    station_count: int
    acknowledged: int
    awaiting: int
    """Stations it went to that have not acknowledged it yet."""


class AlertView(AlertSummary, frozen=True, kw_only=True):
    stations: list[AlertStationView]


class AlertPage(View, frozen=True, kw_only=True):
    alerts: list[AlertSummary]
    """Newest first (issue time, then id)."""
    next_cursor: str | None
    total_count: int


class UnacknowledgedReport(View, frozen=True, kw_only=True):
    alert_id: str
    unit_code: str
    after_minutes: float
    deadline: datetime.datetime
    complete: bool
    """False while the deadline is still ahead: stations may yet acknowledge in time."""
    station_count: int
    not_acknowledged: list[AlertStationView]
    """Stations with no acknowledgement by the deadline (a later one is shown with its time)."""


class OutreachDay(View, frozen=True, kw_only=True):
    unit_code: str
    on_date: datetime.date
    sessions: int
    vehicle_trips: int


class OutreachReport(View, frozen=True, kw_only=True):
    unit_code: str
    period: str
    sessions: int
    vehicle_trips: int
    days: list[OutreachDay]


class OutreachDayPage(View, frozen=True, kw_only=True):
    """One page of a unit's outreach per unit and day (``OutreachReport.days``, paged)."""

    days: list[OutreachDay]
    """By day, then unit code."""
    cursors: list[str]
    """Each day's cursor, in order: pass one back as ``cursor`` to page on after it."""
    next_cursor: str | None
    total_count: int


class OutreachRecordView(View, frozen=True, kw_only=True):
    """One outreach session (``kind`` ``session``: ``topic``, ``audience``) or loudspeaker-vehicle
    trip (``vehicle_trip``: ``route``, ``distance_km``)."""

    outreach_id: str
    kind: str
    unit_code: str
    on_date: datetime.date
    topic: str | None
    audience: int | None
    route: str | None
    distance_km: float | None


class OutreachPage(View, frozen=True, kw_only=True):
    records: list[OutreachRecordView]
    """By date, then id."""
    cursors: list[str]
    """Each record's cursor, in order: pass one back as ``cursor`` to page on after it."""
    next_cursor: str | None
    total_count: int
