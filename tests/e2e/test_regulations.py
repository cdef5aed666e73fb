"""Issue #22's rules on ``tinhso up`` as a province runs it: a subprocess, real ports, the
embedded PostgreSQL and broker, and partners that reach it through the gateway only (GraphQL
and ``/api/v1``). One platform serves the module: each test works on its own records of one
province (06 → Ba Bể 061 → three communes, a station and a cluster in two of them)."""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from contracts.province import PROVINCE_TZ
from services.gateway.security.partners import Partner
from tests.e2e.partner_gateway import (
    APPROVE,
    DISTRICT,
    PARTNERS,
    QUARTER,
    REGISTER_UNIT,
    REOPEN,
    REPORT,
    STATUS,
    VALUES,
    Gateway,
    eventually,
    partner_keys,
)
from tests.e2e.platform_process import PlatformProcess

# The platform's start is part of the first test: an initdb and seven processes importing.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]

READY_SECONDS = 240
"""A loaded machine: the platform's readiness deadline is not what these tests are about."""

COMMUNES = ("06100", "06101", "06102")
ON_AIR = ("06100", "06101")
"""The communes with a station (and a cluster in their village)."""

REGULATION_PARTNERS = {
    **PARTNERS,
    "source": Partner(name="e2e-htttn-tinh", scopes=frozenset({"source:link"})),
    "head": Partner(
        name="e2e-ttvh-ba-be-head",
        scopes=frozenset({"read", "broadcast:write", "broadcast:approve", "registry:write"}),
        unit_code=DISTRICT,
    ),
}
"""The provincial source-information system, and Ba Bể's culture and media centre head, who
approves the district's programmes and looks after its stations and teams."""

REGISTER_STATION = """mutation($input: RegisterRadioStationInput!) { registerRadioStation(input: $input) { id } }"""
REGISTER_CLUSTER = """mutation($input: RegisterSpeakerClusterInput!) { registerSpeakerCluster(input: $input) { id } }"""


@dataclass
class Province:
    platform: PlatformProcess
    gateway: Gateway
    stations: dict[str, str] = field(default_factory=dict)
    """Global station id by commune."""
    clusters: dict[str, str] = field(default_factory=dict)
    """Global cluster id by commune."""


@pytest.fixture(scope="module")
def province(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Province]:
    state = tmp_path_factory.mktemp("regulations") / "state"
    env = {"TINHSO_READY_TIMEOUT_SECONDS": str(READY_SECONDS), "TINHSO_INCIDENT_ACK_DEADLINE_MINUTES": "0.05"}
    platform = PlatformProcess(state, env)
    try:
        platform.start()
        platform.wait_ready(timeout=READY_SECONDS)
        gateway = Gateway(platform, partner_keys(platform.database_url(), REGULATION_PARTNERS))
        found = Province(platform, gateway)
        units = [("06", "Tỉnh Bắc Kạn", "PROVINCE", None), (DISTRICT, "Huyện Ba Bể", "DISTRICT", "06")]
        units += [(c, f"Xã {c}", "COMMUNE", DISTRICT) for c in COMMUNES]
        units += [(f"{c}-V0", f"Thôn {c}", "VILLAGE", c) for c in ON_AIR]
        for code, name, level, parent in units:
            unit = {"code": code, "name": name, "level": level, "parentCode": parent, "validFrom": "2020-01-01"}
            gateway.data("admin", REGISTER_UNIT, {"input": unit})
        for commune in ON_AIR:
            station = {"unitCode": commune, "technology": "IP", "installedOn": "2022-01-01"}
            found.stations[commune] = gateway.data("admin", REGISTER_STATION, {"input": station})[
                "registerRadioStation"
            ]["id"]
            cluster = {"stationId": found.stations[commune], "villageCode": f"{commune}-V0"}
            found.clusters[commune] = gateway.data("admin", REGISTER_CLUSTER, {"input": cluster})[
                "registerSpeakerCluster"
            ]["id"]
        yield found
        gateway.http.close()
        assert platform.stop() == 0
    finally:
        platform.kill_everything()


def _raw(global_id: str) -> str:
    return global_id.split(":", 1)[1]


