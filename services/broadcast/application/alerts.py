"""Emergency alerts: issue to an area (fanned out to its stations at once), acknowledge per
station, cancel."""

from __future__ import annotations

import datetime

import msgspec

from contracts.broadcast_events import AlertCategory, AlertPriority
from libs.common.errors import InvalidInputError
from libs.common.eventstore.commands import Transaction
from services.broadcast.adapters import registry_view
from services.broadcast.application.access import require_units_within_reach, unit_by_code
from services.broadcast.application.base import Accepted, Caller, Commands, new_id, utc_now
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


class IssueAlertInput(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    unit_code: str | None = None
    """The area: this unit and every unit under it. Required (refused with a clear code)."""
    category: AlertCategory
    priority: AlertPriority
    title: str
    message: str
    expires_at: datetime.datetime


class AcknowledgeAlertInput(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    station_id: str
    acknowledged_at: datetime.datetime | None = None
    """Default: now."""


class CancelAlertInput(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    reason: str


class AlertCommands(Commands):
    async def issue(self, data: IssueAlertInput, caller: Caller) -> Accepted:
        if data.unit_code is None or not data.unit_code.strip():
            raise InvalidInputError("an alert needs an area: give unit_code", code="alert_without_area")
        alert_id = new_id(caller)
        area_code = data.unit_code.strip()
        fanned: list[str] = []

        async def work(tx: Transaction) -> str:
            unit = await unit_by_code(tx.conn, area_code)
            await require_units_within_reach(tx.conn, caller.principal, [unit.unit_id])
            stations = await registry_view.stations_in_area(tx.conn, unit.unit_id)
            command = IssueAlert(
                alert_id=alert_id,
                area_unit_id=unit.unit_id,
                area_unit_code=unit.code,
                category=data.category,
                priority=data.priority,
                title=data.title,
                message=data.message,
                issued_at=utc_now(),
                expires_at=data.expires_at,
                stations=[AlertStation(s.station_id, s.unit_code) for s in stations],
            )
            stream = alert_stream(alert_id)
            await tx.append(ALERT, stream, 0, ALERT.decide(command, Alert()))
            fanned[:] = [s.station_id for s in stations]
            return stream

        result = await self._run(work, caller)
        if result.replayed:  # the first request's fan-out, as the log has it
            async with self.executor.pool.acquire() as conn:
                history = await self.executor.store.load(conn, alert_stream(alert_id))
            alert = ALERT.fold([self.executor.decode(e) for e in history])
            fanned[:] = list(alert.stations)
        return Accepted(ids=[alert_id, *fanned], result=result)

    async def acknowledge(self, alert_id: str, data: AcknowledgeAlertInput, caller: Caller) -> Accepted:
        async def work(tx: Transaction) -> str:
            alert, _ = await tx.load(ALERT, alert_stream(alert_id))
            station = (await registry_view.stations(tx.conn, [data.station_id])).get(data.station_id)
            if station is not None:
                await require_units_within_reach(tx.conn, caller.principal, [station.unit_id])
            command = Acknowledge(
                alert=alert, station_id=data.station_id, acknowledged_at=data.acknowledged_at or utc_now()
            )
            stream = ack_stream(alert_id, data.station_id)
            await tx.decide(ALERT_ACK, stream, command)
            return stream

        return Accepted(ids=[alert_id, data.station_id], result=await self._run(work, caller))

    async def cancel(self, alert_id: str, data: CancelAlertInput, caller: Caller) -> Accepted:
        async def work(tx: Transaction) -> str:
            stream = alert_stream(alert_id)
            alert, version = await tx.load(ALERT, stream)
            if alert.status != "absent":
                unit = await registry_view.unit_by_code(tx.conn, alert.unit_code)
                await require_units_within_reach(tx.conn, caller.principal, [unit.unit_id] if unit else [])
            await tx.append(
                ALERT, stream, version, ALERT.decide(CancelAlert(cancelled_at=utc_now(), reason=data.reason), alert)
            )
            return stream

        return Accepted(ids=[alert_id], result=await self._run(work, caller))
