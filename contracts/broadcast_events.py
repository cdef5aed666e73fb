"""Events of the broadcast service's topic: programmes and their distribution to commune
stations, relay sessions and local broadcasts (airtime), the signal health of loudspeaker
clusters and the handling of their incidents, mobile outreach, and emergency alerts.

Routing: every event about a station, cluster, programme, delivery, relay, outreach or alert
carries ``unit_code``, the official code of the unit it concerns (the station's commune, the
producer unit of a programme, the area of an alert), so a consumer such as the gateway's live
fan-out can route it without a lookup. Station and cluster ids are the registry's ids.

Times: ``*_at`` are instants (timezone-aware, stored as UTC); ``*_on`` and ``air_date`` are
calendar dates in the province's time zone (Asia/Ho_Chi_Minh, UTC+07:00 all year).

Signal health: heartbeats are telemetry, not events. Only what changes a cluster's state is
logged: ``cluster_signal_lost`` (the cluster went down: a NO_SIGNAL or OFFLINE report, or a
cluster silent past the threshold), ``cluster_signal_restored`` (it came up again), and the
incidents derived from an outage that lasts longer than the threshold
(``signal_incident_opened`` / ``signal_incident_closed``). See docs/adr/0007.
"""

from __future__ import annotations

import datetime
from typing import Literal

import msgspec

from contracts.base import Event
from contracts.catalogue import EventCatalogue

RelaySource = Literal["VOV1", "VTV1", "PROVINCIAL", "LOCAL", "OTHER"]
"""VOV1 national radio, VTV1 national TV, PROVINCIAL the provincial radio-TV (TBK), LOCAL the
station's own or its district centre's programmes, OTHER anything else."""
ItemKind = Literal["news", "article"]
DownCause = Literal["NO_SIGNAL", "OFFLINE", "SILENT"]
"""NO_SIGNAL / OFFLINE: reported by the cluster's monitoring; SILENT: no report for longer
than the configured threshold."""
AlertCategory = Literal["disaster", "epidemic", "security", "other"]
AlertPriority = Literal["low", "normal", "high", "critical"]
Priority = Literal["normal", "priority", "emergency"]
"""A bulletin's priority (Circular 39/2020/TT-BTTTT, 2455/BTTTT-TTCS): ``normal`` airs in its
slot, ``priority`` before the others, ``emergency`` pre-empts the station's schedule."""
ScheduleKind = Literal["relay", "local"]
"""A schedule slot relays a national or provincial channel, or carries a local programme."""
BulletinKind = Literal["alert", "delivery"]
"""What pre-empted a schedule: an emergency alert, or a delivered programme of emergency priority."""
AssigneeKind = Literal["unit", "operator"]
"""Who handles an incident: a unit (a district centre or a commune, by its code) or an
operator (an organisation's code: VNPT, VIETTEL, VNPOST...)."""
ResolutionCause = Literal[
    "power_outage",
    "equipment_fault",
    "transmission_fault",
    "network_outage",
    "weather_damage",
    "theft_or_vandalism",
    "configuration",
    "monitoring_fault",
    "other",
]
"""Why a cluster went silent, as the incident's resolver finds it (docs/services/broadcast.md,
"Incidents handled"): power, the cluster's equipment, the line or radio link from the station,
the operator's network (IP clusters), storm or flood damage, theft or vandalism, a wrong
setting, a false alarm of the monitoring itself, or another cause the note explains."""


class ProgrammeItem(msgspec.Struct, frozen=True, kw_only=True):
    """One news item (tin) or article (bài) of a programme."""

    kind: ItemKind
    title: str
    topic: str | None = None
    """Free text, e.g. "Covid-19"; reports count items by topic."""
    priority: Priority = "normal"


class AudioFile(msgspec.Struct, frozen=True, kw_only=True):
    content_hash: str
    """``sha256:<64 hex>``: what the stations check the received file against."""
    size_bytes: int
    duration_seconds: int
    uri: str


