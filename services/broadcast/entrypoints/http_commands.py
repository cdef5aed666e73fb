"""Internal REST API of the broadcast service: one POST route per command, one controller per area.

Writes need ``broadcast:write`` (issuing or cancelling an alert: ``alerts:issue``), which the
controller's ``ctx`` dependency checks before the route runs; a caller confined to a unit (a
district centre) acts only for that unit and the units under it, checked by the handler in
the command's transaction, and never changes the province's signal configuration (ADR 0021).
Routes only translate; errors become HTTP answers in one place (``libs.common.http.errors``).
"""

from __future__ import annotations

from litestar import Controller, post
from litestar.params import FromPath, JSONBody

from contracts.api.broadcast import (
    AcknowledgeAlertBody,
    ConfigureSignalBody,
    CorrectProgrammeBody,
    DeliveryStepBody,
    IssueAlertBody,
    ReasonBody,
    RecordOutreachSessionBody,
    RecordProgrammeBody,
    RecordRelaySessionsBody,
    RecordVehicleTripBody,
    ReportSignalsBody,
    SendProgrammeBody,
)
from libs.common.eventstore.results import CommandResult
from libs.common.http.context import Ctx, command_context
from services.broadcast.application.alerts import AcknowledgeAlertInput, CancelAlertInput
from services.broadcast.application.programmes import CorrectProgrammeInput, DeliveryStepInput, SendProgrammeInput
from services.broadcast.application.relays import CancelRelaySessionInput
from services.broadcast.entrypoints.scopes import ISSUE_ALERTS, WRITE, Handlers

Path = FromPath[str]


class ProgrammeCommands(Controller):
    path = "/commands"
    tags = ["broadcast: commands"]  # noqa: RUF012 - Litestar declares it as an instance attribute
    dependencies = {"ctx": command_context(WRITE)}  # noqa: RUF012

    @post("/programmes/record", operation_id="recordProgramme")
    async def record(self, data: JSONBody[RecordProgrammeBody], ctx: Ctx, handlers: Handlers) -> CommandResult:
        return await handlers.programmes.record(data, ctx)

    @post("/programmes/{programme_id:str}/correct", operation_id="correctProgramme")
    async def correct(
        self, programme_id: Path, data: JSONBody[CorrectProgrammeBody], ctx: Ctx, handlers: Handlers
    ) -> CommandResult:
        return await handlers.programmes.correct(CorrectProgrammeInput(programme_id=programme_id, body=data), ctx)

    @post("/programmes/{programme_id:str}/send", operation_id="sendProgramme")
    async def send(
        self, programme_id: Path, data: JSONBody[SendProgrammeBody], ctx: Ctx, handlers: Handlers
    ) -> CommandResult:
        return await handlers.programmes.send(SendProgrammeInput(programme_id=programme_id, body=data), ctx)

    @post("/deliveries/{programme_id:str}/{station_id:str}/receive", operation_id="receiveDelivery")
    async def receive(
        self, programme_id: Path, station_id: Path, data: JSONBody[DeliveryStepBody], ctx: Ctx, handlers: Handlers
    ) -> CommandResult:
        step = DeliveryStepInput(programme_id=programme_id, station_id=station_id, body=data)
        return await handlers.programmes.receive(step, ctx)

    @post("/deliveries/{programme_id:str}/{station_id:str}/air", operation_id="airDelivery")
    async def air(
        self, programme_id: Path, station_id: Path, data: JSONBody[DeliveryStepBody], ctx: Ctx, handlers: Handlers
    ) -> CommandResult:
        step = DeliveryStepInput(programme_id=programme_id, station_id=station_id, body=data)
        return await handlers.programmes.air(step, ctx)

    @post("/deliveries/{programme_id:str}/{station_id:str}/fail", operation_id="failDelivery")
    async def fail(
        self, programme_id: Path, station_id: Path, data: JSONBody[DeliveryStepBody], ctx: Ctx, handlers: Handlers
    ) -> CommandResult:
        step = DeliveryStepInput(programme_id=programme_id, station_id=station_id, body=data)
        return await handlers.programmes.fail(step, ctx)


