"""Internal REST API of the broadcast service: its commands, one row each.

Writes need ``broadcast:write`` (issuing or cancelling an alert: ``alerts:issue``; approving or
rejecting a programme's content: ``broadcast:approve``), which the
route's ``ctx`` dependency checks before the route runs; a caller confined to a unit (a
district centre) acts only for that unit and the units under it, checked by the handler in
the command's transaction, and never changes the province's signal configuration (ADR 0021).
The rows become Litestar routes in ``libs.common.http.routes`` (ADR 0034); errors become HTTP
answers in one place (``libs.common.http.errors``).
"""

from __future__ import annotations

from contracts.api.broadcast import (
    ConfigureSignalBody,
    IssueAlertBody,
    RecordOutreachSessionBody,
    RecordProgrammeBody,
    RecordRelaySessionsBody,
    RecordVehicleTripBody,
    ReportSignalsBody,
)
from libs.common.http.routes import CommandRoute, CommandTable
from services.broadcast.application.alerts import AcknowledgeAlertInput, CancelAlertInput
from services.broadcast.application.handlers import BroadcastHandlers
from services.broadcast.application.incidents import (
    AcknowledgeIncidentInput,
    AssignIncidentInput,
    IncidentNoteInput,
    ResolveIncidentInput,
)
from services.broadcast.application.programmes import (
    ApproveProgrammeInput,
    CorrectProgrammeInput,
    DeliveryStepInput,
    RejectProgrammeInput,
    SendProgrammeInput,
    SubmitProgrammeInput,
)
from services.broadcast.application.relays import CancelRelaySessionInput
from services.broadcast.application.schedules import (
    AddScheduleDaySlotInput,
    AddScheduleSlotInput,
    CancelScheduleSlotInput,
    RemoveScheduleSlotInput,
)
from services.broadcast.entrypoints.scopes import APPROVE, ISSUE_ALERTS, WRITE

Row = CommandRoute[BroadcastHandlers]
PROGRAMME = "/programmes/{programme_id:str}"
DELIVERY = "/deliveries/{programme_id:str}/{station_id:str}"
INCIDENT = "/incidents/{incident_id:str}"
SCHEDULE = "/stations/{station_id:str}/schedule"

