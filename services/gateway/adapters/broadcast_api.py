"""The broadcast service's internal routes the gateway uses, one function per route.

Bodies and answers are the service's own declarations (``contracts.api.broadcast`` and
``broadcast_views``); commands answer ``CommandResult``. Its batched queries are
``POST /queries/…`` with the keys in the body (answers in key order).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import TypeVar

from contracts.api.broadcast import (
    ClusterKeys,
    ProgrammeKeys,
    RecordProgrammeBody,
    RecordRelaySessionsBody,
    ReportSignalsBody,
    StationAirtimeQuery,
)
from contracts.api.broadcast_views import ClusterSignalView, Deliveries, DeliveryView, ProgrammeView, StationAirtime
from libs.common.eventstore.results import CommandResult
from services.gateway.adapters.internal import ServiceCaller

B = "broadcast"
Page = TypeVar("Page")


def signal_status(view: ClusterSignalView) -> str:
    """The public contract's SignalStatus of a cluster's state."""
    if view.status == "UP":
        return "ONLINE"
    if view.status == "DOWN":
        return "NO_SIGNAL" if view.down_cause == "NO_SIGNAL" else "OFFLINE"
    return "UNKNOWN"


def updated_at(view: DeliveryView) -> datetime.datetime:
    """When the delivery last moved."""
    return max(t for t in (view.sent_at, view.received_at, view.aired_at, view.failed_at) if t is not None)


# --- queries ----------------------------------------------------------------------------------


async def cluster_signals(caller: ServiceCaller, cluster_ids: Sequence[str]) -> list[ClusterSignalView]:
    body = ClusterKeys(cluster_ids=list(cluster_ids))
    return await caller.post(B, "/queries/signal/clusters", body, list[ClusterSignalView])


async def programmes_by_ids(caller: ServiceCaller, programme_ids: Sequence[str]) -> list[ProgrammeView]:
    body = ProgrammeKeys(programme_ids=list(programme_ids))
    return await caller.post(B, "/queries/programmes", body, list[ProgrammeView])


async def deliveries(caller: ServiceCaller, programme_ids: Sequence[str]) -> dict[str, list[DeliveryView]]:
    body = ProgrammeKeys(programme_ids=list(programme_ids))
    found = await caller.post(B, "/queries/deliveries", body, list[Deliveries])
    return {entry.key: entry.deliveries for entry in found}


async def airtime(caller: ServiceCaller, station_ids: Sequence[str], period: str) -> list[StationAirtime]:
    body = StationAirtimeQuery(station_ids=list(station_ids), period=period)
    return await caller.post(B, "/queries/airtime/stations", body, list[StationAirtime])


async def programmes(
    caller: ServiceCaller,
    answer: type[Page],
    *,
    producer_code: str | None,
    date_from: datetime.date | None,
    date_to: datetime.date | None,
    first: int,
    after: str | None,
) -> Page:
    """A page of programmes, decoded as ``answer``: the service's ``ProgrammePage``, or the
    public REST page (a subset of it)."""
    params = {"limit": str(first)}
    if producer_code:
        params["unit_code"] = producer_code
    if date_from:
        params["from_date"] = date_from.isoformat()
    if date_to:
        params["to_date"] = date_to.isoformat()
    if after:
        params["cursor"] = after
    return await caller.get(B, "/programmes", params, answer)


# --- commands ---------------------------------------------------------------------------------


async def report_signal(caller: ServiceCaller, body: ReportSignalsBody, key: str | None) -> CommandResult:
    return await caller.post(B, "/commands/signal/report", body, CommandResult, idempotency_key=key)


async def record_programme(caller: ServiceCaller, body: RecordProgrammeBody, key: str | None) -> str:
    """The new programme's id."""
    result = await caller.post(B, "/commands/programmes/record", body, CommandResult, idempotency_key=key)
    return result.ids[0]


async def record_relays(caller: ServiceCaller, body: RecordRelaySessionsBody, key: str | None) -> CommandResult:
    return await caller.post(B, "/commands/relay-sessions/record", body, CommandResult, idempotency_key=key)
