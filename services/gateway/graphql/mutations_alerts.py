# mypy: disallow-untyped-decorators=False
"""Emergency-alert mutations: issue to an area, acknowledge per station, cancel.

Each is the broadcast service's command of the same name, made as the caller: the service
decides the scope (``alerts:issue`` to issue or cancel, ``broadcast:write`` to acknowledge) and
the caller's reach (a district centre within its district). The answer is the alert read back
once the service's read model shows the change.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import strawberry
from strawberry.types import Info

from contracts.api.broadcast import AcknowledgeAlertBody, IssueAlertBody, ReasonBody
from contracts.api.broadcast_views import AlertView
from services.gateway.adapters import broadcast_api
from services.gateway.adapters.internal import ServiceCaller
from services.gateway.graphql.context import context_of
from services.gateway.graphql.ids import raw_id
from services.gateway.graphql.inputs_alerts import (
    AcknowledgeEmergencyAlertInput,
    CancelEmergencyAlertInput,
    IssueEmergencyAlertInput,
)
from services.gateway.graphql.read_back import read_back
from services.gateway.graphql.types_alerts import EmergencyAlert

Ctx = Info[Any, Any]


async def _alert_once(caller: ServiceCaller, alert_id: str, shows: Callable[[AlertView], bool]) -> EmergencyAlert:
    """The alert as the writer sees it, once its read model shows what the command changed."""

    async def current() -> EmergencyAlert | None:
        found = await broadcast_api.alerts_by_ids(caller, [alert_id])
        return EmergencyAlert.of(found[0]) if found else None

    async def fetch() -> EmergencyAlert | None:
        found = await broadcast_api.alerts_by_ids(caller, [alert_id])
        return EmergencyAlert.of(found[0]) if found and shows(found[0]) else None

    return await read_back(
        caller, fetch, f"alert {alert_id}", reads=broadcast_api.OPERATIONS_READ_MODEL, accepted=current
    )


@strawberry.type
class AlertMutation:
    @strawberry.mutation(description="Issue an emergency alert to an area; it goes to every station in it (broadcast).")
    async def issue_emergency_alert(self, info: Ctx, input: IssueEmergencyAlertInput) -> EmergencyAlert:
        caller = context_of(info).writer()
        body = IssueAlertBody(
            unit_code=input.unit_code,
            category=input.category.value,
            priority=input.priority.value,
            title=input.title,
            message=input.message,
            expires_at=input.expires_at,
        )
        result = await broadcast_api.issue_alert(caller, body, input.idempotency_key)
        return await _alert_once(caller, result.ids[0], lambda a: len(a.stations) == a.station_count)

    @strawberry.mutation(description="A station acknowledges an emergency alert it received (broadcast).")
    async def acknowledge_emergency_alert(self, info: Ctx, input: AcknowledgeEmergencyAlertInput) -> EmergencyAlert:
        caller = context_of(info).writer()
        alert_id = raw_id(input.alert_id, "EmergencyAlert", "alertId")
        station_id = raw_id(input.station_id, "RadioStation", "stationId")
        body = AcknowledgeAlertBody(station_id=station_id, acknowledged_at=input.acknowledged_at)
        await broadcast_api.acknowledge_alert(caller, alert_id, body, input.idempotency_key)
        return await _alert_once(
            caller,
            alert_id,
            lambda a: any(s.station_id == station_id and s.acknowledged_at is not None for s in a.stations),
        )

    @strawberry.mutation(description="Cancel an emergency alert (broadcast).")
    async def cancel_emergency_alert(self, info: Ctx, input: CancelEmergencyAlertInput) -> EmergencyAlert:
        caller = context_of(info).writer()
        alert_id = raw_id(input.alert_id, "EmergencyAlert", "alertId")
        await broadcast_api.cancel_alert(caller, alert_id, ReasonBody(reason=input.reason), input.idempotency_key)
        return await _alert_once(caller, alert_id, lambda a: a.cancelled_at is not None)
