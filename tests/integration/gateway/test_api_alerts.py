"""Emergency alerts through the gateway only: issued to a district, awaiting acknowledgement,
acknowledged station by station, the silent stations after N minutes, cancelled; GraphQL and
REST read the same alert, and a retried REST issue does not issue twice."""

from __future__ import annotations

import datetime
from typing import Any

from tests.integration.gateway.api_fixtures import build_province
from tests.integration.gateway.api_platform import Platform, platform
from tests.integration.gateway.broadcast_support import stations_known_to_broadcast

__all__ = ["platform"]

ALERT_FIELDS = """id title category priority stationCount acknowledgedCount cancelledAt
                  area { code } stations { unitCode acknowledgedAt station { id } }"""
ISSUE = f"mutation($i: IssueEmergencyAlertInput!) {{ issueEmergencyAlert(input: $i) {{ {ALERT_FIELDS} }} }}"
ACK = f"mutation($i: AcknowledgeEmergencyAlertInput!) {{ acknowledgeEmergencyAlert(input: $i) {{ {ALERT_FIELDS} }} }}"
CANCEL = "mutation($i: CancelEmergencyAlertInput!) { cancelEmergencyAlert(input: $i) { id cancelledAt } }"
AWAITING = """query($awaiting: Boolean!) {
  emergencyAlerts(unitCode: "061", awaitingAcknowledgement: $awaiting) {
    totalCount edges { node { id acknowledgedCount stations { station { id } acknowledgedAt } } } } }"""
SILENT = """query($id: ID!, $m: Float!) {
  unacknowledgedStations(alertId: $id, afterMinutes: $m) { complete stationCount stations { station { id } } } }"""


def expires() -> str:
    return (datetime.datetime.now(datetime.UTC) + datetime.timedelta(hours=6)).isoformat()


def flood_warning(title: str = "Lũ quét Ba Bể") -> dict[str, Any]:
    return {
        "unitCode": "061",
        "category": "DISASTER",
        "priority": "CRITICAL",
        "title": title,
        "message": "Sơ tán khỏi ven suối trước 18 giờ.",
        "expiresAt": expires(),
    }


async def test_an_alert_is_issued_awaited_acknowledged_by_every_station_and_cancelled(platform: Platform) -> None:
    province = await build_province(platform, communes=2, villages=1)
    await stations_known_to_broadcast(platform, province)
    first, second = (province.stations[c] for c in province.communes)

    issued = (await platform.data(ISSUE, {"i": flood_warning()}))["issueEmergencyAlert"]
    assert issued["area"] == {"code": "061"}
    assert (issued["category"], issued["priority"]) == ("DISASTER", "CRITICAL")
    assert issued["stationCount"] == 2
    assert issued["acknowledgedCount"] == 0
    assert sorted(s["station"]["id"] for s in issued["stations"]) == sorted([first, second])

    awaiting = await platform.data(AWAITING, {"awaiting": True})
    assert awaiting["emergencyAlerts"]["totalCount"] == 1
    assert awaiting["emergencyAlerts"]["edges"][0]["node"]["id"] == issued["id"]

    acked = (await platform.data(ACK, {"i": {"alertId": issued["id"], "stationId": first}}))[
        "acknowledgeEmergencyAlert"
    ]
    assert acked["acknowledgedCount"] == 1
    silent = (await platform.data(SILENT, {"id": issued["id"], "m": 60.0}))["unacknowledgedStations"]
    assert silent == {"complete": False, "stationCount": 2, "stations": [{"station": {"id": second}}]}

    await platform.data(ACK, {"i": {"alertId": issued["id"], "stationId": second}})
    assert (await platform.data(AWAITING, {"awaiting": True}))["emergencyAlerts"] == {"totalCount": 0, "edges": []}
    every = (await platform.data(AWAITING, {"awaiting": False}))["emergencyAlerts"]
    assert every["totalCount"] == 1
    assert all(s["acknowledgedAt"] for s in every["edges"][0]["node"]["stations"])

    cancelled = await platform.data(CANCEL, {"i": {"alertId": issued["id"], "reason": "Nước đã rút"}})
    assert cancelled["cancelEmergencyAlert"]["cancelledAt"] is not None
    node = await platform.data("query($id: ID!) { node(id: $id) { id } }", {"id": issued["id"]})
    assert node["node"] == {"id": issued["id"]}


async def test_rest_issues_once_per_key_reads_the_same_alert_and_passes_refusals_on(platform: Platform) -> None:
    province = await build_province(platform, communes=1, villages=1)
    await stations_known_to_broadcast(platform, province)
    body = {"unit_code": "061", "category": "epidemic", "priority": "high", "title": "Sốt xuất huyết",
            "message": "Diệt lăng quăng.", "expires_at": expires()}  # fmt: skip
    headers = {**platform.auth(), "idempotency-key": "alert-2026-12-07"}
    first = await platform.http.post("/api/v1/alerts", json=body, headers=headers)
    again = await platform.http.post("/api/v1/alerts", json=body, headers=headers)
    assert first.status_code == again.status_code == 201, first.text
    assert again.json()["ids"] == first.json()["ids"]
    assert again.json()["replayed"] is True
    alert_id = first.json()["ids"][0]

    async def listed() -> dict[str, Any] | None:
        page = await platform.http.get("/api/v1/alerts", params={"unit_code": "061"}, headers=platform.auth("reader"))
        assert page.status_code == 200, page.text
        return page.json() if page.json()["total_count"] else None

    page = await platform.eventually(listed)
    assert [a["alert_id"] for a in page["alerts"]] == [alert_id]
    assert page["alerts"][0]["awaiting"] == 1
    one = await platform.http.get(f"/api/v1/alerts/{alert_id}", headers=platform.auth("reader"))
    assert one.json()["stations"][0]["station_id"] == first.json()["ids"][1]
    graphql = await platform.data(
        "query($id: ID!) { emergencyAlert(id: $id) { title stationCount } }", {"id": f"EmergencyAlert:{alert_id}"}
    )
    assert graphql["emergencyAlert"] == {"title": "Sốt xuất huyết", "stationCount": 1}

    refused = await platform.http.post("/api/v1/alerts", json=body, headers=platform.auth("reader"))
    assert (refused.status_code, refused.json()["code"]) == (403, "forbidden")
    unknown = await platform.http.get("/api/v1/alerts/no-such-alert", headers=platform.auth("reader"))
    assert (unknown.status_code, unknown.json()["code"]) == (404, "unknown_alert")
    bad = await platform.http.post("/api/v1/alerts", json={**body, "priority": "urgent"}, headers=platform.auth())
    assert bad.status_code == 400, bad.text
