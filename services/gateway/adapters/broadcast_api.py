"""The broadcast service's internal routes the gateway uses, one function per route.

Bodies and answers are the service's own declarations (``contracts.api.broadcast`` and
``broadcast_views``); commands answer ``CommandResult``. Its batched queries are
``POST /queries/…`` with the keys in the body (answers in key order).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Literal, TypeVar

from contracts.api.broadcast import (
    AcknowledgeAlertBody,
    AlertKeys,
    AlertStationsAsk,
    AlertStationsQuery,
    ApproveProgrammeBody,
    ClusterKeys,
    ConfigureSignalBody,
    CorrectProgrammeBody,
    DeliveryStepBody,
    IssueAlertBody,
    OutreachKeys,
    ProgrammeKeys,
    ReasonBody,
    RecordOutreachSessionBody,
    RecordProgrammeBody,
    RecordRelaySessionsBody,
    RecordVehicleTripBody,
    RejectProgrammeBody,
    ReportSignalsBody,
    SendProgrammeBody,
    SessionKeys,
    StationAirtimeQuery,
    SubmitProgrammeBody,
)
from contracts.api.broadcast_views import (
    AlertPage,
    AlertStationPage,
    AlertView,
    ClusterSignalView,
    Deliveries,
    DeliveryPage,
    DeliveryView,
    IncidentView,
    OutreachDayPage,
    OutreachPage,
    OutreachRecordView,
    OutreachReport,
    ProgrammeSummary,
    ProgrammeView,
    SessionPage,
    SessionView,
    StationAirtime,
    UnacknowledgedReport,
    UnitAirtime,
    UnitHealth,
)
from libs.common.eventstore.results import CommandResult
from services.gateway.adapters.internal import ServiceCaller

B = "broadcast"
OPERATIONS_READ_MODEL = "broadcast_operations"
"""The broadcast projection that programmes, deliveries, alerts and outreach are read from."""
AIRTIME_READ_MODEL = "broadcast_airtime"
"""The one that relay sessions are read from."""
SIGNAL_READ_MODEL = "broadcast_signal"
"""The one that a cluster's signal is read from."""
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
    as_of: datetime.date | None = None,
) -> Page:
    """A page of programmes, decoded as ``answer``: the service's ``ProgrammePage``, or the
    public REST page (a subset of it)."""
    params = {"limit": str(first)}
    params |= _present(unit_code=producer_code, from_date=date_from, to_date=date_to, cursor=after, as_of=as_of)
    return await caller.get(B, "/programmes", params, answer)


async def alerts_by_ids(caller: ServiceCaller, alert_ids: Sequence[str]) -> list[AlertView]:
    return await caller.post(B, "/queries/alerts", AlertKeys(alert_ids=list(alert_ids)), list[AlertView])


async def alerts(
    caller: ServiceCaller,
    *,
    unit_code: str | None,
    date_from: datetime.date | None,
    date_to: datetime.date | None,
    awaiting: bool,
    first: int,
    after: str | None,
    as_of: datetime.date | None = None,
) -> AlertPage:
    params = {"limit": str(first), "awaiting": "true" if awaiting else "false"}
    params |= _present(unit_code=unit_code, from_date=date_from, to_date=date_to, cursor=after, as_of=as_of)
    return await caller.get(B, "/alerts", params, AlertPage)


async def unacknowledged(caller: ServiceCaller, alert_id: str, after_minutes: float) -> UnacknowledgedReport:
    path = f"/alerts/{alert_id}/unacknowledged"
    return await caller.get(B, path, {"after_minutes": repr(after_minutes)}, UnacknowledgedReport)


async def signal_incidents(
    caller: ServiceCaller, unit_code: str, period: str | None, *, open_only: bool, limit: int
) -> list[IncidentView]:
    params = {"unit_code": unit_code, "open_only": "true" if open_only else "false", "limit": str(limit)}
    params |= _present(period=period)
    return await caller.get(B, "/signal/incidents", params, list[IncidentView])


async def signal_health(
    caller: ServiceCaller, unit_code: str, period: str, as_of: datetime.date | None = None
) -> UnitHealth:
    params = {"unit_code": unit_code, "period": period} | _present(as_of=as_of)
    return await caller.get(B, "/signal/health", params, UnitHealth)


