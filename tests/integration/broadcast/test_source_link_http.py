"""The link to the source-information system through the broadcast service's HTTP API (real
database and broker, ADR 0054): a bulletin becomes one programme however often it is sent, a
reused id or a bad bulletin is refused with a code, its results are read back page by page, and
the webhook posts each result once to a receiver that refuses at first, across a restart."""

from __future__ import annotations

import asyncio
import datetime
from collections import Counter
from typing import Any

import asyncpg
import msgspec
from litestar import Litestar, Request, Response, post

from libs.common.db import create_pool
from libs.common.principal import Principal
from libs.common.projections.rebuild import rebuild
from services.broadcast.app import create_app as create_broadcast
from services.broadcast.domain.source_link import DELIVERY_HEADER, SIGNATURE_HEADER, verify
from services.broadcast.entrypoints.source_results_projection import SourceResultsProjection
from services.broadcast.entrypoints.source_webhook import INTERVAL
from tests.integration.broadcast.conftest import Platform, Province
from tests.support.http_server import Server, listening_socket
from tests.support.principals import service_client

PROVINCIAL_SYSTEM = Principal(subject="htttn:tinh", partner="HTTTN-TINH", scopes=frozenset({"source:link"}))
CENTRAL_SYSTEM = Principal(subject="htttn:tw", partner="HTTTN-TW", scopes=frozenset({"source:link"}))
WRITER = Principal(subject="ba-be-centre", scopes=frozenset({"broadcast:write", "read"}), unit_code="061")
SECRET = "shared-with-the-source-system"


def bulletin(bulletin_id: str = "BT-2026-0001", **changes: Any) -> dict[str, Any]:
    return {
        "bulletin_id": bulletin_id,
        "unit_code": "061",
        "title": "Bản tin phòng chống bão số 9",
        "air_date": "2026-12-08",
        "duration_seconds": 300,
        "news_items": 1,
        "articles": 0,
        "priority": "emergency",
        "issued_at": "2026-12-07T08:00:00+07:00",
        **changes,
    }


async def receive(
    platform: Platform, body: dict[str, Any], expect: int = 201, principal: Principal = PROVINCIAL_SYSTEM
) -> dict[str, Any]:
    return await platform.command("source-bulletins/receive", body, expect=expect, principal=principal)


async def results(platform: Platform, principal: Principal, since: int = 0, first: int = 100) -> dict[str, Any]:
    response = await platform.broadcast.get(
        "/source-results", params={"since": since, "first": first}, auth=platform.auth(principal)
    )
    assert response.status_code == 200, response.text
    page: dict[str, Any] = response.json()
    return page


def at(hours_from_now: float) -> str:
    return (datetime.datetime.now(datetime.UTC) + datetime.timedelta(hours=hours_from_now)).isoformat()


async def distribute(platform: Platform, province: Province, programme_id: str) -> list[str]:
    """Approved (it came in submitted), then sent to the district's two stations: one airs it,
    the other fails."""
    one, two = province.stations["00001"], province.stations["00002"]
    await platform.command(f"programmes/{programme_id}/approve", {})
    await platform.command(f"programmes/{programme_id}/send", {"station_ids": [one, two], "due_at": at(2)})
    await platform.command(f"deliveries/{programme_id}/{one}/receive", {})
    await platform.command(f"deliveries/{programme_id}/{one}/air", {})
    await platform.command(f"deliveries/{programme_id}/{two}/fail", {"reason": "mất điện"})
    return [one, two]


async def test_a_bulletin_sent_twice_becomes_one_programme(platform: Platform, province: Province) -> None:
    first = await receive(platform, bulletin())
    again = await receive(platform, {**bulletin(), "title": "Bản tin phòng chống bão số 9"})
    [programme_id] = first["ids"]
    assert again["ids"] == [programme_id]
    assert len(first["event_ids"]) == 3  # the programme recorded and submitted, and the bulletin
    assert again["event_ids"] == []
    # Another sender's bulletin of the same id is another bulletin.
    other = await receive(platform, bulletin(), principal=CENTRAL_SYSTEM)
    assert other["ids"] != [programme_id]
    await platform.caught_up()
    [view] = await platform.query("programmes", {"programme_ids": [programme_id]})
    assert (view["title"], view["unit_code"], view["duration_seconds"]) == ("Bản tin phòng chống bão số 9", "061", 300)
    # It waits for the district's approver, at the sender's priority.
    assert (view["approval"], view["priority"]) == ("submitted", "emergency")
    conn = await asyncpg.connect(platform.database_url)
    try:
        stored = await conn.fetch(
            "SELECT type, data->>'priority' AS priority FROM broadcast.events WHERE stream_id LIKE 'source-bulletin-%'"
        )
    finally:
        await conn.close()
    assert (
        sorted((r["type"], r["priority"]) for r in stored) == [("broadcast.source_bulletin_received", "emergency")] * 2
    )