# --- programmes -----------------------------------------------------------------------------


class ProgrammeRecorded(Event, frozen=True, kw_only=True, tag="broadcast.programme_recorded"):
    """A district centre (or the province) produced a radio programme."""

    programme_id: str
    unit_code: str
    """The producer unit (a district, or the province)."""
    unit_id: str
    title: str
    air_date: datetime.date
    duration_seconds: int
    news_items: int
    articles: int
    items: list[ProgrammeItem] = msgspec.field(default_factory=list)
    """Optional detail; when given, its counts per kind equal ``news_items`` and ``articles``."""
    segments: list[str] = msgspec.field(default_factory=list)
    """Thematic segments (chuyên mục) the programme carries, e.g. "Xây dựng Đảng"."""
    audio: AudioFile | None = None
    priority: Priority = "normal"
    approval_required: bool = False
    """``True``: the programme is a draft until it is submitted and approved (ADR 0052); a
    programme recorded before content approval existed (``False``) stands approved."""


class ProgrammeCorrected(Event, frozen=True, kw_only=True, tag="broadcast.programme_corrected"):
    """A correction: each field given replaces the recorded one; ``None`` leaves it as it was."""

    programme_id: str
    unit_code: str
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


# --- content approval: draft -> submitted -> approved | rejected -> distributed (ADR 0052) ---
# On the programme's stream; ``*_by`` is the caller's subject. A rejected programme may be
# corrected and submitted again; only approved content is sent to stations.


class ProgrammeSubmitted(Event, frozen=True, kw_only=True, tag="broadcast.programme_submitted"):
    programme_id: str
    unit_code: str
    """The producer unit."""
    submitted_at: datetime.datetime
    submitted_by: str
    note: str | None = None


class ProgrammeApproved(Event, frozen=True, kw_only=True, tag="broadcast.programme_approved"):
    programme_id: str
    unit_code: str
    approved_at: datetime.datetime
    approved_by: str
    note: str | None = None


class ProgrammeRejected(Event, frozen=True, kw_only=True, tag="broadcast.programme_rejected"):
    programme_id: str
    unit_code: str
    rejected_at: datetime.datetime
    rejected_by: str
    reason: str


class ProgrammeDistributed(Event, frozen=True, kw_only=True, tag="broadcast.programme_distributed"):
    """The approved programme was first sent to stations (later sends add deliveries only)."""

    programme_id: str
    unit_code: str
    distributed_at: datetime.datetime
    distributed_by: str
    priority: Priority = "normal"


# --- distribution: one delivery per (programme, station) -----------------------------------


class ProgrammeDeliverySent(Event, frozen=True, kw_only=True, tag="broadcast.programme_delivery_sent"):
    programme_id: str
    station_id: str
    unit_code: str
    """The station's commune."""
    producer_unit_code: str
    sent_at: datetime.datetime
    due_at: datetime.datetime
    """When the station should have aired it: later than that it is late (or missing)."""
    priority: Priority = "normal"
    """The programme's priority when it was sent, so a consumer need not read the programme."""


class ProgrammeDeliveryReceived(Event, frozen=True, kw_only=True, tag="broadcast.programme_delivery_received"):
    programme_id: str
    station_id: str
    unit_code: str
    received_at: datetime.datetime
    content_hash: str | None = None
    priority: Priority = "normal"


class ProgrammeDeliveryAired(Event, frozen=True, kw_only=True, tag="broadcast.programme_delivery_aired"):
    programme_id: str
    station_id: str
    unit_code: str
    aired_at: datetime.datetime
    priority: Priority = "normal"


class ProgrammeDeliveryFailed(Event, frozen=True, kw_only=True, tag="broadcast.programme_delivery_failed"):
    programme_id: str
    station_id: str
    unit_code: str
    failed_at: datetime.datetime
    reason: str
    priority: Priority = "normal"


# --- relays and local broadcasts (airtime) ---------------------------------------------------


