"""Live events over graphql-transport-ws, with a real GraphQL client (gql): what a mutation
causes reaches subscribers, filtered by type and unit subtree. How soon is a figure of
``bench/gateway.py`` (fan-out and live delivery, commit → subscriber), not of these tests."""

from __future__ import annotations

import asyncio
import datetime
import functools
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import msgspec
import pytest
from gql import Client, GraphQLRequest
from gql.transport.exceptions import TransportQueryError
from gql.transport.websockets import WebsocketsTransport
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

from libs.common.db import create_pool
from libs.common.settings import Settings
from services.gateway.events.hub import SLOW_SUBSCRIBER_CLOSE_CODE, LiveEvent
from services.gateway.graphql.limits import Limits
from services.gateway.security.partner_store import PartnerStore
from services.gateway.security.partners import Partner
from tests.integration.gateway.api_fixtures import (
    INDICATOR,
    REPORT_SIGNAL,
    REPORT_VALUE,
    build_province,
    register_unit,
)
from tests.integration.gateway.api_platform import Platform, platform, start_platform
from tests.support.principals import principal_headers

__all__ = ["platform"]

CLUSTER_DOWN = """
subscription($unit: String) {
  events(types: ["broadcast.cluster_signal_lost"], unitCode: $unit) { id type unitCode streamId data }
}
"""
INDICATOR_CHANGED = """
subscription($unit: String) {
  indicatorChanged(codes: ["citizens.internet_users"], unitCode: $unit) { eventId value period unit { code } }
}
"""
ALL_EVENTS = "subscription($after: ID) { events(after: $after) { id type } }"


def request(document: str, **variables: Any) -> GraphQLRequest:
    return GraphQLRequest(document, variable_values=variables)


@asynccontextmanager
async def subscriber(platform: Platform, who: str | None = "admin") -> AsyncIterator[Any]:
    payload = {"authorization": f"Bearer {platform.keys[who]}"} if who else {}
    transport = WebsocketsTransport(
        url=platform.ws_url, init_payload=payload, subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL]
    )
    async with Client(transport=transport, fetch_schema_from_transport=False) as session:
        yield session


async def subscribed(platform: Platform, count: int) -> None:
    """The server holds ``count`` subscriptions (so a mutation made now is seen by all)."""
    await platform.eventually(lambda: _ready(platform, count))


async def _ready(platform: Platform, count: int) -> bool:
    return len(platform.consumer.hub.subscribers) >= count


async def first(session: Any, document: str, variables: dict[str, Any]) -> dict[str, Any]:
    async for result in session.subscribe(request(document, **variables)):
        value: dict[str, Any] = result
        return value
    raise AssertionError("the subscription ended without an event")


async def first_in(session: Any, document: str, unit_code: str) -> dict[str, Any]:
    """The first event of ``unit_code``'s: events of different streams may come in any order
    (their partitions are read side by side); only a stream's own are in order."""
    async for result in session.subscribe(request(document)):
        value: dict[str, Any] = result
        if value["events"]["unitCode"] == unit_code:
            return value
    raise AssertionError(f"the subscription ended without an event of {unit_code}")


async def test_a_subscriber_sees_the_cluster_going_down_and_the_indicator_change(platform: Platform) -> None:
    """Each event arrives while the next write waits: a subscriber woken only by some later
    traffic, or by a poll, would not have it within the 5 s bound. Its delay (p99 under a
    second at 1,000 subscribers) is measured by ``bench/gateway.py``: timed here, on a test
    machine running four workers, it failed on load alone."""
    province = await build_province(platform, communes=2, villages=1)
    commune = province.communes[0]
    await platform.eventually(lambda: _knows(platform, commune))
    async with subscriber(platform) as session:
        down = asyncio.create_task(first(session, CLUSTER_DOWN, {"unit": "061"}))
        changed = asyncio.create_task(first(session, INDICATOR_CHANGED, {"unit": "06"}))
        await subscribed(platform, 2)

        cluster = province.clusters[commune][0]
        await platform.data(
            REPORT_SIGNAL, {"input": {"clusterId": cluster, "signal": "OFFLINE", "observedAt": "2023-05-01T08:00:00Z"}}
        )
        event = (await asyncio.wait_for(down, 5))["events"]
        assert event["type"] == "broadcast.cluster_signal_lost"
        assert event["unitCode"] == commune
        assert event["data"]["cluster_id"] == cluster.split(":", 1)[1]

        await platform.data(
            REPORT_VALUE, {"input": {"indicatorCode": INDICATOR, "unitCode": commune, "period": "2023", "value": 70.0}}
        )
        change = (await asyncio.wait_for(changed, 5))["indicatorChanged"]
        assert change["value"] == 70.0
        assert change["period"] == "2023"
        assert change["unit"]["code"] == commune