def _created(response: Any) -> dict[str, Any]:
    assert response.status_code == 201, f"{response.request.url}: {response.status_code} {response.text}"
    answer: dict[str, Any] = response.json()
    return answer


# --- broadcasting: a bulletin from the provincial system ----------------------------------

ADD_SLOT = "mutation($i: AddScheduleSlotInput!) { addScheduleSlot(input: $i) { slots { slotId } } }"
APPROVE_PROGRAMME = "mutation($i: ApproveProgrammeInput!) { approveProgramme(input: $i) { approval priority } }"
SCHEDULE = """query($station: ID!, $period: Period!) {
  stationSchedule(stationId: $station, period: $period) { interruptions { bulletinKind bulletinId } } }"""
RELAYS = "mutation($i: [RecordRelayInput!]!) { recordRelaySessions(input: $i) { accepted rejected } }"
ADHERENCE = """query($period: Period!) { scheduleAdherence(unitCode: "061", period: $period) {
  plannedMinutes airedMinutes airedInScheduleMinutes sessionsOutsideSchedule interruptionCount } }"""
SIGNALS = "mutation($i: [ReportClusterSignalInput!]!) { reportClusterSignals(input: $i) { accepted rejected } }"
INCIDENTS = """query($status: IncidentStatus!) { signalIncidents(unitCode: "061", status: $status) {
  edges { node { id cluster { id } assigneeCode resolutionCause } } } }"""
ASSIGN = "mutation($i: AssignIncidentInput!) { assignIncident(input: $i) { assigneeKind assigneeCode } }"
RESOLVE = "mutation($i: ResolveIncidentInput!) { resolveIncident(input: $i) { resolutionCause } }"


def _send_bulletin(gateway: Gateway, body: dict[str, Any]) -> Any:
    """Sent again while the broadcast service answers ``unknown_unit``: its view of the registry
    follows the log."""

    def answered() -> Any:
        response = gateway.rest("source", "/source-bulletins", body)
        unknown = response.status_code == 404 and response.json().get("code") == "unknown_unit"
        return None if unknown else response

    return eventually(answered)


def _planned_minutes(month: datetime.date, since: datetime.date, weekdays: set[int], stations: int) -> int:
    """All-day weekly slots on ``weekdays`` from ``since``, on the month's days."""
    days = calendar.monthrange(month.year, month.month)[1]
    on = [month.replace(day=d) for d in range(1, days + 1)]
    return stations * 24 * 60 * sum(1 for day in on if day >= since and day.isoweekday() in weekdays)


def _minutes_inside(start: datetime.datetime, end: datetime.datetime, month: datetime.date) -> int:
    first = datetime.datetime.combine(month.replace(day=1), datetime.time(), PROVINCE_TZ)
    after = (first + datetime.timedelta(days=32)).replace(day=1)
    return int((min(end, after) - max(start, first)).total_seconds()) // 60


