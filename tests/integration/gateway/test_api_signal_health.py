"""Signal health through the gateway only: a cluster down for an hour opens an incident the IOC
lists as open with its age; its signal back, the incident is closed, and the district's health
shows the outage in its MTTR and availability, in GraphQL and in REST alike."""

from __future__ import annotations

import datetime

from tests.integration.gateway.api_fixtures import REPORT_SIGNAL, build_province
from tests.integration.gateway.api_platform import Platform, platform

__all__ = ["platform"]

INCIDENTS = """query($open: Boolean, $first: Int, $after: String) {
  signalIncidents(unitCode: "061", open: $open, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { cursor node { id open cause ageSeconds closedAt cluster { id } station { id } } } } }"""
HEALTH = """query($period: Period!) {
  signalHealth(unitCode: "061", period: $period) {
    unit { code } clusters incidentsOpened incidentsClosed mttrSeconds availabilityPercent
    stations { station { id } incidentsClosed } } }"""


def ago(minutes: float) -> str:
    return (datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=minutes)).isoformat()


async def test_an_hour_long_outage_is_an_open_incident_then_a_closed_one_in_the_districts_mttr(
    platform: Platform,
) -> None:
    province = await build_province(platform, communes=2, villages=1)
    [cluster], [other] = (province.clusters[c] for c in province.communes)
    for which, minutes in ((cluster, 60), (other, 30)):
        signal = {"clusterId": which, "signal": "NO_SIGNAL", "observedAt": ago(minutes)}
        await platform.data(REPORT_SIGNAL, {"input": signal})

    async def both_open() -> dict[str, object] | None:
        page = (await platform.data(INCIDENTS, {"open": True}))["signalIncidents"]
        return page if page["totalCount"] == 2 else None

    opened = await platform.eventually(both_open)
    oldest = opened["edges"][0]["node"]
    assert oldest["open"] is True
    assert oldest["cluster"] == {"id": cluster}
    assert oldest["station"] == {"id": province.stations[province.communes[0]]}
    assert oldest["ageSeconds"] >= 3600 - 5

    first_page = (await platform.data(INCIDENTS, {"first": 1}))["signalIncidents"]
    assert first_page["totalCount"] == 2
    assert first_page["pageInfo"]["hasNextPage"] is True
    after = first_page["pageInfo"]["endCursor"]
    second_page = (await platform.data(INCIDENTS, {"first": 1, "after": after}))["signalIncidents"]
    assert [e["node"]["id"] for e in second_page["edges"]] == [opened["edges"][1]["node"]["id"]]
    assert second_page["pageInfo"]["hasNextPage"] is False

    await platform.data(REPORT_SIGNAL, {"input": {"clusterId": cluster, "signal": "ONLINE", "observedAt": ago(0)}})

    async def one_closed() -> dict[str, object] | None:
        page = (await platform.data(INCIDENTS, {"open": False}))["signalIncidents"]
        return page if page["totalCount"] == 1 else None

    closed = (await platform.eventually(one_closed))["edges"][0]["node"]
    assert (closed["id"], closed["open"]) == (oldest["id"], False)
    assert (await platform.data(INCIDENTS, {"open": True}))["signalIncidents"]["totalCount"] == 1

    year = str(datetime.datetime.now(datetime.UTC).year)
    health = (await platform.data(HEALTH, {"period": year}))["signalHealth"]
    assert health["unit"] == {"code": "061"}
    assert (health["clusters"], health["incidentsOpened"], health["incidentsClosed"]) == (2, 2, 1)
    assert health["mttrSeconds"] >= 3600 - 5
    assert 0 < health["availabilityPercent"] < 100

    rest = await platform.http.get(
        "/api/v1/signal/health", params={"unit_code": "061", "period": year}, headers=platform.auth("reader")
    )
    assert rest.status_code == 200, rest.text
    assert (rest.json()["incidents_closed"], rest.json()["mttr_seconds"]) == (1, health["mttrSeconds"])
    listed = await platform.http.get(
        "/api/v1/signal/incidents", params={"unit_code": "061", "open": "true"}, headers=platform.auth("reader")
    )
    assert listed.status_code == 200, listed.text
    assert listed.json()["total_count"] == 1
    assert [i["cluster_id"] for i in listed.json()["incidents"]] == [other.split(":", 1)[1]]
    unknown = await platform.http.get(
        "/api/v1/signal/incidents", params={"unit_code": "999"}, headers=platform.auth("reader")
    )
    assert (unknown.status_code, unknown.json()["code"]) == (404, "unknown_unit")
