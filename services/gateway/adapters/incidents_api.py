"""The broadcast service's incident routes the gateway uses (ADR 0051), one function per route:
the handling commands, incidents paged for a unit or read by id, and MTTR by assignee or cause."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from contracts.api.broadcast import (
    AcknowledgeIncidentBody,
    AssignIncidentBody,
    IncidentKeys,
    IncidentNoteBody,
    ResolveIncidentBody,
)
from contracts.api.broadcast_views import IncidentMttr, IncidentPage, IncidentView
from libs.common.eventstore.results import CommandResult
from services.gateway.adapters.internal import ServiceCaller

B = "broadcast"


def _command(incident_id: str, action: str) -> str:
    return f"/commands/incidents/{incident_id}/{action}"


async def acknowledge(
    caller: ServiceCaller, incident_id: str, body: AcknowledgeIncidentBody, key: str | None
) -> CommandResult:
    return await caller.post(B, _command(incident_id, "acknowledge"), body, CommandResult, idempotency_key=key)


async def assign(caller: ServiceCaller, incident_id: str, body: AssignIncidentBody, key: str | None) -> CommandResult:
    return await caller.post(B, _command(incident_id, "assign"), body, CommandResult, idempotency_key=key)


async def add_note(caller: ServiceCaller, incident_id: str, body: IncidentNoteBody, key: str | None) -> CommandResult:
    return await caller.post(B, _command(incident_id, "notes"), body, CommandResult, idempotency_key=key)


async def resolve(caller: ServiceCaller, incident_id: str, body: ResolveIncidentBody, key: str | None) -> CommandResult:
    return await caller.post(B, _command(incident_id, "resolve"), body, CommandResult, idempotency_key=key)


async def incidents(
    caller: ServiceCaller,
    unit_code: str,
    *,
    period: str | None,
    status: str | None,
    first: int,
    after: str | None,
    as_of: datetime.date | None = None,
) -> IncidentPage:
    params = {"unit_code": unit_code, "limit": str(first)}
    day = as_of.isoformat() if as_of else None
    params |= {k: v for k, v in {"period": period, "status": status, "cursor": after, "as_of": day}.items() if v}
    return await caller.get(B, "/incidents", params, IncidentPage)


async def by_ids(caller: ServiceCaller, incident_ids: Sequence[str]) -> list[IncidentView]:
    return await caller.post(B, "/queries/incidents", IncidentKeys(incident_ids=list(incident_ids)), list[IncidentView])


async def mttr(
    caller: ServiceCaller, unit_code: str, period: str, by: str, as_of: datetime.date | None = None
) -> IncidentMttr:
    params = {"unit_code": unit_code, "period": period, "by": by} | ({"as_of": as_of.isoformat()} if as_of else {})
    return await caller.get(B, "/incidents/mttr", params, IncidentMttr)
