"""The link to the source-information system through the gateway's ``/api/v1`` (ADR 0054): a
bulletin received once however often it is sent, refused with a code when it reuses an id or
breaks a rule (never a 500), distributed like any programme, and its results read back by its
sender page by page."""

from __future__ import annotations

import datetime
from typing import Any

from tests.integration.gateway.api_fixtures import build_province
from tests.integration.gateway.api_platform import Platform, platform
from tests.integration.gateway.source_link_support import SOURCE_SYSTEM, add_partner, bulletin, send_bulletin

__all__ = ["platform"]


def _raw(global_id: str) -> str:
    return global_id.split(":", 1)[1]


async def test_a_bulletin_goes_in_once_and_its_results_come_back_page_by_page(platform: Platform) -> None:
    await add_partner(platform, "source", SOURCE_SYSTEM)
    province = await build_province(platform, communes=2, villages=0)
    first = await send_bulletin(platform, "source", bulletin("BT-1"))
    assert first.status_code == 201, first.text
    [programme_id] = first.json()["ids"]
    again = await send_bulletin(platform, "source", bulletin("BT-1"))
    assert (again.status_code, again.json()["ids"], again.json()["event_ids"]) == (201, [programme_id], [])

    reused = await send_bulletin(platform, "source", bulletin("BT-1", title="Khác"))
    assert (reused.status_code, reused.json()["code"]) == (409, "bulletin_id_reused")
    refusals: list[tuple[dict[str, Any], int, str]] = [
        (bulletin("BT-2", priority="urgent"), 400, "invalid_request"),
        (bulletin("BT-3", duration_seconds=0), 400, "invalid_duration"),
        (bulletin("bad id"), 400, "invalid_request"),
        ({"bulletin_id": "BT-4"}, 400, "invalid_request"),
        (bulletin("BT-5", air_date="8/12/2026"), 400, "invalid_request"),
    ]
    for body, status, code in refusals:
        refused = await send_bulletin(platform, "source", body)
        assert (refused.status_code, refused.json()["code"]) == (status, code), (body, refused.text)
    not_json = await platform.http.post(
        "/api/v1/source-bulletins",
        content=b"{",
        headers={**platform.auth("source"), "content-type": "application/json"},
    )
    assert not_json.status_code == 400

    stations = [_raw(s) for s in province.stations.values()]
    due = (datetime.datetime.now(datetime.UTC) + datetime.timedelta(hours=2)).isoformat()
    admin = platform.auth("admin")
    # A bulletin comes in submitted: the district's approver (here the admin) approves it first.
    approved = await platform.http.post(f"/api/v1/programmes/{programme_id}/approve", json={}, headers=admin)
    assert approved.status_code == 201, approved.text
    sent = await platform.http.post(
        f"/api/v1/programmes/{programme_id}/send", json={"station_ids": stations, "due_at": due}, headers=admin
    )
    assert sent.status_code == 201, sent.text
    for station in stations:
        step = await platform.http.post(f"/api/v1/deliveries/{programme_id}/{station}/receive", json={}, headers=admin)
        assert step.status_code == 201, step.text

    async def four_results() -> bool:
        page = await platform.http.get("/api/v1/source-bulletins/results", headers=platform.auth("source"))
        return len(page.json()["results"]) == 4

    await platform.eventually(four_results, timeout=30)
    seen: list[dict[str, Any]] = []
    since = 0
    for _ in range(5):
        page = await platform.http.get(
            "/api/v1/source-bulletins/results", params={"since": since, "first": 3}, headers=platform.auth("source")
        )
        assert page.status_code == 200, page.text
        seen.extend(page.json()["results"])
        since = page.json()["next_since"]
        if not page.json()["has_more"]:
            break
    assert sorted((r["station_id"], r["status"]) for r in seen) == sorted(
        [(s, "delivered") for s in stations] + [(s, "received") for s in stations]
    )
    assert {(r["bulletin_id"], r["programme_id"], r["sender"]) for r in seen} == {("BT-1", programme_id, "htttn-tinh")}
    bad_page = await platform.http.get(
        "/api/v1/source-bulletins/results", params={"first": 0}, headers=platform.auth("source")
    )
    assert bad_page.status_code == 400

    # The same through /graphql: a bulletin in (again: nothing new), the results out page by page.
    receive = "mutation($i: ReceiveSourceBulletinInput!) { receiveSourceBulletin(input: $i) { programmeId recorded } }"
    graph_bulletin = {"bulletinId": "BT-G1", "unitCode": "061", "title": "Bản tin", "airDate": "2026-12-08",
                      "durationSeconds": 300, "newsItems": 1, "articles": 0, "priority": "EMERGENCY"}  # fmt: skip
    first_in = (await platform.data(receive, {"i": graph_bulletin}, who="source"))["receiveSourceBulletin"]
    again_in = (await platform.data(receive, {"i": graph_bulletin}, who="source"))["receiveSourceBulletin"]
    assert (first_in["recorded"], again_in) == (True, {**first_in, "recorded": False})
    reused_in = await platform.error(receive, {"i": {**graph_bulletin, "title": "Khác"}}, who="source")
    assert reused_in["extensions"]["code"] == "BULLETIN_ID_REUSED"
    results = """query($since: Int!) { sourceBulletinResults(since: $since, first: 3) {
      nextSince hasMore results { status stationId bulletinId } } }"""
    graph_seen: list[dict[str, Any]] = []
    since = 0
    while True:
        graph_page = (await platform.data(results, {"since": since}, who="source"))["sourceBulletinResults"]
        graph_seen.extend(graph_page["results"])
        since = graph_page["nextSince"]
        if not graph_page["hasMore"]:
            break
    assert sorted((r["stationId"], r["status"]) for r in graph_seen) == sorted(
        (r["station_id"], r["status"].upper()) for r in seen
    )
    bad = await platform.error("{ sourceBulletinResults(first: 0) { nextSince } }", who="source")
    assert bad["extensions"]["code"] == "VALIDATION"