COMMANDS = CommandTable[BroadcastHandlers](
    "/commands",
    "broadcast: commands",
    [
        Row("POST", "/programmes/record", "recordProgramme", RecordProgrammeBody, WRITE, lambda h: h.programmes.record),
        Row(
            "POST",
            "/programmes/{programme_id:str}/correct",
            "correctProgramme",
            CorrectProgrammeInput,
            WRITE,
            lambda h: h.programmes.correct,
        ),
        # Content approval (ADR 0052): the producer submits, an approver of its unit decides.
        Row(
            "POST", f"{PROGRAMME}/submit", "submitProgramme", SubmitProgrammeInput, WRITE, lambda h: h.programmes.submit
        ),
        Row(
            "POST",
            f"{PROGRAMME}/approve",
            "approveProgramme",
            ApproveProgrammeInput,
            APPROVE,
            lambda h: h.programmes.approve,
        ),
        Row(
            "POST",
            f"{PROGRAMME}/reject",
            "rejectProgramme",
            RejectProgrammeInput,
            APPROVE,
            lambda h: h.programmes.reject,
        ),
        Row(
            "POST",
            "/programmes/{programme_id:str}/send",
            "sendProgramme",
            SendProgrammeInput,
            WRITE,
            lambda h: h.programmes.send,
        ),
        Row("POST", f"{DELIVERY}/receive", "receiveDelivery", DeliveryStepInput, WRITE, lambda h: h.programmes.receive),
        Row("POST", f"{DELIVERY}/air", "airDelivery", DeliveryStepInput, WRITE, lambda h: h.programmes.air),
        Row("POST", f"{DELIVERY}/fail", "failDelivery", DeliveryStepInput, WRITE, lambda h: h.programmes.fail),
        Row(
            "POST",
            "/relay-sessions/record",
            "recordRelaySessions",
            RecordRelaySessionsBody,
            WRITE,
            lambda h: h.relays.record,
        ),
        Row(
            "POST",
            "/relay-sessions/{session_id:str}/cancel",
            "cancelRelaySession",
            CancelRelaySessionInput,
            WRITE,
            lambda h: h.relays.cancel,
        ),
        Row("POST", "/signal/report", "reportClusterSignals", ReportSignalsBody, WRITE, lambda h: h.signal.report),
        # The threshold is the whole province's: refused to a caller bound to a unit (ADR 0021).
        Row(
            "POST",
            "/signal/configure",
            "configureSignalMonitoring",
            ConfigureSignalBody,
            WRITE,
            lambda h: h.signal.configure,
            province_wide=True,
        ),
        Row(
            "POST",
            "/outreach/sessions/record",
            "recordOutreachSession",
            RecordOutreachSessionBody,
            WRITE,
            lambda h: h.outreach.record_session,
        ),
        Row(
            "POST",
            "/outreach/vehicle-trips/record",
            "recordVehicleTrip",
            RecordVehicleTripBody,
            WRITE,
            lambda h: h.outreach.record_trip,
        ),
        Row("POST", "/alerts/issue", "issueEmergencyAlert", IssueAlertBody, ISSUE_ALERTS, lambda h: h.alerts.issue),
        # A station's staff acknowledge what they received: a writer's scope, not an issuer's.
        Row(
            "POST",
            "/alerts/{alert_id:str}/acknowledge",
            "acknowledgeEmergencyAlert",
            AcknowledgeAlertInput,
            WRITE,
            lambda h: h.alerts.acknowledge,
        ),
        Row(
            "POST",
            "/alerts/{alert_id:str}/cancel",
            "cancelEmergencyAlert",
            CancelAlertInput,
            ISSUE_ALERTS,
            lambda h: h.alerts.cancel,
        ),
        # Incidents handled (ADR 0051): who may handle which incident is the handler's rule.
        Row(
            "POST",
            f"{INCIDENT}/acknowledge",
            "acknowledgeIncident",
            AcknowledgeIncidentInput,
            WRITE,
            lambda h: h.incidents.acknowledge,
        ),
        Row("POST", f"{INCIDENT}/assign", "assignIncident", AssignIncidentInput, WRITE, lambda h: h.incidents.assign),
        Row("POST", f"{INCIDENT}/notes", "addIncidentNote", IncidentNoteInput, WRITE, lambda h: h.incidents.add_note),
        Row(
            "POST", f"{INCIDENT}/resolve", "resolveIncident", ResolveIncidentInput, WRITE, lambda h: h.incidents.resolve
        ),
        # Broadcast schedules (ADR 0053): whose station's schedule a caller edits is the handler's rule.
        Row(
            "POST", f"{SCHEDULE}/slots", "addScheduleSlot", AddScheduleSlotInput, WRITE, lambda h: h.schedules.add_slot
        ),
        Row(
            "POST",
            f"{SCHEDULE}/day-slots",
            "addScheduleDaySlot",
            AddScheduleDaySlotInput,
            WRITE,
            lambda h: h.schedules.add_day_slot,
        ),
        Row(
            "POST",
            f"{SCHEDULE}/slots/{{slot_id:str}}/remove",
            "removeScheduleSlot",
            RemoveScheduleSlotInput,
            WRITE,
            lambda h: h.schedules.remove_slot,
        ),
        Row(
            "POST",
            f"{SCHEDULE}/slots/{{slot_id:str}}/cancel",
            "cancelScheduleSlotOn",
            CancelScheduleSlotInput,
            WRITE,
            lambda h: h.schedules.cancel_slot_on,
        ),
    ],
)