class RelaySessionRecorded(Event, frozen=True, kw_only=True, tag="broadcast.relay_session_recorded"):
    """A station was on air from ``started_at`` to ``ended_at`` (at most 24 h), relaying
    ``source`` or broadcasting a local programme (``LOCAL``)."""

    session_id: str
    station_id: str
    unit_code: str
    source: RelaySource
    started_at: datetime.datetime
    ended_at: datetime.datetime
    programme_id: str | None = None
    note: str | None = None


class RelaySessionCancelled(Event, frozen=True, kw_only=True, tag="broadcast.relay_session_cancelled"):
    """A correction: the session was recorded by mistake and no longer counts."""

    session_id: str
    station_id: str
    unit_code: str
    reason: str


# --- signal health ---------------------------------------------------------------------------


class SignalMonitoringConfigured(Event, frozen=True, kw_only=True, tag="broadcast.signal_monitoring_configured"):
    """How long a cluster may stay down (or silent) before an incident is opened."""

    silence_threshold_seconds: int


class ClusterSignalLost(Event, frozen=True, kw_only=True, tag="broadcast.cluster_signal_lost"):
    """The cluster went down (appended by the report that changed its state, at once)."""

    cluster_id: str
    station_id: str
    unit_code: str
    """The station's commune."""
    down_since: datetime.datetime
    cause: DownCause


class ClusterSignalRestored(Event, frozen=True, kw_only=True, tag="broadcast.cluster_signal_restored"):
    """The cluster came up again."""

    cluster_id: str
    station_id: str
    unit_code: str
    down_since: datetime.datetime
    restored_at: datetime.datetime


class SignalIncidentOpened(Event, frozen=True, kw_only=True, tag="broadcast.signal_incident_opened"):
    incident_id: str
    cluster_id: str
    station_id: str
    unit_code: str
    down_since: datetime.datetime
    opened_at: datetime.datetime
    threshold_seconds: int
    cause: DownCause


class SignalIncidentClosed(Event, frozen=True, kw_only=True, tag="broadcast.signal_incident_closed"):
    incident_id: str
    cluster_id: str
    station_id: str
    unit_code: str
    down_since: datetime.datetime
    closed_at: datetime.datetime
    """When the signal came back: the outage lasted ``closed_at - down_since``."""


# --- mobile outreach ---------------------------------------------------------------------


class OutreachSessionHeld(Event, frozen=True, kw_only=True, tag="broadcast.outreach_session_held"):
    """A mobile information team (đội thông tin lưu động) held a session."""

    outreach_id: str
    unit_code: str
    held_on: datetime.date
    topic: str | None = None
    audience: int | None = None


class LoudspeakerVehicleTripMade(Event, frozen=True, kw_only=True, tag="broadcast.loudspeaker_vehicle_trip_made"):
    outreach_id: str
    unit_code: str
    made_on: datetime.date
    route: str | None = None
    distance_km: float | None = None


# --- emergency broadcasts ------------------------------------------------------------------


class EmergencyAlertIssued(Event, frozen=True, kw_only=True, tag="broadcast.emergency_alert_issued"):
    """An alert to an area: ``unit_code`` and every unit under it."""

    alert_id: str
    unit_code: str
    unit_id: str
    category: AlertCategory
    priority: AlertPriority
    title: str
    message: str
    issued_at: datetime.datetime
    expires_at: datetime.datetime
    station_count: int


class EmergencyAlertDispatched(Event, frozen=True, kw_only=True, tag="broadcast.emergency_alert_dispatched"):
    """The alert went out to one station of the area (one event per station, same command)."""

    alert_id: str
    station_id: str
    unit_code: str
    """The station's commune."""
    area_unit_code: str
    priority: AlertPriority
    expires_at: datetime.datetime


class EmergencyAlertAcknowledged(Event, frozen=True, kw_only=True, tag="broadcast.emergency_alert_acknowledged"):
    alert_id: str
    station_id: str
    unit_code: str
    acknowledged_at: datetime.datetime