def test_a_bulletin_airs_pre_empting_schedules_comes_back_and_a_silent_cluster_is_handled(
    province: Province,
) -> None:
    """Issue #22's first "Done when" on the running platform: a bulletin from the provincial
    source-information system (REST, ``source:link``) is a programme of emergency priority
    waiting for approval; sending it before is refused; Ba Bể's centre head approves it, sends
    it to the district's stations, which receive and air it, each pre-empting the slot on air
    in its schedule; the aired results go back to the sender (the pull endpoint). The
    district's airtime against its schedule counts the relay inside the slots and the
    interruptions. A cluster that goes offline opens an incident; left unacknowledged past the
    deadline it is escalated to the operations centre on the live feed; the head assigns it to
    its commune and resolves it with a cause."""
    gateway = province.gateway
    stations = [province.stations[c] for c in ON_AIR]
    now = datetime.datetime.now(PROVINCE_TZ)
    today = now.date()
    since = today - datetime.timedelta(days=7)
    relay = (now - datetime.timedelta(minutes=40), now - datetime.timedelta(minutes=10))
    weekdays = {today.isoweekday(), relay[0].date().isoweekday()}
    for station in stations:  # relay slots on air all day on these weekdays
        for weekday in weekdays:
            slot = {"stationId": station, "weekday": weekday, "starts": "00:00", "ends": "24:00",
                    "kind": "RELAY", "source": "VOV1", "validFrom": since.isoformat()}  # fmt: skip
            gateway.data("head", ADD_SLOT, {"i": slot})

    body = {"bulletin_id": "E2E-BAO-12", "unit_code": DISTRICT, "title": "Bản tin phòng chống bão số 12",
            "air_date": today.isoformat(), "duration_seconds": 300, "news_items": 1, "articles": 0,
            "priority": "emergency"}  # fmt: skip
    [programme_id] = _created(_send_bulletin(gateway, body))["ids"]
    send = {"station_ids": [_raw(s) for s in stations], "due_at": (now + datetime.timedelta(minutes=30)).isoformat()}
    early = gateway.rest("head", f"/programmes/{programme_id}/send", send)
    assert (early.status_code, early.json()["code"]) == (409, "programme_not_approved"), early.text
    approved = gateway.data("head", APPROVE_PROGRAMME, {"i": {"programmeId": f"Programme:{programme_id}"}})
    assert approved["approveProgramme"] == {"approval": "APPROVED", "priority": "EMERGENCY"}

    _created(gateway.rest("head", f"/programmes/{programme_id}/send", send))
    for station in stations:
        _created(gateway.rest("head", f"/deliveries/{programme_id}/{_raw(station)}/receive", {}))
        _created(gateway.rest("head", f"/deliveries/{programme_id}/{_raw(station)}/air", {}))

    month = today.strftime("%Y-%m")

    def interrupted() -> list[list[dict[str, Any]]] | None:
        found = [
            gateway.data("admin", SCHEDULE, {"station": s, "period": month})["stationSchedule"]["interruptions"]
            for s in stations
        ]
        return found if all(found) else None

    for interruptions in eventually(interrupted):
        assert interruptions == [{"bulletinKind": "DELIVERY", "bulletinId": programme_id}]

    def aired_results() -> list[dict[str, Any]] | None:
        page = gateway.get("source", "/source-bulletins/results", {"since": 0})
        assert page.status_code == 200, page.text
        results: list[dict[str, Any]] = page.json()["results"]
        return results if sum(r["status"] == "aired" for r in results) == len(stations) else None

    results = eventually(aired_results)
    assert {r["bulletin_id"] for r in results} == {"E2E-BAO-12"}
    assert sorted((r["station_id"], r["status"]) for r in results) == sorted(
        (_raw(s), status) for s in stations for status in ("delivered", "received", "aired")
    )

    # Half an hour of VOV1 relayed at the first station, inside its slot.
    session = {"stationId": stations[0], "source": "VOV1", "startedAt": relay[0].isoformat(),
               "endedAt": relay[1].isoformat()}  # fmt: skip
    assert gateway.data("head", RELAYS, {"i": [session]})["recordRelaySessions"] == {"accepted": 1, "rejected": 0}
    aired = _minutes_inside(*relay, today)
    expected = {
        "plannedMinutes": _planned_minutes(today, since, weekdays, len(stations)),
        "airedMinutes": aired,
        "airedInScheduleMinutes": aired,
        "sessionsOutsideSchedule": 0,
        "interruptionCount": len(stations),
    }

    def adherence() -> dict[str, Any] | None:
        found: dict[str, Any] = gateway.data("admin", ADHERENCE, {"period": month})["scheduleAdherence"]
        return found if found["airedMinutes"] == aired else None

    assert eventually(adherence) == expected

    # The first station's cluster went offline two hours ago: past the silence threshold.
    cursor = gateway.data("admin", "{ liveCursor }")["liveCursor"]
    cluster = province.clusters[ON_AIR[0]]
    offline = {"clusterId": cluster, "signal": "OFFLINE",
               "observedAt": (now - datetime.timedelta(hours=2)).isoformat()}  # fmt: skip
    assert gateway.data("head", SIGNALS, {"i": [offline]})["reportClusterSignals"] == {"accepted": 1, "rejected": 0}

    def opened() -> str | None:
        edges = gateway.data("admin", INCIDENTS, {"status": "OPEN"})["signalIncidents"]["edges"]
        return next((e["node"]["id"] for e in edges if e["node"]["cluster"]["id"] == cluster), None)

    incident = eventually(opened)
    # Nobody acknowledged it within the deadline (3 s here): the operations centre is alerted.
    [escalated] = gateway.feed(cursor, 1, ("broadcast.incident_escalated",))
    assert escalated["unitCode"] == ON_AIR[0]
    assert escalated["data"]["incident_id"] == _raw(incident)
    assign = {"incidentId": incident, "assigneeKind": "UNIT", "assigneeCode": ON_AIR[0]}
    assigned = gateway.data("head", ASSIGN, {"i": assign})["assignIncident"]
    assert assigned == {"assigneeKind": "UNIT", "assigneeCode": ON_AIR[0]}
    resolve = {"incidentId": incident, "cause": "POWER_OUTAGE", "note": "mất điện lưới"}
    resolved = gateway.data("head", RESOLVE, {"i": resolve})["resolveIncident"]
    assert resolved == {"resolutionCause": "POWER_OUTAGE"}
    listed = gateway.data("admin", INCIDENTS, {"status": "RESOLVED"})["signalIncidents"]["edges"]
    assert [(e["node"]["id"], e["node"]["assigneeCode"], e["node"]["resolutionCause"]) for e in listed] == [
        (incident, ON_AIR[0], "POWER_OUTAGE")
    ]


