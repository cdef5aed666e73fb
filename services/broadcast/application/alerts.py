"""Emergency alerts: issue to an area (fanned out to its stations at once), acknowledge per
station, cancel; one handler per command."""

from __future__ import annotations

import msgspec

from contracts.api.broadcast import AcknowledgeAlertBody, IssueAlertBody, ReasonBody
from libs.common.errors import InvalidInputError
from libs.common.eventstore.commands import CommandExecutor, CommandResult, Transaction
from libs.common.eventstore.context import CommandContext
from services.broadcast.adapters import registry_view
from services.broadcast.application.units import known_unit, within_reach
from services.broadcast.domain.alerts import (
    ALERT,
    ALERT_ACK,
    Acknowledge,
    Alert,
    AlertStation,
    CancelAlert,
    IssueAlert,
    ack_stream,
    alert_stream,
)
from services.broadcast.domain.period import utc_now


class AcknowledgeAlertInput(msgspec.Struct, frozen=True, kw_only=True):
    alert_id: str
    body: AcknowledgeAlertBody


class CancelAlertInput(msgspec.Struct, frozen=True, kw_only=True):
    alert_id: str
    body: ReasonBody


class AlertHandlers:
    def __init__(self, executor: CommandExecutor) -> None:
        self.executor = executor

    async def issue(self, cmd: IssueAlertBody, ctx: CommandContext) -> CommandResult:
        """Names the alert, then every station it went to."""
        if cmd.unit_code is None or not cmd.unit_code.strip():
            raise InvalidInputError("an alert needs an area: give unit_code", code="alert_without_area")
        [alert_id] = ctx.new_ids()
        area_code = cmd.unit_code.strip()
        # The result's ids are read after the work has run: the fan-out is known only there.
        ids = [alert_id]

        async def work(tx: Transaction) -> str:
            unit = await known_unit(tx, area_code)
            stations = await registry_view.stations_in_area(tx.conn, unit.unit_id)
            command = IssueAlert(
                alert_id=alert_id,
                area_unit_id=unit.unit_id,
                area_unit_code=unit.code,
                category=cmd.category,
                priority=cmd.priority,
                title=cmd.title,
                message=cmd.message,
                issued_at=utc_now(),
                expires_at=cmd.expires_at,
                stations=[AlertStation(s.station_id, s.unit_code) for s in stations],
            )
            stream = alert_stream(alert_id)
            await tx.append(ALERT, stream, 0, ALERT.decide(command, Alert()))
            ids[1:] = [s.station_id for s in stations]
            return stream

        return await self.executor.run(work, context=ctx, request=cmd, ids=ids)

    async def acknowledge(self, cmd: AcknowledgeAlertInput, ctx: CommandContext) -> CommandResult:
        alert_id, station_id = cmd.alert_id, cmd.body.station_id

        async def work(tx: Transaction) -> str:
            alert, _ = await tx.load(ALERT, alert_stream(alert_id))
            station = (await registry_view.stations(tx.conn, [station_id])).get(station_id)
            if station is not None:
                await within_reach(tx, [station.unit_id])
            command = Acknowledge(
                alert=alert, station_id=station_id, acknowledged_at=cmd.body.acknowledged_at or utc_now()
            )
            stream = ack_stream(alert_id, station_id)
            await tx.decide(ALERT_ACK, stream, command)
            return stream

        return await self.executor.run(work, context=ctx, request=cmd, ids=[alert_id, station_id])

    async def cancel(self, cmd: CancelAlertInput, ctx: CommandContext) -> CommandResult:
        async def work(tx: Transaction) -> str:
            stream = alert_stream(cmd.alert_id)
            alert, version = await tx.load(ALERT, stream)
            if alert.status != "absent":
                unit = await registry_view.unit_by_code(tx.conn, alert.unit_code)
                await within_reach(tx, [unit.unit_id] if unit else [])
            cancel = CancelAlert(cancelled_at=utc_now(), reason=cmd.body.reason)
            await tx.append(ALERT, stream, version, ALERT.decide(cancel, alert))
            return stream

        return await self.executor.run(work, context=ctx, request=cmd, ids=[cmd.alert_id])