async def deliveries_page(
    caller: ServiceCaller,
    *,
    unit_code: str | None,
    date_from: datetime.date | None,
    date_to: datetime.date | None,
    station_id: str | None,
    problems_only: bool,
    first: int,
    after: str | None,
    as_of: datetime.date | None = None,
) -> DeliveryPage:
    params = {"limit": str(first), "problems_only": "true" if problems_only else "false"}
    params |= _present(
        unit_code=unit_code, from_date=date_from, to_date=date_to, station_id=station_id, cursor=after, as_of=as_of
    )
    return await caller.get(B, "/deliveries", params, DeliveryPage)


async def relay_sessions(
    caller: ServiceCaller,
    *,
    unit_code: str | None,
    date_from: datetime.date | None,
    date_to: datetime.date | None,
    station_id: str | None,
    first: int,
    after: str | None,
    as_of: datetime.date | None = None,
) -> SessionPage:
    params = {"limit": str(first)}
    params |= _present(
        unit_code=unit_code, from_date=date_from, to_date=date_to, station_id=station_id, cursor=after, as_of=as_of
    )
    return await caller.get(B, "/relay-sessions", params, SessionPage)


async def relay_sessions_by_ids(caller: ServiceCaller, session_ids: Sequence[str]) -> list[SessionView]:
    body = SessionKeys(session_ids=list(session_ids))
    return await caller.post(B, "/queries/relay-sessions", body, list[SessionView])


async def outreach_records(
    caller: ServiceCaller,
    *,
    unit_code: str | None,
    date_from: datetime.date | None,
    date_to: datetime.date | None,
    kind: str | None,
    first: int,
    after: str | None,
    as_of: datetime.date | None = None,
) -> OutreachPage:
    params = {"limit": str(first)}
    params |= _present(unit_code=unit_code, from_date=date_from, to_date=date_to, kind=kind, cursor=after, as_of=as_of)
    return await caller.get(B, "/outreach/records", params, OutreachPage)


async def outreach_by_ids(caller: ServiceCaller, outreach_ids: Sequence[str]) -> list[OutreachRecordView]:
    body = OutreachKeys(outreach_ids=list(outreach_ids))
    return await caller.post(B, "/queries/outreach-records", body, list[OutreachRecordView])


async def outreach_report(
    caller: ServiceCaller, unit_code: str, period: str, as_of: datetime.date | None = None
) -> OutreachReport:
    params = {"unit_code": unit_code, "period": period} | _present(as_of=as_of)
    return await caller.get(B, "/outreach", params, OutreachReport)


async def outreach_days(  # noqa: PLR0917 - the route's query parameters
    caller: ServiceCaller, unit_code: str, period: str, as_of: datetime.date | None, first: int, after: str | None
) -> OutreachDayPage:
    params = {"unit_code": unit_code, "period": period, "limit": str(first)} | _present(as_of=as_of, cursor=after)
    return await caller.get(B, "/outreach/days", params, OutreachDayPage)


async def alert_station_pages(caller: ServiceCaller, asks: Sequence[AlertStationsAsk]) -> list[AlertStationPage]:
    body = AlertStationsQuery(pages=list(asks))
    return await caller.post(B, "/queries/alert-stations", body, list[AlertStationPage])


async def programme_summary(
    caller: ServiceCaller, unit_code: str, period: str, as_of: datetime.date | None = None
) -> ProgrammeSummary:
    params = {"unit_code": unit_code, "period": period} | _present(as_of=as_of)
    return await caller.get(B, "/programmes/summary", params, ProgrammeSummary)


async def unit_airtime(
    caller: ServiceCaller, unit_code: str, period: str, as_of: datetime.date | None = None
) -> UnitAirtime:
    return await caller.get(B, f"/airtime/units/{unit_code}", {"period": period} | _present(as_of=as_of), UnitAirtime)


def _present(**values: str | datetime.date | None) -> dict[str, str]:
    """Query parameters of the values given (a date as ISO text), the others left out."""
    return {k: v.isoformat() if isinstance(v, datetime.date) else v for k, v in values.items() if v}


# --- commands ---------------------------------------------------------------------------------