# --- reporting: data approval, unit groups, timeliness, active teams -----------------------


def test_a_districts_quarter_is_submitted_approved_locked_refused_and_reopened(province: Province) -> None:
    """Issue #22's "Done when", ADR 0055: Ba Bể's centre reports its telecom figures for a
    quarter and submits them, approves them as their district; the province's approval locks
    them; a correction is refused with 409 and a code; the province reopens them with a reason
    and the correction is accepted. Only through the gateway (GraphQL and ``/api/v1``); every
    step is on the live feed."""
    gateway = province.gateway
    for code, value in VALUES.items():
        variables = {"input": {"indicatorCode": code, "unitCode": DISTRICT, "period": QUARTER, "value": value}}
        gateway.report_when_known("centre", variables)
    cursor = gateway.data("admin", "{ liveCursor }")["liveCursor"]
    key = {"indicator_set": "telecom", "unit_code": DISTRICT, "period": QUARTER}
    graph_key = {"indicatorSet": "telecom", "unitCode": DISTRICT, "period": QUARTER}

    # The centre submits (REST), then approves as the district (GraphQL); the province's
    # approval (REST) locks the quarter.
    submitted = gateway.rest("centre", "/approvals/submit", key)
    assert (submitted.status_code, submitted.json()["status"]) == (200, "submitted"), submitted.text
    early = gateway.rest("province", "/approvals/approve", {**key, "level": "province"})
    assert (early.status_code, early.json()["code"]) == (409, "approval_out_of_order"), early.text
    district = gateway.data("centre", APPROVE, {"input": {**graph_key, "level": "DISTRICT"}})["approveData"]
    assert district["status"] == "DISTRICT_APPROVED"
    not_theirs = gateway.rest("centre", "/approvals/approve", {**key, "level": "province"})
    assert (not_theirs.status_code, not_theirs.json()["code"]) == (403, "approval_step_not_yours")
    locked = gateway.rest("province", "/approvals/approve", {**key, "level": "province"})
    assert (locked.status_code, locked.json()["status"]) == (200, "locked"), locked.text
    status = gateway.data("admin", STATUS, {"period": QUARTER})["dataApproval"]
    assert status["status"] == "LOCKED"
    assert [(s["step"], s["by"]) for s in status["steps"]] == [
        ("SUBMITTED", "partner:e2e-ba-be"),
        ("DISTRICT_APPROVED", "partner:e2e-ba-be"),
        ("PROVINCE_APPROVED", "partner:e2e-so-tt"),
        ("LOCKED", None),
    ]

    # A correction of a locked value: 409 with a code, on REST and GraphQL alike.
    correction = {"indicator_code": "telecom.fibre_km", "unit_code": DISTRICT, "period": QUARTER, "value": 415.0}
    refused = gateway.rest("centre", "/indicator-values/report", correction)
    assert (refused.status_code, refused.json()["code"]) == (409, "data_locked"), refused.text
    variables = {"input": {"indicatorCode": "telecom.fibre_km", "unitCode": DISTRICT, "period": QUARTER, "value": 415}}
    [error] = gateway.graphql("centre", REPORT, variables)["errors"]
    assert error["extensions"]["code"] == "DATA_LOCKED"

    # Reopened by the province with a reason: the correction is accepted.
    reason = "Chiều dài cáp quang quý III báo cáo thiếu tuyến Chợ Rã"
    reopened = gateway.data("province", REOPEN, {"input": {**graph_key, "reason": reason}})["reopenData"]
    assert reopened["status"] == "OPEN"
    assert reopened["steps"][-1] == {"step": "REOPENED", "reason": reason}
    accepted = gateway.rest("centre", "/indicator-values/report", correction)
    assert accepted.status_code == 200, accepted.text

    # Every step went out on the live feed, in order (one stream).
    events = gateway.feed(cursor, 5)
    assert [e["type"] for e in events] == [
        "metrics.data_submitted",
        "metrics.data_approved",
        "metrics.data_approved",
        "metrics.data_locked",
        "metrics.data_reopened",
    ]
    assert {e["unitCode"] for e in events} == {DISTRICT}
    assert [e["data"].get("level") for e in events[1:3]] == ["district", "province"]