async def test_the_same_bulletin_id_with_another_body_is_a_coded_conflict(
    platform: Platform, province: Province
) -> None:
    [programme_id] = (await receive(platform, bulletin()))["ids"]
    refused = await receive(platform, bulletin(title="Bản tin khác"), expect=409)
    assert refused["code"] == "bulletin_id_reused"
    assert refused["details"]["programme_id"] == programme_id
    priority_changed = await receive(platform, bulletin(priority="normal"), expect=409)
    assert priority_changed["code"] == "bulletin_id_reused"


async def test_a_bulletin_that_breaks_the_rules_is_refused_with_a_code(platform: Platform, province: Province) -> None:
    title_left_out = {k: v for k, v in bulletin("BAD-0").items() if k != "title"}
    cases: list[tuple[dict[str, Any], int, str]] = [
        (title_left_out, 400, "invalid_request"),
        (bulletin("BAD-1", priority="urgent"), 400, "invalid_request"),
        (bulletin("có dấu cách"), 400, "invalid_request"),
        (bulletin("x" * 101), 400, "invalid_request"),
        (bulletin("BAD-4", unknown_field=1), 400, "invalid_request"),
        (bulletin("BAD-5", duration_seconds=0), 400, "invalid_duration"),
        (bulletin("BAD-6", issued_at="2026-12-07T08:00:00"), 400, "naive_datetime"),
        (bulletin("BAD-7", news_items=3, items=[{"kind": "news", "title": "Tin 1"}]), 400, "item_counts_mismatch"),
        (bulletin("BAD-8", unit_code="00001"), 400, "invalid_producer_unit"),
        (bulletin("BAD-10", issued_at="0001-01-01T00:00:00+05:00"), 400, "invalid_datetime"),
        (bulletin("BAD-9", unit_code="999"), 404, "unknown_unit"),
    ]
    for body, status, code in cases:
        refused = await receive(platform, body, expect=status)
        assert refused["code"] == code, (body, refused)
    # Nothing of a refused bulletin was kept: the first valid one with the same id is accepted.
    await receive(platform, bulletin(bulletin_id="BAD-5"))
    no_scope = await receive(platform, bulletin("BT-X"), expect=403, principal=WRITER)
    assert no_scope["code"] == "forbidden"


async def test_results_are_read_back_by_their_sender_page_by_page(platform: Platform, province: Province) -> None:
    [programme_id] = (await receive(platform, bulletin()))["ids"]
    one, two = await distribute(platform, province, programme_id)
    [central_programme] = (await receive(platform, bulletin("TW-1"), principal=CENTRAL_SYSTEM))["ids"]
    await platform.command(f"programmes/{central_programme}/approve", {})
    await platform.command(f"programmes/{central_programme}/send", {"station_ids": [one], "due_at": at(2)})
    [own] = (await platform.command("programmes/record", _programme_only()))["ids"]
    await platform.command(f"programmes/{own}/send", {"station_ids": [one], "due_at": at(2)})
    await platform.caught_up()

    seen: list[dict[str, Any]] = []
    since = 0
    while True:
        page = await results(platform, PROVINCIAL_SYSTEM, since=since, first=2)
        assert len(page["results"]) <= 2
        seen.extend(page["results"])
        since = page["next_since"]
        if not page["has_more"]:
            break
    steps = [(r["station_id"], r["status"], r["reason"]) for r in seen]
    assert sorted(steps) == sorted([
        (one, "delivered", None), (two, "delivered", None), (one, "received", None), (one, "aired", None),
        (two, "failed", "mất điện"),
    ])  # fmt: skip
    assert {(r["sender"], r["bulletin_id"], r["programme_id"]) for r in seen} == {
        ("HTTTN-TINH", "BT-2026-0001", programme_id)
    }
    assert [r["sequence"] for r in seen] == sorted(r["sequence"] for r in seen)
    assert len({r["delivery_id"] for r in seen}) == len(seen)
    assert (await results(platform, PROVINCIAL_SYSTEM, since=since))["results"] == []
    central = await results(platform, CENTRAL_SYSTEM)
    assert [(r["bulletin_id"], r["status"]) for r in central["results"]] == [("TW-1", "delivered")]
    everyone = await results(platform, Principal(subject="admin", scopes=frozenset({"admin"})))
    assert len(everyone["results"]) == len(seen) + 1
    # A rebuild of the projection replays every delivery event: the feed is neither renumbered
    # nor grown, so nothing is posted again.
    pool = await create_pool(platform.database_url, service="test-rebuild", max_size=2)
    try:
        projection = SourceResultsProjection()
        topics = {service: platform.settings.topic(service) for service in projection.sources}
        progress = await rebuild(projection, pool, topics=topics, partitions=platform.settings.kafka_partitions)
    finally:
        await pool.close()
    assert progress.done > 0
    assert await results(platform, Principal(subject="admin", scopes=frozenset({"admin"}))) == everyone
    bad = await platform.broadcast.get("/source-results", params={"first": 0}, auth=platform.auth(PROVINCIAL_SYSTEM))
    assert (bad.status_code, bad.json()["code"]) == (400, "invalid_first")


