"""Internal REST API of the broadcast service: one POST route per command.

Writes need ``broadcast:write`` (issuing or cancelling an alert: ``alerts:issue``); a caller
confined to a unit (a district centre) may write only for that unit and the units under it, and
never the province's signal configuration (ADR 0021).
Routes only translate; errors become HTTP answers in one place (``libs.common.http.errors``).
"""

from __future__ import annotations

from litestar import Controller, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody

from services.broadcast.application.alerts import AcknowledgeAlertInput, CancelAlertInput, IssueAlertInput
from services.broadcast.application.base import Accepted
from services.broadcast.application.outreach import RecordOutreachSessionInput, RecordVehicleTripInput
from services.broadcast.application.programmes import (
    CorrectProgrammeInput,
    DeliveryStepInput,
    RecordProgrammeInput,
    SendProgrammeInput,
)
from services.broadcast.application.relays import CancelRelaySessionInput, RecordRelaySessionsInput
from services.broadcast.application.signal import ConfigureSignalInput, ReportSignalsInput, SignalReportResult
from services.broadcast.entrypoints.http_context import (
    ISSUE_ALERTS,
    WRITE,
    BroadcastCommands,
    Req,
    caller,
    provide_commands,
    province_caller,
)

Commands = NamedDependency[BroadcastCommands]


class BroadcastCommandsController(Controller):
    path = "/commands"
    tags = ["broadcast: commands"]  # noqa: RUF012 - Litestar declares it as an instance attribute
    dependencies = {"commands": Provide(provide_commands)}  # noqa: RUF012

    # --- programmes and distribution ---

    @post("/programmes/record", operation_id="recordProgramme")
    async def record_programme(
        self, data: JSONBody[RecordProgrammeInput], request: Req, commands: Commands
    ) -> Accepted:
        return await commands.programmes.record(data, caller(request, WRITE, data))

    @post("/programmes/{programme_id:str}/correct", operation_id="correctProgramme")
    async def correct_programme(
        self, programme_id: FromPath[str], data: JSONBody[CorrectProgrammeInput], request: Req, commands: Commands
    ) -> Accepted:
        return await commands.programmes.correct(programme_id, data, caller(request, WRITE, programme_id, data))

    @post("/programmes/{programme_id:str}/send", operation_id="sendProgramme")
    async def send_programme(
        self, programme_id: FromPath[str], data: JSONBody[SendProgrammeInput], request: Req, commands: Commands
    ) -> Accepted:
        return await commands.programmes.send(programme_id, data, caller(request, WRITE, programme_id, data))

    @post("/deliveries/{programme_id:str}/{station_id:str}/receive", operation_id="receiveDelivery")
    async def receive_delivery(
        self,
        programme_id: FromPath[str],
        station_id: FromPath[str],
        data: JSONBody[DeliveryStepInput],
        request: Req,
        commands: Commands,
    ) -> Accepted:
        context = caller(request, WRITE, programme_id, station_id, data)
        return await commands.programmes.step(programme_id, station_id, "receive", data, context)

    @post("/deliveries/{programme_id:str}/{station_id:str}/air", operation_id="airDelivery")
    async def air_delivery(
        self,
        programme_id: FromPath[str],
        station_id: FromPath[str],
        data: JSONBody[DeliveryStepInput],
        request: Req,
        commands: Commands,
    ) -> Accepted:
        context = caller(request, WRITE, programme_id, station_id, data)
        return await commands.programmes.step(programme_id, station_id, "air", data, context)

    @post("/deliveries/{programme_id:str}/{station_id:str}/fail", operation_id="failDelivery")
    async def fail_delivery(
        self,
        programme_id: FromPath[str],
        station_id: FromPath[str],
        data: JSONBody[DeliveryStepInput],
        request: Req,
        commands: Commands,
    ) -> Accepted:
        context = caller(request, WRITE, programme_id, station_id, data)
        return await commands.programmes.step(programme_id, station_id, "fail", data, context)

    # --- relays and local broadcasts ---

    @post("/relay-sessions/record", operation_id="recordRelaySessions")
    async def record_relays(
        self, data: JSONBody[RecordRelaySessionsInput], request: Req, commands: Commands
    ) -> Accepted:
        return await commands.relays.record(data, caller(request, WRITE, data))

    @post("/relay-sessions/{session_id:str}/cancel", operation_id="cancelRelaySession")
    async def cancel_relay(
        self, session_id: FromPath[str], data: JSONBody[CancelRelaySessionInput], request: Req, commands: Commands
    ) -> Accepted:
        return await commands.relays.cancel(session_id, data, caller(request, WRITE, session_id, data))

    # --- signal health ---

    @post("/signal/report", operation_id="reportClusterSignals")
    async def report_signals(
        self, data: JSONBody[ReportSignalsInput], request: Req, commands: Commands
    ) -> SignalReportResult:
        return await commands.signal.report(data, caller(request, WRITE, data))

    @post("/signal/configure", operation_id="configureSignalMonitoring")
    async def configure_signal(
        self, data: JSONBody[ConfigureSignalInput], request: Req, commands: Commands
    ) -> ConfigureSignalInput:
        seconds = await commands.signal.configure(data, province_caller(request, WRITE, data))
        return ConfigureSignalInput(silence_threshold_seconds=seconds)

    # --- outreach ---

    @post("/outreach/sessions/record", operation_id="recordOutreachSession")
    async def record_outreach(
        self, data: JSONBody[RecordOutreachSessionInput], request: Req, commands: Commands
    ) -> Accepted:
        return await commands.outreach.record_session(data, caller(request, WRITE, data))

    @post("/outreach/vehicle-trips/record", operation_id="recordVehicleTrip")
    async def record_trip(self, data: JSONBody[RecordVehicleTripInput], request: Req, commands: Commands) -> Accepted:
        return await commands.outreach.record_trip(data, caller(request, WRITE, data))

    # --- emergency alerts ---

    @post("/alerts/issue", operation_id="issueEmergencyAlert")
    async def issue_alert(self, data: JSONBody[IssueAlertInput], request: Req, commands: Commands) -> Accepted:
        return await commands.alerts.issue(data, caller(request, ISSUE_ALERTS, data))

    @post("/alerts/{alert_id:str}/acknowledge", operation_id="acknowledgeEmergencyAlert")
    async def acknowledge_alert(
        self, alert_id: FromPath[str], data: JSONBody[AcknowledgeAlertInput], request: Req, commands: Commands
    ) -> Accepted:
        return await commands.alerts.acknowledge(alert_id, data, caller(request, WRITE, alert_id, data))

    @post("/alerts/{alert_id:str}/cancel", operation_id="cancelEmergencyAlert")
    async def cancel_alert(
        self, alert_id: FromPath[str], data: JSONBody[CancelAlertInput], request: Req, commands: Commands
    ) -> Accepted:
        return await commands.alerts.cancel(alert_id, data, caller(request, ISSUE_ALERTS, alert_id, data))
