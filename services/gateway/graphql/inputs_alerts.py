"""Typed inputs of the emergency-alert mutations (the service's bodies, in the contract's names)."""

from __future__ import annotations

import datetime

import strawberry

from services.gateway.graphql.inputs import KEY_HELP
from services.gateway.graphql.types_alerts import AlertCategory, AlertPriority


@strawberry.input
class IssueEmergencyAlertInput:
    unit_code: str = strawberry.field(description="The area: this unit and every unit under it.")
    category: AlertCategory
    priority: AlertPriority
    title: str
    message: str
    expires_at: datetime.datetime
    idempotency_key: str | None = strawberry.field(default=None, description=KEY_HELP)


@strawberry.input
class AcknowledgeEmergencyAlertInput:
    alert_id: strawberry.ID
    station_id: strawberry.ID = strawberry.field(description="The station whose staff acknowledge it.")
    acknowledged_at: datetime.datetime | None = strawberry.field(default=None, description="Default: now.")
    idempotency_key: str | None = strawberry.field(default=None, description=KEY_HELP)


@strawberry.input
class CancelEmergencyAlertInput:
    alert_id: strawberry.ID
    reason: str
    idempotency_key: str | None = strawberry.field(default=None, description=KEY_HELP)