def _programme_only() -> dict[str, Any]:
    """A programme the district records itself, from no bulletin."""
    return {k: v for k, v in bulletin().items() if k not in ("bulletin_id", "priority", "issued_at")}


class Receiver:
    """The source-information system's webhook: refuses the first ``refusals`` posts (503), then
    accepts; keeps what it accepted, checking each signature."""

    def __init__(self, refusals: int) -> None:
        self.refusals = refusals
        self.posts = 0
        self.accepted: list[str] = []
        self.bad_signatures = 0

        @post("/hook", status_code=204)
        async def hook(request: Request[Any, Any, Any]) -> Response[None]:
            body = await request.body()
            self.posts += 1
            if not verify(SECRET.encode(), body, request.headers.get(SIGNATURE_HEADER, "")):
                self.bad_signatures += 1
                return Response(None, status_code=401)
            if self.posts <= self.refusals:
                return Response(None, status_code=503)
            delivery_id = msgspec.json.decode(body)["delivery_id"]
            assert request.headers[DELIVERY_HEADER] == delivery_id
            self.accepted.append(delivery_id)
            return Response(None, status_code=204)

        self.app = Litestar([hook])


async def test_the_webhook_posts_each_result_once_across_a_restart(platform: Platform, province: Province) -> None:
    receiver = Receiver(refusals=2)
    server = Server(receiver.app, listening_socket())
    await server.start()
    try:
        [programme_id] = (await receive(platform, bulletin()))["ids"]
        await distribute(platform, province, programme_id)
        await platform.caught_up()
        every = {r["delivery_id"] for r in (await results(platform, PROVINCIAL_SYSTEM))["results"]}
        assert len(every) == 5
        hooked = msgspec.structs.replace(
            platform.settings,
            source_webhook_url=f"http://127.0.0.1:{server.port}/hook",
            source_webhook_secret=SECRET,
            source_webhook_retry_seconds=5.0,
        )
        # The first sender: two refused, the rest accepted; it stops before it tries again.
        async with service_client(create_broadcast(hooked), hooked):
            await platform.eventually(lambda: _true(len(receiver.accepted) == 3), timeout=20)
        assert receiver.posts == 5
        quick = msgspec.structs.replace(hooked, source_webhook_retry_seconds=0.05)
        async with service_client(create_broadcast(quick), quick):
            await platform.eventually(lambda: _true(len(receiver.accepted) == 5), timeout=20)
            # A result that happens while it runs is posted too.
            one = province.stations["00001"]
            [again] = (await receive(platform, bulletin("BT-2026-0002")))["ids"]
            await platform.command(f"programmes/{again}/approve", {})
            await platform.command(f"programmes/{again}/send", {"station_ids": [one], "due_at": at(2)})
            await platform.eventually(lambda: _true(len(receiver.accepted) == 6), timeout=20)
            await asyncio.sleep(4 * INTERVAL)  # rounds with nothing due: nothing posted again
        assert receiver.bad_signatures == 0
        assert Counter(receiver.accepted).most_common(1)[0][1] == 1
        assert every < set(receiver.accepted)
        conn = await asyncpg.connect(platform.database_url)
        try:
            attempts = await conn.fetch("SELECT attempts FROM broadcast.source_results WHERE posted_at IS NOT NULL")
        finally:
            await conn.close()
        assert sorted(r["attempts"] for r in attempts) == [1, 1, 1, 1, 2, 2]
    finally:
        await server.stop()


async def _true(value: bool) -> bool:
    return value
