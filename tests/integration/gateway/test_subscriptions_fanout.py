"""1,000 concurrent subscribers all receive the event a mutation caused.

The subscribers are multiplexed: 50 WebSocket connections (graphql-transport-ws) with 20
subscriptions each, the per-connection cap. Each subscription filters on the district, so
every one of them evaluates the unit-subtree filter.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time

from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Subprotocol

from services.gateway.graphql.limits import Limits
from tests.integration.gateway.api_fixtures import REPORT_SIGNAL, build_province
from tests.integration.gateway.api_platform import Platform, platform

__all__ = ["platform"]

CONNECTIONS = 50
PER_CONNECTION = Limits().max_subscriptions_per_connection
SUBSCRIPTION = 'subscription { events(types: ["broadcast.cluster_signal_lost"], unitCode: "061") { id unitCode } }'


async def open_subscriber(platform: Platform) -> ClientConnection:
    socket = await connect(platform.ws_url, subprotocols=[Subprotocol("graphql-transport-ws")])
    init = {"type": "connection_init", "payload": {"authorization": f"Bearer {platform.keys['reader']}"}}
    await socket.send(json.dumps(init))
    assert json.loads(await socket.recv())["type"] == "connection_ack"
    for n in range(PER_CONNECTION):
        await socket.send(json.dumps({"id": str(n), "type": "subscribe", "payload": {"query": SUBSCRIPTION}}))
    return socket


async def receive_all(socket: ClientConnection, arrivals: list[float], event_ids: set[str]) -> None:
    got = 0
    while got < PER_CONNECTION:
        message = json.loads(await socket.recv())
        if message["type"] == "next":
            arrivals.append(time.monotonic())
            event_ids.add(message["payload"]["data"]["events"]["id"])
            got += 1


async def test_a_thousand_subscribers_all_receive_the_cluster_down_event(platform: Platform) -> None:
    province = await build_province(platform, communes=1, villages=1)
    commune = province.communes[0]

    async def knows() -> bool:
        return platform.consumer.directory.unit_id_for_code(commune) is not None

    await platform.eventually(knows)
    sockets = await asyncio.gather(*(open_subscriber(platform) for _ in range(CONNECTIONS)))
    try:

        async def all_subscribed() -> bool:
            return len(platform.consumer.hub.subscribers) >= CONNECTIONS * PER_CONNECTION

        await platform.eventually(all_subscribed)
        arrivals: list[float] = []
        event_ids: set[str] = set()
        readers = [asyncio.create_task(receive_all(s, arrivals, event_ids)) for s in sockets]
        sent = time.monotonic()
        cluster = province.clusters[commune][0]
        await platform.data(
            REPORT_SIGNAL, {"input": {"clusterId": cluster, "signal": "OFFLINE", "observedAt": "2023-05-01T08:00:00Z"}}
        )
        await asyncio.wait_for(asyncio.gather(*readers), 30)
    finally:
        await asyncio.gather(*(s.close() for s in sockets))

    assert len(arrivals) == CONNECTIONS * PER_CONNECTION == 1000
    assert len(event_ids) == 1  # every subscriber got the same event, once
    delays = sorted(a - sent for a in arrivals)
    print(
        f"1000 subscribers: first {delays[0] * 1000:.0f} ms, median {statistics.median(delays) * 1000:.0f} ms, "
        f"last {delays[-1] * 1000:.0f} ms after the mutation was sent"
    )
    assert delays[-1] < 5.0