class RelayCommands(Controller):
    path = "/commands/relay-sessions"
    tags = ["broadcast: commands"]  # noqa: RUF012
    dependencies = {"ctx": command_context(WRITE)}  # noqa: RUF012

    @post("/record", operation_id="recordRelaySessions")
    async def record(self, data: JSONBody[RecordRelaySessionsBody], ctx: Ctx, handlers: Handlers) -> CommandResult:
        return await handlers.relays.record(data, ctx)

    @post("/{session_id:str}/cancel", operation_id="cancelRelaySession")
    async def cancel(self, session_id: Path, data: JSONBody[ReasonBody], ctx: Ctx, handlers: Handlers) -> CommandResult:
        return await handlers.relays.cancel(CancelRelaySessionInput(session_id=session_id, body=data), ctx)


class SignalCommands(Controller):
    path = "/commands/signal"
    tags = ["broadcast: commands"]  # noqa: RUF012
    dependencies = {"ctx": command_context(WRITE)}  # noqa: RUF012

    @post("/report", operation_id="reportClusterSignals")
    async def report(self, data: JSONBody[ReportSignalsBody], ctx: Ctx, handlers: Handlers) -> CommandResult:
        return await handlers.signal.report(data, ctx)

    # The threshold is the whole province's: refused to a caller bound to a unit (ADR 0021).
    @post(
        "/configure",
        operation_id="configureSignalMonitoring",
        dependencies={"ctx": command_context(WRITE, province_wide=True)},
    )
    async def configure(self, data: JSONBody[ConfigureSignalBody], ctx: Ctx, handlers: Handlers) -> CommandResult:
        return await handlers.signal.configure(data, ctx)


class OutreachCommands(Controller):
    path = "/commands/outreach"
    tags = ["broadcast: commands"]  # noqa: RUF012
    dependencies = {"ctx": command_context(WRITE)}  # noqa: RUF012

    @post("/sessions/record", operation_id="recordOutreachSession")
    async def record_session(
        self, data: JSONBody[RecordOutreachSessionBody], ctx: Ctx, handlers: Handlers
    ) -> CommandResult:
        return await handlers.outreach.record_session(data, ctx)

    @post("/vehicle-trips/record", operation_id="recordVehicleTrip")
    async def record_trip(self, data: JSONBody[RecordVehicleTripBody], ctx: Ctx, handlers: Handlers) -> CommandResult:
        return await handlers.outreach.record_trip(data, ctx)


class AlertCommands(Controller):
    path = "/commands/alerts"
    tags = ["broadcast: commands"]  # noqa: RUF012
    dependencies = {"ctx": command_context(ISSUE_ALERTS)}  # noqa: RUF012

    @post("/issue", operation_id="issueEmergencyAlert")
    async def issue(self, data: JSONBody[IssueAlertBody], ctx: Ctx, handlers: Handlers) -> CommandResult:
        return await handlers.alerts.issue(data, ctx)

    # A station's staff acknowledge what they received: a writer's scope, not an issuer's.
    @post(
        "/{alert_id:str}/acknowledge",
        operation_id="acknowledgeEmergencyAlert",
        dependencies={"ctx": command_context(WRITE)},
    )
    async def acknowledge(
        self, alert_id: Path, data: JSONBody[AcknowledgeAlertBody], ctx: Ctx, handlers: Handlers
    ) -> CommandResult:
        return await handlers.alerts.acknowledge(AcknowledgeAlertInput(alert_id=alert_id, body=data), ctx)

    @post("/{alert_id:str}/cancel", operation_id="cancelEmergencyAlert")
    async def cancel(self, alert_id: Path, data: JSONBody[ReasonBody], ctx: Ctx, handlers: Handlers) -> CommandResult:
        return await handlers.alerts.cancel(CancelAlertInput(alert_id=alert_id, body=data), ctx)


COMMAND_CONTROLLERS = [ProgrammeCommands, RelayCommands, SignalCommands, OutreachCommands, AlertCommands]