CREATE_GROUP = "mutation($input: CreateUnitGroupInput!) { createUnitGroup(input: $input) { code } }"
ADD_MEMBER = "mutation($input: AddUnitGroupMemberInput!) { addUnitGroupMember(input: $input) { code } }"
DEFINE = "mutation($input: DefineIndicatorsInput!) { defineIndicators(input: $input) { code } }"
GROUP_READS = """query($code: String!, $group: String!) {
  ranking(indexCode: $code, period: "2023", level: COMMUNE, group: $group) { rank score unit { code } }
  completeness(codes: [$code], period: "2023", level: COMMUNE, group: $group) {
    edges { node { expected reported missing { code } } } }
}"""


def _define(gateway: Gateway, code: str, **extra: Any) -> None:
    definition = {"code": code, "nameVi": "Chỉ tiêu", "nameEn": "Indicator", "unit": "%", "kind": "STOCK",
                  "rollup": "AVERAGE", "method": "REPORTED", "group": "e2e", **extra}  # fmt: skip
    gateway.data("admin", DEFINE, {"input": {"indicators": [definition]}})


def test_a_unit_group_s_ranking_and_completeness_through_the_gateway(province: Province) -> None:
    """Issue #22, unit groups (ADR 0056): a partner defines a group of two of the three
    communes through the running gateway; the ranking and the completeness scoped to the group
    show its members only, as the metrics service learned them from the registry's events."""
    gateway = province.gateway
    gateway.data("admin", CREATE_GROUP, {"input": {"code": "PILOT", "name": "Xã thí điểm"}})
    for member in COMMUNES[:2]:
        membership = {"groupCode": "PILOT", "unitCode": member, "joinedOn": "2023-01-01"}
        gateway.data("admin", ADD_MEMBER, {"input": membership})
    indicator = "e2e.groups"
    _define(gateway, indicator)
    for unit_code, value in ((COMMUNES[0], 70.0), (COMMUNES[2], 95.0)):  # the second is outside the group
        variables = {"input": {"indicatorCode": indicator, "unitCode": unit_code, "period": "2023", "value": value}}
        gateway.report_when_known("admin", variables)

    def grouped() -> dict[str, Any] | None:
        found = gateway.data("admin", GROUP_READS, {"code": indicator, "group": "PILOT"})
        [complete] = [e["node"] for e in found["completeness"]["edges"]]
        return found if (complete["expected"], complete["reported"]) == (2, 1) else None

    found = eventually(grouped)
    [complete] = [e["node"] for e in found["completeness"]["edges"]]
    assert complete == {"expected": 2, "reported": 1, "missing": [{"code": COMMUNES[1]}]}
    assert found["ranking"] == [{"rank": 1, "score": 70.0, "unit": {"code": COMMUNES[0]}}]


