"""``eventBatches``: the feed several events to a message. A client that resumes with ``after``
on a replica started after the events were committed gets them back from the broker in
batches of at most ``size``, every event once, each stream in order, then the live events;
a size out of range is refused with a code."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Subprotocol

from tests.integration.gateway.api_fixtures import REPORT_SIGNAL, build_province, register_unit
from tests.integration.gateway.api_platform import Platform, platform
from tests.integration.gateway.test_subscriptions_resume import (
    MARKER,
    REAL,
    Message,
    another_gateway,
    assert_same_feed,
    count,
    marked,
    receive,
    subscribed,
    subscription,
)

__all__ = ["platform"]

BATCHES = (
    "subscription($after: ID, $types: [String!], $size: Int!) "
    "{ eventBatches(types: $types, after: $after, size: $size) { cursor events { id type streamId cursor data } } }"
)


@asynccontextmanager
async def batches(url: str, key: str, *, after: str | None, size: int) -> AsyncIterator[ClientConnection]:
    async with connect(url, subprotocols=[Subprotocol("graphql-transport-ws")]) as socket:
        await socket.send(json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {key}"}}))
        assert json.loads(await socket.recv())["type"] == "connection_ack"
        variables = {"after": after, "types": REAL, "size": size}
        await socket.send(
            json.dumps({"id": "1", "type": "subscribe", "payload": {"query": BATCHES, "variables": variables}})
        )
        yield socket


async def receive_batches(socket: ClientConnection, wanted: set[str]) -> list[list[Message]]:
    """The batches received until every id in ``wanted`` has arrived."""
    got: list[list[Message]] = []
    seen: set[str] = set()
    while not wanted <= seen:
        message = json.loads(await asyncio.wait_for(socket.recv(), 15))
        assert message["type"] == "next", message
        assert "errors" not in message["payload"], message
        batch = message["payload"]["data"]["eventBatches"]
        assert batch["events"], "an empty batch was sent"
        assert batch["cursor"] == batch["events"][-1]["cursor"]
        got.append(batch["events"])
        seen |= {e["id"] for e in batch["events"]}
    return got


async def test_a_client_resumes_in_batches_on_a_replica_started_after_it_left_and_gets_every_event_once(
    platform: Platform,
) -> None:
    key = platform.keys["reader"]
    async with subscription(platform.ws_url, key, types=REAL) as witness:
        await subscribed(platform, 1)
        province = await build_province(platform, communes=1, villages=1)
        first = await receive(witness, count(1))
        # Committed after the client's cursor and before the second replica starts: that
        # replica never sees them live, so they come back from the broker, several at a time.
        for n, cluster in enumerate(province.clusters[province.communes[0]] * 4):
            signal = {"clusterId": cluster, "signal": "OFFLINE" if n % 2 else "ONLINE",
                      "observedAt": f"2023-05-01T08:0{n}:00Z"}  # fmt: skip
            await platform.data(REPORT_SIGNAL, {"input": signal})
        async with (
            another_gateway(platform) as (url, _),
            batches(url, key, after=first[0]["cursor"], size=3) as resumed,
        ):
            await register_unit(platform, MARKER, "Tỉnh khác", "PROVINCE", None)
            everything = await receive(witness, marked)
            got = await receive_batches(resumed, {e["id"] for e in everything} - {first[0]["id"]})
    assert max(len(batch) for batch in got) <= 3
    assert any(len(batch) > 1 for batch in got), "the replay sent one event to a message"
    assert_same_feed(first[:1] + [event for batch in got for event in batch], everything)


async def test_a_batch_size_out_of_range_is_refused_with_a_code(platform: Platform) -> None:
    key = platform.keys["reader"]
    for size in (0, 5001):
        async with batches(platform.ws_url, key, after=None, size=size) as socket:
            message: Message = json.loads(await asyncio.wait_for(socket.recv(), 15))
        errors = message["payload"] if message["type"] == "error" else message["payload"].get("errors")
        assert errors, message
        assert errors[0]["extensions"]["code"] == "INVALID_BATCH_SIZE", errors