class EmergencyAlertCancelled(Event, frozen=True, kw_only=True, tag="broadcast.emergency_alert_cancelled"):
    alert_id: str
    unit_code: str
    cancelled_at: datetime.datetime
    reason: str


# --- incidents handled ---------------------------------------------------------------------
# An incident (``signal_incident_opened``) is handled on a stream of its own, ``incident-<id>``:
# acknowledged, assigned, annotated and resolved by people, each step saying who and when. The
# signal's own close (``signal_incident_closed``) says the signal came back; resolving says the
# cause was found and dealt with.


class IncidentAcknowledged(Event, frozen=True, kw_only=True, tag="broadcast.incident_acknowledged"):
    incident_id: str
    unit_code: str
    """The commune of the silent cluster's station."""
    acknowledged_at: datetime.datetime
    acknowledged_by: str
    """The caller's subject (a person or a partner's system)."""


class IncidentAssigned(Event, frozen=True, kw_only=True, tag="broadcast.incident_assigned"):
    incident_id: str
    unit_code: str
    assignee_kind: AssigneeKind
    assignee_code: str
    """A unit's code (district centre or commune) or an operator's organisation code."""
    assigned_at: datetime.datetime
    assigned_by: str


class IncidentNoteAdded(Event, frozen=True, kw_only=True, tag="broadcast.incident_note_added"):
    incident_id: str
    unit_code: str
    note: str
    noted_at: datetime.datetime
    noted_by: str


class IncidentResolved(Event, frozen=True, kw_only=True, tag="broadcast.incident_resolved"):
    incident_id: str
    unit_code: str
    cause: ResolutionCause
    opened_at: datetime.datetime
    """When the incident opened: the time to resolve is ``resolved_at - opened_at``."""
    resolved_at: datetime.datetime
    resolved_by: str
    assignee_kind: AssigneeKind | None = None
    assignee_code: str | None = None
    """Who held it when it was resolved (none if it was never assigned)."""
    note: str | None = None


class IncidentEscalated(Event, frozen=True, kw_only=True, tag="broadcast.incident_escalated"):
    """Nobody acknowledged the incident within ``deadline_minutes`` of its opening: it is
    escalated to the provincial operations centre (an alert on the IOC console), once."""

    incident_id: str
    unit_code: str
    cluster_id: str
    station_id: str
    opened_at: datetime.datetime
    deadline_minutes: float
    raised_at: datetime.datetime


# --- broadcast schedules ---------------------------------------------------------------------
# A station's schedule (Circular 39/2020/TT-BTTTT) is a stream of its own, ``schedule-<station>``:
# weekly slots in force from a day, exceptions for one day (a slot cancelled, a slot added), and
# the interruptions an emergency bulletin caused. Times of day (``starts``, ``ends``) are the
# province's clock, ``HH:MM``; ``ends`` may be ``24:00`` (midnight at the end of the day).


class ScheduleSlotAdded(Event, frozen=True, kw_only=True, tag="broadcast.schedule_slot_added"):
    """A slot on air every week on ``weekday`` (1 Monday … 7 Sunday) from ``valid_from`` on;
    or, with ``on`` instead of ``weekday``, on that one day only (an exception that adds a slot)."""

    slot_id: str
    station_id: str
    unit_code: str
    """The station's commune."""
    kind: ScheduleKind
    source: RelaySource
    """What the slot carries: a relayed channel (``VOV1``, ``VTV1``, ``PROVINCIAL``, ``OTHER``) or ``LOCAL``."""
    starts: str
    ends: str
    weekday: int | None = None
    valid_from: datetime.date | None = None
    on: datetime.date | None = None
    title: str | None = None
    reason: str | None = None