TIMELINESS = """query($period: Period!) {
  reportingTimeliness(codes: ["e2e.timely"], period: $period, level: COMMUNE, parentCode: "061") {
    edges { node { deadline expected onTime timelinessRate completenessRate
                   late { daysLate unit { code } } missing { code } } } } }"""


def test_reports_are_on_time_late_or_missing_against_the_indicator_s_deadline(province: Province) -> None:
    """Issue #22, deadlines and timeliness: an indicator reported by communes is due 30 days
    after each period. Reported today, this year's report is on time; 2020's (due on
    2021-01-30) is late by the days since; the communes that did not report are missing."""
    gateway = province.gateway
    _define(gateway, "e2e.timely", reportingDeadlineDays=30)
    today = datetime.datetime.now(PROVINCE_TZ).date()
    this_year = str(today.year)
    for period in (this_year, "2020"):
        variables = {"input": {"indicatorCode": "e2e.timely", "unitCode": COMMUNES[0], "period": period, "value": 80}}
        gateway.report_when_known("admin", variables)

    def timeliness(period: str) -> dict[str, Any]:
        [edge] = gateway.data("admin", TIMELINESS, {"period": period})["reportingTimeliness"]["edges"]
        node: dict[str, Any] = edge["node"]
        return node

    current = timeliness(this_year)
    assert current["deadline"] == f"{today.year + 1}-01-30"
    assert (current["expected"], current["onTime"], current["late"]) == (3, 1, [])
    assert [m["code"] for m in current["missing"]] == list(COMMUNES[1:])
    assert current["timelinessRate"] == pytest.approx(100 / 3)
    late = timeliness("2020")
    assert (late["deadline"], late["expected"], late["onTime"]) == ("2021-01-30", 3, 0)
    assert late["late"] == [{"daysLate": (today - datetime.date(2021, 1, 30)).days, "unit": {"code": COMMUNES[0]}}]
    assert (late["timelinessRate"], late["completenessRate"]) == (0, pytest.approx(100 / 3))


ESTABLISH = "mutation($input: EstablishDigitalTeamInput!) { establishDigitalTeam(input: $input) { id } }"
REPORT_ACTIVITY = """mutation($input: ReportDigitalTeamActivityInput!) {
  reportDigitalTeamActivity(input: $input) { activityStatus } }"""
TEAMS = """query($period: Period!, $asOf: Date!) {
  indicatorValues(codes: ["teams.commune", "teams.commune.active", "teams.active_share"], period: $period,
                  level: DISTRICT, parentCode: "06", asOf: $asOf) { indicator { code } unit { code } value } }"""


def test_a_team_on_paper_shows_beside_an_active_one(province: Province) -> None:
    """Issue #22, active teams: of Ba Bể's two commune digital teams, one reported activity
    ten days ago and the other never did. The district has two teams, one active: the
    computed indicators show the paper team."""
    gateway = province.gateway
    teams = []
    for commune in COMMUNES[1:]:
        team = {"unitCode": commune, "level": "COMMUNE", "establishedOn": "2022-01-01", "memberCount": 5}
        teams.append(gateway.data("head", ESTABLISH, {"input": team})["establishDigitalTeam"]["id"])
    today = datetime.datetime.now(PROVINCE_TZ).date()
    activity = {"teamId": teams[0], "reportedOn": (today - datetime.timedelta(days=10)).isoformat(), "sessions": 2}
    reported = gateway.data("head", REPORT_ACTIVITY, {"input": activity})["reportDigitalTeamActivity"]
    assert reported == {"activityStatus": "ACTIVE"}

    def counted() -> dict[str, float] | None:
        values = gateway.data("admin", TEAMS, {"period": str(today.year), "asOf": today.isoformat()})
        found = {v["indicator"]["code"]: v["value"] for v in values["indicatorValues"] if v["unit"]["code"] == DISTRICT}
        return found if found.get("teams.commune") == 2 and found.get("teams.commune.active") == 1 else None

    assert eventually(counted) == {"teams.commune": 2, "teams.commune.active": 1, "teams.active_share": 50.0}
