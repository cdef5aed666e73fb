"""The broadcast service's internal routes the gateway uses, one function per route.

Its batched queries are ``POST /queries/…`` with the keys in the body (answers in key order).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

import msgspec

from services.gateway.adapters.internal import ServiceCaller

B = "broadcast"


class ClusterSignal(msgspec.Struct, frozen=True, kw_only=True):
    cluster_id: str
    status: str
    """UNKNOWN, UP or DOWN."""
    down_cause: str | None = None
    """NO_SIGNAL, OFFLINE or SILENT while DOWN."""
    last_observed_at: datetime.datetime | None = None

    @property
    def signal(self) -> str:
        """The contract's SignalStatus."""
        if self.status == "UP":
            return "ONLINE"
        if self.status == "DOWN":
            return "NO_SIGNAL" if self.down_cause == "NO_SIGNAL" else "OFFLINE"
        return "UNKNOWN"


class ProgrammeView(msgspec.Struct, frozen=True, kw_only=True):
    programme_id: str
    unit_code: str
    title: str
    air_date: datetime.date
    duration_seconds: int
    news_items: int
    articles: int
    segments: list[str] = []


class ProgrammePage(msgspec.Struct, frozen=True, kw_only=True):
    programmes: list[ProgrammeView]
    next_cursor: str | None
    total_count: int


class DeliveryView(msgspec.Struct, frozen=True, kw_only=True):
    programme_id: str
    station_id: str
    status: str
    sent_at: datetime.datetime
    received_at: datetime.datetime | None = None
    aired_at: datetime.datetime | None = None
    failed_at: datetime.datetime | None = None

    @property
    def updated_at(self) -> datetime.datetime:
        return max(t for t in (self.sent_at, self.received_at, self.aired_at, self.failed_at) if t is not None)


class _Deliveries(msgspec.Struct, frozen=True, kw_only=True):
    key: str
    deliveries: list[DeliveryView]


class SourceAirtime(msgspec.Struct, frozen=True, kw_only=True):
    source: str
    seconds: int


class StationAirtime(msgspec.Struct, frozen=True, kw_only=True):
    station_id: str
    period: str
    sources: list[SourceAirtime]


class Accepted(msgspec.Struct, frozen=True, kw_only=True):
    ids: list[str]


class SignalReportResult(msgspec.Struct, frozen=True, kw_only=True):
    accepted: int
    state_changes: int = 0


# --- queries ----------------------------------------------------------------------------------


class _ClusterKeys(msgspec.Struct, frozen=True):
    cluster_ids: list[str]


class _ProgrammeKeys(msgspec.Struct, frozen=True):
    programme_ids: list[str]


class _StationAirtimeQuery(msgspec.Struct, frozen=True):
    station_ids: list[str]
    period: str


async def cluster_signals(caller: ServiceCaller, cluster_ids: Sequence[str]) -> list[ClusterSignal]:
    body = _ClusterKeys(cluster_ids=list(cluster_ids))
    return await caller.post(B, "/queries/signal/clusters", body, list[ClusterSignal])


async def programmes_by_ids(caller: ServiceCaller, programme_ids: Sequence[str]) -> list[ProgrammeView]:
    body = _ProgrammeKeys(programme_ids=list(programme_ids))
    return await caller.post(B, "/queries/programmes", body, list[ProgrammeView])


async def deliveries(caller: ServiceCaller, programme_ids: Sequence[str]) -> dict[str, list[DeliveryView]]:
    body = _ProgrammeKeys(programme_ids=list(programme_ids))
    found = await caller.post(B, "/queries/deliveries", body, list[_Deliveries])
    return {entry.key: entry.deliveries for entry in found}


async def airtime(caller: ServiceCaller, station_ids: Sequence[str], period: str) -> list[StationAirtime]:
    body = _StationAirtimeQuery(station_ids=list(station_ids), period=period)
    return await caller.post(B, "/queries/airtime/stations", body, list[StationAirtime])


async def programmes(
    caller: ServiceCaller,
    *,
    producer_code: str | None,
    date_from: datetime.date | None,
    date_to: datetime.date | None,
    first: int,
    after: str | None,
) -> ProgrammePage:
    params = {"limit": str(first)}
    if producer_code:
        params["unit_code"] = producer_code
    if date_from:
        params["from_date"] = date_from.isoformat()
    if date_to:
        params["to_date"] = date_to.isoformat()
    if after:
        params["cursor"] = after
    return await caller.get(B, "/programmes", params, ProgrammePage)


# --- commands ---------------------------------------------------------------------------------


async def report_signal(caller: ServiceCaller, body: object, key: str | None) -> SignalReportResult:
    return await caller.post(B, "/commands/signal/report", body, SignalReportResult, idempotency_key=key)


async def record_programme(caller: ServiceCaller, body: object, key: str | None) -> str:
    accepted = await caller.post(B, "/commands/programmes/record", body, Accepted, idempotency_key=key)
    return accepted.ids[0]


async def record_relays(caller: ServiceCaller, body: object, key: str | None) -> Accepted:
    return await caller.post(B, "/commands/relay-sessions/record", body, Accepted, idempotency_key=key)
