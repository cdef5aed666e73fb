"""Bulk ingestion through the gateway (ADR 0040): signal reports, relay sessions, indicator
values and delivery steps as JSON or CSV, a result per item, retries that do nothing twice,
whole-body refusals with their status, and the item quota apart from the request limit."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import msgspec
import pytest

from libs.common.settings import Settings
from tests.integration.gateway.api_fixtures import INDICATOR, Province, build_province
from tests.integration.gateway.api_platform import Platform, start_platform
from tests.integration.gateway.bulk_support import bulk, outcomes, raw, seen_by_broadcast
from tests.support.principals import ADMIN, PrincipalAuth


@pytest.fixture
async def platform(settings: Settings) -> AsyncIterator[Platform]:
    # A small item quota: 30 items at once, refilled at one a second.
    quota = msgspec.structs.replace(settings, rate_limit_bulk_items_per_minute=60, rate_limit_bulk_items_burst=30)
    async for running in start_platform(quota):
        yield running


SIGNALS = """
mutation($input: [ReportClusterSignalInput!]!) {
  reportClusterSignals(input: $input) { accepted duplicate rejected items { index status key code message ids } }
}
"""


async def test_every_kind_of_batch_answers_per_item_and_a_retry_does_nothing_twice(platform: Platform) -> None:
    province: Province = await build_province(platform, communes=2, villages=1)
    [a], [b] = ([raw(c) for c in cs] for cs in province.clusters.values())
    station = raw(province.stations[province.communes[0]])
    await seen_by_broadcast(platform, b)
    signals = [
        {"cluster_id": a, "kind": "HEARTBEAT", "observed_at": "2026-01-05T08:00:00+07:00"},
        {"cluster_id": b, "kind": "NO_SIGNAL", "observed_at": "2026-01-05T08:00:00+07:00"},
        {"cluster_id": a, "kind": "SINGING", "observed_at": "2026-01-05T08:00:00+07:00"},  # not a kind
        {"cluster_id": "no-such-cluster", "kind": "HEARTBEAT", "observed_at": "2026-01-05T08:00:00+07:00"},
    ]
    expected = [("accepted", None), ("accepted", None), ("rejected", "invalid_item"), ("rejected", "unknown_cluster")]
    assert outcomes(await bulk(platform, "signal-reports", signals)) == expected
    assert outcomes(await bulk(platform, "signal-reports", signals[:2])) == [("duplicate", None)] * 2

    relays = (
        "station_id,source,started_at,ended_at,key\n"
        f"{station},VOV1,2025-01-01T05:00:00+07:00,2025-01-01T06:00:00+07:00,\n"
        f"{station},VOV1,2025-01-01T05:30:00+07:00,2025-01-01T06:30:00+07:00,\n"
        f"{station},VOV1,yesterday,2025-01-01T06:30:00+07:00,\n"
        f"{station},VTV1,2025-01-02T05:00:00+07:00,2025-01-02T06:00:00+07:00,jan-2\n"
    )
    first = await bulk(platform, "relay-sessions", relays, csv=True)
    assert outcomes(first) == [("accepted", None), ("rejected", "relay_overlap"), ("rejected", "invalid_item"),
                               ("accepted", None)]  # fmt: skip
    assert "row 4" in first.json()["items"][2]["message"]
    again = await bulk(platform, "relay-sessions", relays, csv=True)
    assert [s for s, _ in outcomes(again)] == ["duplicate", "rejected", "rejected", "duplicate"]
    assert again.json()["items"][3]["ids"] == first.json()["items"][3]["ids"]

    values = [
        {"indicator_code": INDICATOR, "unit_code": province.communes[0], "period": "2025", "value": 61.5},
        {"indicator_code": "no.such.indicator", "unit_code": province.communes[0], "period": "2025", "value": 1},
    ]
    reported = outcomes(await bulk(platform, "indicator-values", values))
    assert reported[0] == ("accepted", None)
    assert reported[1][0] == "rejected"
    assert reported[1][1] is not None
    assert outcomes(await bulk(platform, "indicator-values", values[:1])) == [("duplicate", None)]

    # The same through GraphQL, for small batches: global ids, the item's idempotencyKey.
    batch = [
        {"clusterId": province.clusters[province.communes[0]][0], "signal": "ONLINE",
         "observedAt": "2026-01-05T09:00:00+07:00", "idempotencyKey": "gql-1"},
        {"clusterId": province.clusters[province.communes[0]][0], "signal": "UNKNOWN",
         "observedAt": "2026-01-05T09:01:00+07:00"},
    ]  # fmt: skip
    for _ in range(2):
        answer = await platform.data(SIGNALS, {"input": batch})
    result = answer["reportClusterSignals"]
    assert (result["accepted"], result["duplicate"], result["rejected"]) == (0, 1, 1)
    assert [(i["index"], i["status"], i["key"], i["code"]) for i in result["items"]] == [
        (0, "DUPLICATE", "gql-1", None),
        (1, "REJECTED", None, "INVALID_ITEM"),
    ]
    error = await platform.error(SIGNALS, {"input": batch[:1] * 101})
    assert error["extensions"]["code"] == "TOO_MANY_ITEMS"


async def test_delivery_steps_run_through_the_broadcast_commands(platform: Platform) -> None:
    province = await build_province(platform, communes=1, villages=1)
    station = raw(province.stations[province.communes[0]])
    await seen_by_broadcast(platform, raw(province.clusters[province.communes[0]][0]))
    recorded = await platform.data(
        """mutation($input: RecordProgrammeInput!) { recordProgramme(input: $input) { id } }""",
        {"input": {"title": "Bản tin", "producerCode": "061", "airDate": "2026-01-05", "newsItems": 3,
                   "articles": 1, "durationSeconds": 900}},
    )  # fmt: skip
    programme_id = raw(recorded["recordProgramme"]["id"])
    async with httpx.AsyncClient(base_url=platform.settings.broadcast_url) as broadcast:
        sent = await broadcast.post(
            f"/commands/programmes/{programme_id}/send",
            json={
                "station_ids": [station],
                "due_at": "2026-01-05T18:00:00+07:00",
                "sent_at": "2026-01-05T06:00:00+07:00",
            },
            auth=PrincipalAuth(platform.settings, ADMIN, "broadcast"),
        )
    assert sent.status_code == 201, sent.text
    steps = [
        {"programme_id": programme_id, "station_id": station, "step": "received", "at": "2026-01-05T10:00:00+07:00"},
        {"programme_id": programme_id, "station_id": station, "step": "aired", "at": "2026-01-05T18:00:00+07:00"},
        {"programme_id": programme_id, "station_id": "../../x", "step": "aired"},
    ]
    answer = outcomes(await bulk(platform, "delivery-steps", steps))
    assert answer[:2] == [("accepted", None), ("accepted", None)]
    assert answer[2][0] == "rejected"
    assert outcomes(await bulk(platform, "delivery-steps", steps[:2])) == [("duplicate", None)] * 2


async def test_bodies_refused_whole_and_callers_refused_with_their_code(platform: Platform) -> None:
    too_many = [{"cluster_id": "c", "kind": "HEARTBEAT", "observed_at": "2026-01-05T08:00:00+07:00"}] * 10_001
    answer = await bulk(platform, "signal-reports", too_many)
    assert (answer.status_code, answer.json()["code"]) == (413, "too_many_items")
    answer = await platform.http.post(
        "/api/v1/bulk/signal-reports", content=b"x", headers={**platform.auth(), "content-type": "text/plain"}
    )
    assert (answer.status_code, answer.json()["code"]) == (415, "unsupported_media_type")
    answer = await platform.http.post(
        "/api/v1/bulk/signal-reports",
        content=b"{not json",
        headers={**platform.auth(), "content-type": "application/json"},
    )
    assert (answer.status_code, answer.json()["code"]) == (400, "invalid_request")
    anonymous = await platform.http.post("/api/v1/bulk/signal-reports", json=too_many[:1])
    assert (anonymous.status_code, anonymous.json()["code"]) == (401, "unauthenticated")
    reader = await bulk(platform, "relay-sessions", [{"station_id": "s", "source": "VOV1",
                        "started_at": "2025-01-01T05:00:00+07:00", "ended_at": "2025-01-01T06:00:00+07:00"}],
                        who="reader")  # fmt: skip
    assert reader.status_code == 403, reader.text
    assert reader.json()["code"] == "forbidden"


async def test_the_item_quota_counts_items_and_refuses_a_batch_whole(platform: Platform) -> None:
    report = {"cluster_id": "no-such-cluster", "kind": "HEARTBEAT", "observed_at": "2026-01-05T08:00:00+07:00"}
    first = await bulk(platform, "signal-reports", [report] * 25)
    assert first.status_code == 200, first.text
    assert int(first.headers["ratelimit-remaining"]) <= 5
    refused = await bulk(platform, "signal-reports", [report] * 25)
    assert refused.status_code == 429, refused.text
    assert refused.json()["code"] == "rate_limited"
    assert int(refused.headers["retry-after"]) >= 15
    # The request limit is apart: a small read still goes through.
    units = await platform.http.get("/api/v1/units", headers=platform.auth("reader"))
    assert units.status_code == 200
