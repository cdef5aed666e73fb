"""Broadcast's table of the authorization matrix (``authz-matrix-broadcast`` in
docs/services/gateway-security.md), cell by cell, through /graphql (``authz_support``)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from tests.integration.gateway.api_platform import Platform
from tests.integration.gateway.authz_support import CALLERS, Cell, Targets, build_targets, check_table, matrix_platform

__all__ = ["matrix_platform"]

SIGNAL = "mutation($input: ReportClusterSignalInput!) { reportClusterSignal(input: $input) { id } }"
PROGRAMME = "mutation($input: RecordProgrammeInput!) { recordProgramme(input: $input) { id } }"
RELAY = "mutation($input: RecordRelayInput!) { recordRelay(input: $input) { id } }"
ISSUE = "mutation($input: IssueEmergencyAlertInput!) { issueEmergencyAlert(input: $input) { id } }"
ACK = "mutation($input: AcknowledgeEmergencyAlertInput!) { acknowledgeEmergencyAlert(input: $input) { id } }"
CANCEL_ALERT = "mutation($input: CancelEmergencyAlertInput!) { cancelEmergencyAlert(input: $input) { id } }"
CORRECT = "mutation($input: CorrectProgrammeInput!) { correctProgramme(input: $input) { id } }"
SEND = "mutation($input: SendProgrammeInput!) { sendProgramme(input: $input) { id } }"
APPROVAL = "mutation($input: {}ProgrammeInput!) {{ {}Programme(input: $input) {{ id approval }} }}"
STEP = "mutation($input: {}Input!) {{ {}(input: $input) {{ status }} }}"
CANCEL_RELAY = "mutation($input: CancelRelaySessionInput!) { cancelRelaySession(input: $input) { id } }"
OUTREACH = "mutation($input: RecordOutreachSessionInput!) { recordOutreachSession(input: $input) { id } }"
TRIP = "mutation($input: RecordVehicleTripInput!) { recordVehicleTrip(input: $input) { id } }"
ALERT = """query($id: ID!) { emergencyAlert(id: $id) {
  title stations { station { id } } recipients(first: 1) { totalCount edges { node { station { id } } } } } }"""
SILENT = "query($id: ID!) { unacknowledgedStations(alertId: $id, afterMinutes: 30) { stations { unitCode } } }"
SESSIONS = """query($s: ID) {
  relaySessions(stationId: $s, from: "2023-05-01", to: "2023-05-31") { edges { node { id } } } }"""
READS = {
    "emergencyAlerts (awaiting in Ba Bể as of 2023, with their area and recipients)": (
        '{ emergencyAlerts(unitCode: "061", awaitingAcknowledgement: true, asOf: "2023-01-01") '
        "{ totalCount edges { node { area { code } recipients { totalCount edges { node { station { id } } } } } } } }"
    ),
    "signalIncidents (Ba Bể's, with their clusters)": (
        '{ signalIncidents(unitCode: "061") { totalCount edges { node { cluster { id } } } } }'
    ),
    "signalHealth (Ba Bể's, per station)": (
        '{ signalHealth(unitCode: "061", period: "2023") { clusters stations { station { id } } } }'
    ),
    "deliveries (Ba Bể's, with station and programme)": (
        '{ deliveries(unitCode: "061") { totalCount edges { node { station { id } programme { title } } } } }'
    ),
    "relaySessions (Ba Bể's, with their stations)": (
        '{ relaySessions(unitCode: "061") { totalCount edges { node { station { id } } } } }'
    ),
    "outreachRecords (Ba Bể's, with their units)": (
        '{ outreachRecords(unitCode: "061") { totalCount edges { node { unit { code } } } } }'
    ),
    "outreach (Ba Bể's summary as of 2023, with its day counts)": (
        '{ outreach(unitCode: "061", period: "2023", asOf: "2023-01-01") '
        "{ sessions vehicleTrips dayCounts(first: 2) { totalCount edges { node { unitCode } } } } }"
    ),
    "programmeSummary (Ba Bể's as of 2023, with its unit)": (
        '{ programmeSummary(unitCode: "061", period: "2023", asOf: "2023-01-01") { programmes unit { code } } }'
    ),
    "airtimeOfUnit (Ba Bể's as of 2023, per child)": (
        '{ airtimeOfUnit(unitCode: "061", period: "2023", asOf: "2023-01-01") '
        "{ totalSeconds children { unitCode totalSeconds } } }"
    ),
}


DUE = (datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=2)).isoformat()
"""Deliveries fall due after the test: each stays pending, whatever the column does before it."""


def _read(query: str) -> Cell:
    return lambda i, t: (query, {})


def _programme(i: int, producer: str) -> dict[str, Any]:
    return {
        "title": f"Bản tin thời sự {producer}-{i}",
        "producerCode": producer,
        "airDate": "2023-03-01",
        "newsItems": 3,
        "articles": 1,
        "durationSeconds": 900,
    }


CELLS: dict[str, Cell] = {
    "programmes (Ba Bể's as of 2023)": lambda i, t: (
        '{ programmes(producerCode: "061", asOf: "2023-01-01") { totalCount } }',
        {},
    ),
    "reportClusterSignal (VNPT's cluster)": lambda i, t: (
        SIGNAL,
        {"input": {"clusterId": t.cluster, "signal": "NO_SIGNAL", "observedAt": f"2023-03-0{i + 1}T08:00:00+07:00"}},
    ),
    "recordProgramme (producer Ba Bể)": lambda i, t: (PROGRAMME, {"input": _programme(i, "061")}),
    "recordRelay (VNPT's station)": lambda i, t: (
        RELAY,
        {
            "input": {
                "stationId": t.station,
                "source": "VOV1",
                "startedAt": f"2023-04-0{i + 1}T05:00:00+07:00",
                "endedAt": f"2023-04-0{i + 1}T06:00:00+07:00",
            }
        },
    ),
    "recordProgramme (Pác Nặm)": lambda i, t: (PROGRAMME, {"input": _programme(i, "062")}),
    **{label: _read(query) for label, query in READS.items()},
    "emergencyAlert (a Bành Trạch alert, with its stations and recipients)": lambda i, t: (
        ALERT,
        {"id": made(t).alerts[0]},
    ),
    "unacknowledgedStations (a Bành Trạch alert)": lambda i, t: (SILENT, {"id": made(t).alerts[0]}),
    "issueEmergencyAlert (area Bành Trạch)": lambda i, t: (ISSUE, {"input": _alert(i)}),
    "acknowledgeEmergencyAlert (VNPT's station)": lambda i, t: (
        ACK,
        {"input": {"alertId": made(t).alerts[i], "stationId": t.station}},
    ),
    "cancelEmergencyAlert (a Bành Trạch alert)": lambda i, t: (
        CANCEL_ALERT,
        {"input": {"alertId": made(t).alerts[i], "reason": "Diễn tập kết thúc"}},
    ),
    "correctProgramme (Ba Bể's)": lambda i, t: (
        CORRECT,
        {"input": {"programmeId": made(t).received[0], "reason": "Sửa tiêu đề", "title": f"Bản tin (sửa {i})"}},
    ),
    "sendProgramme (Ba Bể's, to VNPT's station)": lambda i, t: (
        SEND,
        {"input": {"programmeId": made(t).unsent[i], "stationIds": [t.station], "dueAt": DUE}},
    ),
    "submitProgramme (a draft of Ba Bể)": lambda i, t: (
        APPROVAL.format("Submit", "submit"),
        {"input": {"programmeId": made(t).drafts[i]}},
    ),
    "approveProgramme (Ba Bể's, submitted)": lambda i, t: (
        APPROVAL.format("Approve", "approve"),
        {"input": {"programmeId": made(t).submitted[i]}},
    ),
    "rejectProgramme (Ba Bể's, submitted)": lambda i, t: (
        APPROVAL.format("Reject", "reject"),
        {"input": {"programmeId": made(t).to_reject[i], "reason": "Sai số liệu"}},
    ),
    "receiveDelivery (at VNPT's station)": lambda i, t: (
        STEP.format("ReceiveDelivery", "receiveDelivery"),
        {"input": {"programmeId": made(t).received[i], "stationId": t.station}},
    ),
    "airDelivery (at VNPT's station)": lambda i, t: (
        STEP.format("AirDelivery", "airDelivery"),
        {"input": {"programmeId": made(t).received[i], "stationId": t.station}},
    ),
    "failDelivery (at VNPT's station)": lambda i, t: (
        STEP.format("FailDelivery", "failDelivery"),
        {"input": {"programmeId": made(t).failed[i], "stationId": t.station, "reason": "Mất điện"}},
    ),
    "cancelRelaySession (VNPT's station)": lambda i, t: (
        CANCEL_RELAY,
        {"input": {"sessionId": made(t).sessions[i], "reason": "Ghi nhầm"}},
    ),
    "recordOutreachSession (Bành Trạch)": lambda i, t: (
        OUTREACH,
        {"input": {"unitCode": "06100", "heldOn": f"2023-06-0{i + 1}", "topic": "Chuyển đổi số"}},
    ),
    "recordVehicleTrip (Pác Nặm)": lambda i, t: (
        TRIP,
        {"input": {"unitCode": "06200", "madeOn": f"2023-06-0{i + 1}", "route": "Bộc Bố"}},
    ),
}


@dataclass(frozen=True)
class Made:
    """What ``build_area_targets`` made, per column (``Targets.broadcast``)."""

    alerts: list[str]
    received: list[str]
    """Programmes sent to VNPT's station, to be received and aired."""
    failed: list[str]
    """Programmes sent to VNPT's station, to fail there."""
    unsent: list[str]
    drafts: list[str]
    """Programmes recorded as drafts, to be submitted."""
    submitted: list[str]
    """Drafts submitted, to be approved."""
    to_reject: list[str]
    """Drafts submitted, to be rejected."""
    sessions: list[str]