class ScheduleSlotRemoved(Event, frozen=True, kw_only=True, tag="broadcast.schedule_slot_removed"):
    """A weekly slot no longer counts from ``valid_from`` on (the days before keep it)."""

    slot_id: str
    station_id: str
    unit_code: str
    valid_from: datetime.date
    reason: str | None = None


class ScheduleSlotDayCancelled(Event, frozen=True, kw_only=True, tag="broadcast.schedule_slot_day_cancelled"):
    """An exception: the slot does not go on air on day ``on``."""

    slot_id: str
    station_id: str
    unit_code: str
    on: datetime.date
    reason: str


class ScheduleInterrupted(Event, frozen=True, kw_only=True, tag="broadcast.schedule_interrupted"):
    """An emergency bulletin pre-empted the slot on air at ``interrupted_at``: an emergency alert
    dispatched to the station (``bulletin_kind`` ``alert``, ``bulletin_id`` the alert's id) or an
    emergency programme the station aired (``delivery``, the programme's id)."""

    slot_id: str
    station_id: str
    unit_code: str
    on: datetime.date
    interrupted_at: datetime.datetime
    bulletin_kind: BulletinKind
    bulletin_id: str


class SourceBulletinReceived(Event, frozen=True, kw_only=True, tag="broadcast.source_bulletin_received"):
    """A bulletin from the provincial or central source-information system became a programme
    (ADR 0054). The stream is the sender's bulletin id: the same id again records nothing."""

    sender: str
    """The partner that sent it (its API key's partner)."""
    bulletin_id: str
    """The sender's own id of the bulletin."""
    programme_id: str
    unit_code: str
    """The programme's producer unit: the district centre or the province that distributes it."""
    priority: Priority
    body_hash: str
    """SHA-256 of the bulletin as received: the same id with another body is refused."""
    received_at: datetime.datetime
    issued_at: datetime.datetime | None = None
    """When the sender issued it, as it says."""


PROGRAMME_EVENTS: list[type[Event]] = [
    ProgrammeRecorded,
    ProgrammeCorrected,
    ProgrammeSubmitted,
    ProgrammeApproved,
    ProgrammeRejected,
    ProgrammeDistributed,
]
DELIVERY_EVENTS: list[type[Event]] = [
    ProgrammeDeliverySent,
    ProgrammeDeliveryReceived,
    ProgrammeDeliveryAired,
    ProgrammeDeliveryFailed,
]
RELAY_EVENTS: list[type[Event]] = [RelaySessionRecorded, RelaySessionCancelled]
SIGNAL_EVENTS: list[type[Event]] = [
    SignalMonitoringConfigured,
    ClusterSignalLost,
    ClusterSignalRestored,
    SignalIncidentOpened,
    SignalIncidentClosed,
]
OUTREACH_EVENTS: list[type[Event]] = [OutreachSessionHeld, LoudspeakerVehicleTripMade]
ALERT_EVENTS: list[type[Event]] = [
    EmergencyAlertIssued,
    EmergencyAlertDispatched,
    EmergencyAlertAcknowledged,
    EmergencyAlertCancelled,
]
INCIDENT_EVENTS: list[type[Event]] = [
    IncidentAcknowledged,
    IncidentAssigned,
    IncidentNoteAdded,
    IncidentResolved,
    IncidentEscalated,
]
SCHEDULE_EVENTS: list[type[Event]] = [
    ScheduleSlotAdded,
    ScheduleSlotRemoved,
    ScheduleSlotDayCancelled,
    ScheduleInterrupted,
]
SOURCE_LINK_EVENTS: list[type[Event]] = [SourceBulletinReceived]

CATALOGUE = EventCatalogue(
    "broadcast",
    [
        *PROGRAMME_EVENTS,
        *DELIVERY_EVENTS,
        *RELAY_EVENTS,
        *SIGNAL_EVENTS,
        *OUTREACH_EVENTS,
        *ALERT_EVENTS,
        *INCIDENT_EVENTS,
        *SCHEDULE_EVENTS,
        *SOURCE_LINK_EVENTS,
    ],
)