async def _knows(platform: Platform, code: str) -> bool:
    return platform.consumer.directory.unit_id_for_code(code) is not None


async def test_events_outside_the_unit_asked_about_are_not_delivered(platform: Platform) -> None:
    province = await build_province(platform, communes=2, villages=1)
    inside, outside = province.communes
    await platform.eventually(lambda: _knows(platform, outside))
    async with subscriber(platform) as session:
        task = asyncio.create_task(first(session, CLUSTER_DOWN, {"unit": inside}))
        await subscribed(platform, 1)
        for commune in (outside, inside):
            cluster = province.clusters[commune][0]
            await platform.data(
                REPORT_SIGNAL,
                {"input": {"clusterId": cluster, "signal": "NO_SIGNAL", "observedAt": "2023-05-01T08:00:00Z"}},
            )
        event = (await asyncio.wait_for(task, 5))["events"]
        assert event["unitCode"] == inside


async def test_a_reconnecting_client_gets_the_events_it_missed_after_the_last_id_it_saw(platform: Platform) -> None:
    await build_province(platform, communes=1, villages=1)
    hub = platform.consumer.hub
    await platform.eventually(lambda: _published(platform, 1))
    seen = hub.buffer[-1].event_id
    before = len(hub.buffer)
    province_two = {"code": "062", "name": "Huyện Bạch Thông", "level": "DISTRICT", "parentCode": "06"}
    await platform.data(
        "mutation($i: RegisterUnitInput!) { registerUnit(input: $i) { id } }",
        {"i": {**province_two, "validFrom": "2020-01-01"}},
    )
    await platform.eventually(lambda: _published(platform, before + 1))
    missed = [e.event_id for e in list(hub.buffer)[before:]]
    async with subscriber(platform) as session:
        replayed = []
        async for result in session.subscribe(request(ALL_EVENTS, after=seen)):
            replayed.append(result["events"]["id"])
            if len(replayed) == len(missed):
                break
    assert replayed == missed


async def _published(platform: Platform, count: int) -> bool:
    return len(platform.consumer.hub.buffer) >= count