def made(targets: Targets) -> Made:
    found = getattr(targets, "broadcast", None)
    assert isinstance(found, Made), "build_area_targets has not run"
    return found


def _alert(i: int) -> dict[str, Any]:
    return {
        "unitCode": "06100",
        "category": "DISASTER",
        "priority": "HIGH",
        "title": f"Lũ quét {i}",
        "message": "Sơ tán khỏi ven suối.",
        "expiresAt": DUE,
    }


async def build_area_targets(platform: Platform, targets: Targets) -> None:
    """Per column: an alert to Bành Trạch, a programme sent to VNPT's station there to receive
    and air, one to fail, one not sent yet, and a relay session of the station. Made by the admin
    once the broadcast service knows the station (its view of the registry follows the log)."""

    async def station_known() -> bool:
        result = await platform.graphql('{ signalHealth(unitCode: "06100", period: "2023") { stations { unitCode } } }')
        return not result.get("errors") and len(result["data"]["signalHealth"]["stations"]) == 1

    await platform.eventually(station_known)
    columns = range(len(CALLERS))
    alerts = [(await platform.data(ISSUE, {"input": _alert(i)}))["issueEmergencyAlert"]["id"] for i in columns]
    programmes: dict[str, list[str]] = {
        "received": [], "failed": [], "unsent": [], "drafts": [], "submitted": [], "to_reject": [],
    }  # fmt: skip
    for kind, found in programmes.items():
        draft = kind in ("drafts", "submitted", "to_reject")
        for i in columns:
            programme = _programme(i, "061") | {"title": f"{kind} {i}", "draft": draft}
            found.append((await platform.data(PROGRAMME, {"input": programme}))["recordProgramme"]["id"])
            if kind in ("received", "failed"):
                send = {"programmeId": found[-1], "stationIds": [targets.station], "dueAt": DUE}
                await platform.data(SEND, {"input": send})
            elif kind in ("submitted", "to_reject"):
                await platform.data(APPROVAL.format("Submit", "submit"), {"input": {"programmeId": found[-1]}})
    for i in columns:
        relay = {"stationId": targets.station, "source": "VOV1", "startedAt": f"2023-05-0{i + 1}T05:00:00+07:00",
                 "endedAt": f"2023-05-0{i + 1}T06:00:00+07:00"}  # fmt: skip
        await platform.data(RELAY, {"input": relay})

    async def sessions() -> list[str] | None:
        edges = (await platform.data(SESSIONS, {"s": targets.station}))["relaySessions"]["edges"]
        return [e["node"]["id"] for e in edges] if len(edges) == len(CALLERS) else None

    area = Made(alerts=alerts, **programmes, sessions=await platform.eventually(sessions))
    setattr(targets, "broadcast", area)  # noqa: B010 - Targets leaves an area's own targets to the area