async def report_signal(caller: ServiceCaller, body: ReportSignalsBody, key: str | None) -> CommandResult:
    return await caller.post(B, "/commands/signal/report", body, CommandResult, idempotency_key=key)


async def record_programme_command(caller: ServiceCaller, body: RecordProgrammeBody, key: str | None) -> CommandResult:
    return await caller.post(B, "/commands/programmes/record", body, CommandResult, idempotency_key=key)


async def record_programme(caller: ServiceCaller, body: RecordProgrammeBody, key: str | None) -> str:
    """The new programme's id."""
    return (await record_programme_command(caller, body, key)).ids[0]


async def record_relays(caller: ServiceCaller, body: RecordRelaySessionsBody, key: str | None) -> CommandResult:
    return await caller.post(B, "/commands/relay-sessions/record", body, CommandResult, idempotency_key=key)


async def issue_alert(caller: ServiceCaller, body: IssueAlertBody, key: str | None) -> CommandResult:
    """The alert's id first, then every station it went to."""
    return await caller.post(B, "/commands/alerts/issue", body, CommandResult, idempotency_key=key)


async def acknowledge_alert(
    caller: ServiceCaller, alert_id: str, body: AcknowledgeAlertBody, key: str | None
) -> CommandResult:
    path = f"/commands/alerts/{alert_id}/acknowledge"
    return await caller.post(B, path, body, CommandResult, idempotency_key=key)


async def cancel_alert(caller: ServiceCaller, alert_id: str, body: ReasonBody, key: str | None) -> CommandResult:
    return await caller.post(B, f"/commands/alerts/{alert_id}/cancel", body, CommandResult, idempotency_key=key)


async def correct_programme(
    caller: ServiceCaller, programme_id: str, body: CorrectProgrammeBody, key: str | None
) -> CommandResult:
    path = f"/commands/programmes/{programme_id}/correct"
    return await caller.post(B, path, body, CommandResult, idempotency_key=key)


async def send_programme(
    caller: ServiceCaller, programme_id: str, body: SendProgrammeBody, key: str | None
) -> CommandResult:
    path = f"/commands/programmes/{programme_id}/send"
    return await caller.post(B, path, body, CommandResult, idempotency_key=key)


ApprovalStep = Literal["submit", "approve", "reject"]


async def programme_approval(
    caller: ServiceCaller,
    step: ApprovalStep,
    programme_id: str,
    body: SubmitProgrammeBody | ApproveProgrammeBody | RejectProgrammeBody,
    key: str | None,
) -> CommandResult:
    """A programme's content submitted for approval, approved or rejected (ADR 0052)."""
    path = f"/commands/programmes/{programme_id}/{step}"
    return await caller.post(B, path, body, CommandResult, idempotency_key=key)


DeliveryStep = Literal["receive", "air", "fail"]


async def delivery_step(  # noqa: PLR0917 - the route's two ids, its body and key
    caller: ServiceCaller,
    step: DeliveryStep,
    programme_id: str,
    station_id: str,
    body: DeliveryStepBody,
    key: str | None,
) -> CommandResult:
    """A delivery received, aired or failed at a station."""
    path = f"/commands/deliveries/{programme_id}/{station_id}/{step}"
    return await caller.post(B, path, body, CommandResult, idempotency_key=key)


async def cancel_relay(caller: ServiceCaller, session_id: str, body: ReasonBody, key: str | None) -> CommandResult:
    path = f"/commands/relay-sessions/{session_id}/cancel"
    return await caller.post(B, path, body, CommandResult, idempotency_key=key)


async def configure_signal(caller: ServiceCaller, body: ConfigureSignalBody, key: str | None) -> CommandResult:
    return await caller.post(B, "/commands/signal/configure", body, CommandResult, idempotency_key=key)


async def record_outreach_session(
    caller: ServiceCaller, body: RecordOutreachSessionBody, key: str | None
) -> CommandResult:
    return await caller.post(B, "/commands/outreach/sessions/record", body, CommandResult, idempotency_key=key)


async def record_vehicle_trip(caller: ServiceCaller, body: RecordVehicleTripBody, key: str | None) -> CommandResult:
    return await caller.post(B, "/commands/outreach/vehicle-trips/record", body, CommandResult, idempotency_key=key)