async def test_a_subscription_needs_the_read_scope_and_a_valid_key_to_connect(platform: Platform) -> None:
    async with subscriber(platform, who=None) as session:
        with pytest.raises(TransportQueryError) as refused:
            async for _ in session.subscribe(request(CLUSTER_DOWN)):
                pass
        assert refused.value.errors is not None
        assert refused.value.errors[0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_a_connection_with_a_bad_key_is_closed_with_4403(platform: Platform) -> None:
    async with connect(platform.ws_url, subprotocols=[Subprotocol("graphql-transport-ws")]) as socket:
        init = {"type": "connection_init", "payload": {"authorization": "Bearer tsk_notakey_000"}}
        await socket.send(json.dumps(init))
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(socket.recv(), 5)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4403


async def test_the_legacy_graphql_ws_protocol_is_refused(platform: Platform) -> None:
    async with connect(platform.ws_url, subprotocols=[Subprotocol("graphql-ws")]) as socket:
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(socket.recv(), 5)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4406  # subprotocol not acceptable


async def test_subscriptions_per_connection_are_capped(platform: Platform) -> None:
    cap = Limits().max_subscriptions_per_connection
    async with connect(platform.ws_url, subprotocols=[Subprotocol("graphql-transport-ws")]) as socket:
        init = {"type": "connection_init", "payload": {"authorization": f"Bearer {platform.keys['reader']}"}}
        await socket.send(json.dumps(init))
        assert json.loads(await socket.recv())["type"] == "connection_ack"
        query = "subscription { events { id } }"
        for n in range(cap):
            await socket.send(json.dumps({"id": str(n), "type": "subscribe", "payload": {"query": query}}))
        await subscribed(platform, cap)
        await socket.send(json.dumps({"id": "one-too-many", "type": "subscribe", "payload": {"query": query}}))
        # The open subscriptions ask for every event, so the platform's own may come first.
        refused = await asyncio.wait_for(_message_for(socket, "one-too-many"), 5)
    assert refused["type"] == "error"
    assert refused["id"] == "one-too-many"
    assert refused["payload"][0]["message"] == "Subscription limit reached"


async def test_a_subscriber_that_falls_behind_is_dropped_with_close_code_4008(platform: Platform) -> None:
    hub = platform.consumer.hub
    async with connect(platform.ws_url, subprotocols=[Subprotocol("graphql-transport-ws")]) as socket:
        init = {"type": "connection_init", "payload": {"authorization": f"Bearer {platform.keys['reader']}"}}
        await socket.send(json.dumps(init))
        assert json.loads(await socket.recv())["type"] == "connection_ack"
        query = 'subscription { events(types: ["test.flood"]) { id } }'
        await socket.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": query}}))
        await subscribed(platform, 1)
        # More than its queue holds, in one go (as a burst from the broker would arrive), before
        # the subscription can send any of it.
        now = datetime.datetime.now(datetime.UTC)
        for n in range(hub.queue_size + 1):
            hub.publish(LiveEvent(f"flood-{n}", "test.flood", "s", now, now, None, None, {}))
        with pytest.raises(ConnectionClosed) as closed:
            await drain(socket)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == SLOW_SUBSCRIBER_CLOSE_CODE == 4008
    assert hub.dropped == 1


async def _message_for(socket: ClientConnection, operation_id: str) -> dict[str, Any]:
    while True:
        message: dict[str, Any] = json.loads(await socket.recv())
        if message.get("id") == operation_id:
            return message


async def drain(socket: ClientConnection) -> None:
    """Read until the server closes (or nothing comes for 10 s)."""
    while True:
        await asyncio.wait_for(socket.recv(), 10)


# --- what a subscriber may read -------------------------------------------------------------

TEAM_EVENTS = 'subscription { events(types: ["registry.digital_team_*"]) { type unitCode data } }'
MEMBERS: list[dict[str, Any]] = [
    {"name": "Nguyễn Thị Hoa", "role": "tổ trưởng"},
    {"name": "Hoàng Văn Nam", "role": None},
]
READERS = {
    "personal": Partner(name="live-personal", scopes=frozenset({"read", "personal-data"})),
    "elsewhere": Partner(name="live-pac-nam", scopes=frozenset({"read", "personal-data"}), unit_code="062"),
}


async def add_partners(platform: Platform, partners: dict[str, Partner]) -> None:
    pool = await create_pool(platform.settings.database_url, service="test", max_size=1)
    try:
        store = PartnerStore(pool)
        for who, partner in partners.items():
            platform.keys[who] = await store.create(partner)
    finally:
        await pool.close()


async def establish_team(platform: Platform, unit_code: str, members: list[dict[str, Any]]) -> None:
    """The contract has no team mutation: teams are established in the registry (as the
    province's department does), and their events reach the gateway through the log."""
    body: dict[str, Any] = {"unit_code": unit_code, "level": "commune", "established_on": "2023-01-01"}
    body |= {"member_count": len(members), "members": members}
    async with httpx.AsyncClient(base_url=platform.settings.registry_url) as client:
        response = await client.post(
            "/commands/digital-teams/establish",
            json=body,
            headers=principal_headers(
                platform.settings, service="registry", method="POST", path="/commands/digital-teams/establish"
            ),
        )
    assert response.status_code == 201, response.text


async def test_a_teams_members_reach_only_subscribers_with_personal_data_and_only_in_their_units(
    platform: Platform,
) -> None:
    """Failed before the fix: a ``read`` partner received ``data.members`` (names and roles),
    and a partner bound to Pác Nặm received Ba Bể's team event."""
    await add_partners(platform, READERS)
    province = await build_province(platform, communes=1, villages=1)
    commune = province.communes[0]
    await register_unit(platform, "062", "Huyện Pác Nặm", "DISTRICT", "06")
    await register_unit(platform, "06200", "Xã Bộc Bố", "COMMUNE", "062")
    await platform.eventually(lambda: _knows(platform, "06200"))
    async with (
        subscriber(platform, "reader") as reader,
        subscriber(platform, "personal") as personal,
        subscriber(platform, "elsewhere") as elsewhere,
    ):
        as_reader = asyncio.create_task(first_in(reader, TEAM_EVENTS, commune))
        as_personal = asyncio.create_task(first_in(personal, TEAM_EVENTS, commune))
        as_elsewhere = asyncio.create_task(first(elsewhere, TEAM_EVENTS, {}))
        await subscribed(platform, 3)
        await establish_team(platform, commune, MEMBERS)
        await establish_team(platform, "06200", MEMBERS[:1])

        to_reader = (await asyncio.wait_for(as_reader, 5))["events"]
        assert to_reader["type"] == "registry.digital_team_established"
        assert "members" not in to_reader["data"]
        assert to_reader["data"]["member_count"] == 2  # what a query shows (DigitalTeam.memberCount)

        to_personal = (await asyncio.wait_for(as_personal, 5))["events"]
        assert to_personal["data"]["members"] == MEMBERS

        to_elsewhere = (await asyncio.wait_for(as_elsewhere, 5))["events"]
        assert to_elsewhere["unitCode"] == "06200", "a partner bound to Pác Nặm received Ba Bể's event"
        assert to_elsewhere["data"]["members"] == MEMBERS[:1]


# --- a credential that stops working closes the connection -----------------------------------

DOOMED = {"doomed": Partner(name="live-doomed", scopes=frozenset({"read"}))}
STEADY = {"steady": Partner(name="live-steady", scopes=frozenset({"read"}))}


async def open_subscription(platform: Platform, who: str, already: int = 0) -> ClientConnection:
    socket = await connect(platform.ws_url, subprotocols=[Subprotocol("graphql-transport-ws")])
    init = {"type": "connection_init", "payload": {"authorization": f"Bearer {platform.keys[who]}"}}
    await socket.send(json.dumps(init))
    assert json.loads(await socket.recv())["type"] == "connection_ack"
    query = 'subscription { events(types: ["test.never"]) { id } }'
    await socket.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": query}}))
    await subscribed(platform, already + 1)
    return socket


async def revoke(platform: Platform, name: str) -> None:
    """As ``tinhso partners revoke`` does: through the partner store, from another process's pool."""
    pool = await create_pool(platform.settings.database_url, service="test", max_size=1)
    try:
        await PartnerStore(pool).revoke(name)
    finally:
        await pool.close()


async def closed_code(socket: ClientConnection) -> int | None:
    with pytest.raises(ConnectionClosed) as closed:
        await drain(socket)
    return closed.value.rcvd.code if closed.value.rcvd else None


async def test_a_revoked_keys_open_subscription_is_closed_with_4403_at_the_next_check(settings: Settings) -> None:
    """Failed before the fix: the socket stayed open, its subscription live, after the revoke."""
    fast = msgspec.structs.replace(settings, ws_recheck_seconds=1.0, auth_cache_seconds=0.5)
    async for running in start_platform(fast):
        await add_partners(running, DOOMED | STEADY)
        steady = await open_subscription(running, "steady")
        socket = await open_subscription(running, "doomed", already=1)
        try:
            await revoke(running, DOOMED["doomed"].name)
            revoked_at = time.monotonic()
            assert await closed_code(socket) == 4403
            # One check interval plus what the authenticator's cache adds, with room for a busy machine.
            assert time.monotonic() - revoked_at < 1.0 + 0.5 + 2.0
            await running.eventually(functools.partial(_subscribed_exactly, running, 1), timeout=5)
            # The valid key's connection has passed its checks too, and is still served.
            now = datetime.datetime.now(datetime.UTC)
            running.consumer.hub.publish(LiveEvent("still-here", "test.never", "s", now, now, None, None, {}))
            message = json.loads(await asyncio.wait_for(steady.recv(), 5))
            assert message["payload"]["data"]["events"]["id"] == "still-here"
        finally:
            await socket.close()
            await steady.close()


async def _subscribed_exactly(platform: Platform, count: int) -> bool:
    """The closed connection's subscription has ended (the hub no longer feeds it)."""
    return len(platform.consumer.hub.subscribers) == count


async def test_a_revoked_key_refused_on_a_request_closes_its_sockets_at_once(settings: Settings) -> None:
    """With a check only every 5 minutes, the socket closes as soon as the same gateway refuses
    the key on another request: the process knows, so it does not wait. Failed before the fix."""
    slow = msgspec.structs.replace(settings, ws_recheck_seconds=300.0, auth_cache_seconds=0.0)
    async for running in start_platform(slow):
        await add_partners(running, DOOMED)
        socket = await open_subscription(running, "doomed")
        try:
            # Key ids are not secret: a wrong secret under this key's id closes nothing.
            forged = running.keys["doomed"][: -len("secret")] + "forged"
            wrong = await running.http.post(
                "/graphql", json={"query": "{ __typename }"}, headers={"authorization": f"Bearer {forged}"}
            )
            assert wrong.status_code == 401
            now = datetime.datetime.now(datetime.UTC)
            running.consumer.hub.publish(LiveEvent("still-open", "test.never", "s", now, now, None, None, {}))
            message = json.loads(await asyncio.wait_for(socket.recv(), 5))
            assert message["payload"]["data"]["events"]["id"] == "still-open"

            await revoke(running, DOOMED["doomed"].name)
            refused = await running.http.post(
                "/graphql", json={"query": "{ __typename }"}, headers=running.auth("doomed")
            )
            assert refused.status_code == 401
            assert refused.json()["code"] == "invalid_api_key"
            refused_at = time.monotonic()
            assert await closed_code(socket) == 4403
            assert time.monotonic() - refused_at < 2.0
        finally:
            await socket.close()
