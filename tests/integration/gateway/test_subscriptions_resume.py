"""Resuming the live feed with ``after``: on another gateway replica, one started after the
events were committed, and after being dropped as a slow subscriber, a client gets every
event it missed (of all three services' topics), once, each stream in order; a cursor the
feed cannot honour is refused with a code, never answered with a silent gap.

Failed before the cursor (issue #20): the replica started later answered ``after`` with
``REPLAY_UNAVAILABLE`` (its memory had never held the event), and one that had held it could
replay only the last 10,000 events it kept."""

from __future__ import annotations

import asyncio
import datetime
import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

from services.gateway.app import create_app as gateway_app
from services.gateway.events.consumer import GatewayConsumer
from services.gateway.events.cursor import FeedCursor
from services.gateway.events.hub import SLOW_SUBSCRIBER_CLOSE_CODE, LiveEvent
from tests.integration.gateway.api_fixtures import INDICATOR, REPORT_SIGNAL, REPORT_VALUE, build_province, register_unit
from tests.integration.gateway.api_platform import Platform, platform
from tests.support.http_server import Server, listening_socket

__all__ = ["platform"]


REAL = ["registry.*", "broadcast.*", "metrics.*"]
"""Every service's events; not the synthetic ones a test floods a hub with."""
MARKER = "09"
"""The code of the unit whose registration ends a test's traffic."""

Message = dict[str, Any]


def feed(types: list[str] | None) -> str:
    return (
        "subscription($after: ID, $types: [String!]) "
        "{ events(types: $types, after: $after) { id type streamId cursor data } }"
    )


@asynccontextmanager
async def subscription(
    url: str, key: str, *, after: str | None = None, types: list[str] | None = None
) -> AsyncIterator[ClientConnection]:
    async with connect(url, subprotocols=[Subprotocol("graphql-transport-ws")]) as socket:
        await socket.send(json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {key}"}}))
        assert json.loads(await socket.recv())["type"] == "connection_ack"
        variables = {"after": after, "types": types}
        payload = {"query": feed(types), "variables": variables}
        await socket.send(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))
        yield socket


async def receive(socket: ClientConnection, until: Callable[[list[Message]], bool]) -> list[Message]:
    """The events received until ``until`` holds for them."""
    events: list[Message] = []
    while not until(events):
        message = json.loads(await asyncio.wait_for(socket.recv(), 15))
        assert message["type"] == "next", message
        assert "errors" not in message["payload"], message
        events.append(message["payload"]["data"]["events"])
    return events


def registered(code: str) -> Callable[[list[Message]], bool]:
    """Until the registration of the unit ``code`` arrives."""

    def seen(events: list[Message]) -> bool:
        return bool(events) and events[-1]["type"] == "registry.unit_registered" and events[-1]["data"]["code"] == code

    return seen


marked = registered(MARKER)


def count(n: int) -> Callable[[list[Message]], bool]:
    return lambda events: len(events) >= n


def holding(expected: list[Message], already: list[Message]) -> Callable[[list[Message]], bool]:
    """Until every expected event not ``already`` received has arrived (partitions interleave
    differently on each replica, so what comes after the last of them varies)."""
    wanted = {e["id"] for e in expected} - {e["id"] for e in already}
    return lambda events: wanted <= {e["id"] for e in events}


def assert_same_feed(got: list[Message], expected: list[Message]) -> None:
    """Every expected event once, and each stream's events in the same order."""
    ids = [e["id"] for e in got]
    assert len(ids) == len(set(ids)), "an event was delivered twice"
    wanted = {e["id"] for e in expected}
    assert wanted <= set(ids)

    def per_stream(events: list[Message]) -> dict[str, list[str]]:
        streams: dict[str, list[str]] = {}
        for e in events:
            if e["id"] in wanted:
                streams.setdefault(e["streamId"], []).append(e["id"])
        return streams

    assert per_stream(got) == per_stream(expected)


@asynccontextmanager
async def another_gateway(platform: Platform) -> AsyncIterator[tuple[str, GatewayConsumer]]:
    """A second gateway replica in this process: its own app, consumer and hub, reading the
    topics on its own from where they end when it starts."""
    app, sock = gateway_app(platform.settings), listening_socket()
    server = Server(app, sock)
    await server.start()
    consumer: GatewayConsumer = app.state.consumer
    try:

        async def ready() -> bool:
            return consumer.ready.is_set()

        await platform.eventually(ready)
        yield f"ws://127.0.0.1:{sock.getsockname()[1]}/graphql", consumer
    finally:
        await server.stop()
        sock.close()


async def subscribed(platform: Platform, n: int) -> None:
    async def holds() -> bool:
        return len(platform.consumer.hub.subscribers) >= n

    await platform.eventually(holds)