# --- what a mutation's result shows a writer without ``read`` (test_authz_matrix.py) ---------

NESTED: dict[str, dict[str, str]] = {
    "Programme": {"producer": "producer { code }", "deliveries": "deliveries { status }"},
    "EmergencyAlert": {
        "area": "area { code }",
        "stations": "stations { station { id } }",
        "recipients": "recipients { edges { node { station { id } } } }",
    },
    "Delivery": {"station": "station { id }", "programme": "programme { title }"},
    "RelaySession": {"station": "station { id }", "programme": "programme { title }"},
    "OutreachRecord": {"unit": "unit { code }"},
}
"""Every field of a result type that reaches past the written row: each needs ``read``."""

OWN = {("Programme", "approvalHistory")}
"""A programme's approval steps are the programme's own, shown to its writer."""

DIRECT = {
    "Programme": "id title airDate newsItems articles durationSeconds segments corrections priority approval",
    "EmergencyAlert": "id title stationCount acknowledgedCount awaitingCount",
    "Delivery": "status timeliness unitCode dueAt",
    "RelaySession": "id source startedAt cancelled",
    "OutreachRecord": "id kind onDate topic",
}


async def test_every_broadcast_operation_is_allowed_or_refused_as_the_matrix_specifies(
    matrix_platform: Platform,
) -> None:
    targets = await build_targets(matrix_platform)
    await build_area_targets(matrix_platform, targets)
    await check_table(matrix_platform, "authz-matrix-broadcast", CELLS, targets)