async def test_a_client_resumes_on_a_replica_started_after_it_left_and_gets_every_event_once(
    platform: Platform,
) -> None:
    key = platform.keys["reader"]
    async with subscription(platform.ws_url, key, types=REAL) as witness:
        async with subscription(platform.ws_url, key, types=REAL) as client:
            await subscribed(platform, 2)
            province = await build_province(platform, communes=1, villages=1)
            first = await receive(client, count(2))
        # Committed while the client is away and before the second replica starts: that replica
        # never sees them live, so they come back from the broker.
        commune = province.communes[0]
        await register_unit(platform, "062", "Huyện Pác Nặm", "DISTRICT", "06")
        signal = {"clusterId": province.clusters[commune][0], "signal": "OFFLINE", "observedAt": "2023-05-01T08:00:00Z"}
        await platform.data(REPORT_SIGNAL, {"input": signal})
        value = {"indicatorCode": INDICATOR, "unitCode": commune, "period": "2023", "value": 70.0}
        await platform.data(REPORT_VALUE, {"input": value})
        async with (
            another_gateway(platform) as (url, _),
            subscription(url, key, after=first[-1]["cursor"], types=REAL) as resumed,
        ):
            await register_unit(platform, MARKER, "Tỉnh khác", "PROVINCE", None)
            everything = await receive(witness, marked)
            rest = await receive(resumed, holding(everything, first))
    assert {e["type"].split(".")[0] for e in everything} == {"registry", "broadcast", "metrics"}
    assert_same_feed(first + rest, everything)


async def test_a_subscriber_dropped_as_too_slow_recovers_what_it_missed_with_its_cursor(
    platform: Platform,
) -> None:
    """The events queued for it when it was dropped, and those published while it was away."""
    key, hub = platform.keys["reader"], platform.consumer.hub
    async with subscription(platform.ws_url, key, types=REAL) as witness:
        async with subscription(platform.ws_url, key, types=[*REAL, "test.flood"]) as slow:
            await subscribed(platform, 2)
            await register_unit(platform, "06", "Tỉnh Bắc Kạn", "PROVINCE", None)
            seen = await receive(slow, registered("06"))
            # More than its queue holds, in one go, then real events it will not be sent.
            now = datetime.datetime.now(datetime.UTC)
            for n in range(hub.queue_size + 1):
                hub.publish(LiveEvent(f"flood-{n}", "test.flood", "s", now, now, None, None, {}))
            with pytest.raises(ConnectionClosed) as closed:
                await drain(slow)
        assert closed.value.rcvd is not None
        assert closed.value.rcvd.code == SLOW_SUBSCRIBER_CLOSE_CODE
        await register_unit(platform, "061", "Huyện Ba Bể", "DISTRICT", "06")
        await register_unit(platform, "062", "Huyện Pác Nặm", "DISTRICT", "06")
        async with subscription(platform.ws_url, key, after=seen[-1]["cursor"], types=REAL) as again:
            await register_unit(platform, MARKER, "Tỉnh khác", "PROVINCE", None)
            everything = await receive(witness, marked)
            rest = await receive(again, holding(everything, seen))
    codes = [e["data"]["code"] for e in rest if e["type"] == "registry.unit_registered"]
    assert sorted(codes) == ["061", "062", MARKER]
    assert_same_feed(seen + rest, everything)


async def drain(socket: ClientConnection) -> None:
    """Read until the server closes (or nothing comes for 10 s)."""
    while True:
        await asyncio.wait_for(socket.recv(), 10)


async def error_for(url: str, key: str, after: str) -> Message:
    """The subscription's first error (a refusal after it started comes as a result with errors)."""
    async with subscription(url, key, after=after) as socket:
        message: Message = json.loads(await asyncio.wait_for(socket.recv(), 15))
    errors = message["payload"] if message["type"] == "error" else message["payload"].get("errors")
    assert errors, message
    first: Message = errors[0]
    return first


async def test_a_cursor_the_feed_cannot_replay_is_refused_with_a_code(platform: Platform) -> None:
    key = platform.keys["reader"]
    await platform.eventually(lambda: _assigned(platform))
    offsets = dict(platform.consumer.hub.positions)
    now = datetime.datetime.now(datetime.UTC)
    too_old = now - datetime.timedelta(hours=platform.settings.gateway_live_replay_hours + 1)
    beyond = {partition: at + 5 for partition, at in offsets.items()}
    refusals = {
        "retention": FeedCursor(offsets=offsets, recorded_at=too_old).encode(),
        "unknown_position": FeedCursor(offsets=beyond, recorded_at=now).encode(),
        "unknown_event": "0193a1b2-0000-7000-8000-000000000000",
    }
    for reason, after in refusals.items():
        error = await error_for(platform.ws_url, key, after)
        assert error["extensions"]["code"] == "REPLAY_UNAVAILABLE", error
        assert error["extensions"]["details"]["reason"] == reason
    for garbage in ("c1.!!!", "c1." + "A" * 5000, "c1.kQ"):
        error = await error_for(platform.ws_url, key, garbage)
        assert error["extensions"]["code"] == "INVALID_CURSOR", error


async def _assigned(platform: Platform) -> bool:
    return platform.consumer.hub.assigned.is_set()
