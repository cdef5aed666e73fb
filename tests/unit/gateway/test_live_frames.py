"""An ``events`` subscription completed from its plan sends what the GraphQL executor answers."""

from __future__ import annotations

import asyncio
import datetime
import functools
import json
from typing import Any, cast

import msgspec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from libs.common.principal import Principal, PrincipalSigner
from libs.common.settings import load_settings
from services.gateway.adapters.internal import InternalServices
from services.gateway.events.cursor import FeedCursor
from services.gateway.events.directory import UnitDirectory
from services.gateway.events.hub import EventHub, LiveEvent
from services.gateway.graphql.context import Gateway, GatewayContext
from services.gateway.graphql.limits import Limits
from services.gateway.graphql.live_frames import encoded_or_none, running_operation
from services.gateway.graphql.schema import build_schema

NOW = datetime.datetime(2026, 12, 7, 9, 30, tzinfo=datetime.UTC)
TYPE = "broadcast.cluster_signal_lost"
PLANNED = f"""subscription {{ feed: events(types: ["{TYPE}"]) {{
  id type streamId occurredAt at: recordedAt unitCode data cursor __typename id
}} }}"""
EXECUTED = f"""subscription {{ feed: events(types: ["{TYPE}"]) {{
  ...Parts type streamId occurredAt at: recordedAt unitCode data @include(if: true) cursor __typename
}} }}
fragment Parts on Event {{ id }}"""


@functools.cache
def _schema() -> Any:
    return build_schema(Limits())


class Recorder:
    """Stands in for strawberry's operation: keeps the messages sent through it."""

    id = "op-1"

    def __init__(self) -> None:
        self.sent: asyncio.Queue[dict[str, Any]] = asyncio.Queue()

    async def send_operation_message(self, message: dict[str, Any]) -> None:
        # What goes on the wire: the bytes the gateway controller's encode_json sends.
        encoded = encoded_or_none(message)
        await self.sent.put(json.loads(encoded) if encoded is not None else message)


async def _first(document: str, event: LiveEvent, reader: Principal) -> tuple[dict[str, Any], str]:
    """The first answer of a subscription to ``document`` once ``event`` is published, and how
    it came: ``sent`` by the resolver itself (planned) or ``executed`` by strawberry."""
    services = InternalServices(load_settings({}), PrincipalSigner(Ed25519PrivateKey.generate()))
    hub = EventHub()
    gateway = Gateway(services=services, hub=hub, directory=UnitDirectory(), limits=Limits())
    recorder = Recorder()
    running_operation.set(cast(Any, recorder))
    stream: Any = await _schema().subscribe(document, context_value=GatewayContext.create(gateway, reader, cache=False))
    first = asyncio.ensure_future(stream.__anext__())
    try:
        async with asyncio.timeout(5):
            while not hub.subscribers:  # noqa: ASYNC110 - the hub has no event for it
                await asyncio.sleep(0.01)
        hub.publish(event)
        sent = asyncio.ensure_future(recorder.sent.get())
        done, _ = await asyncio.wait({first, sent}, timeout=5, return_when=asyncio.FIRST_COMPLETED)
        if sent in done:
            message = sent.result()
            assert message["id"] == recorder.id
            assert message["type"] == "next"
            data: dict[str, Any] = message["payload"]["data"]
            how = "sent"
        else:
            result = first.result()
            assert not result.errors
            data, how = result.data, "executed"
        sent.cancel()
    finally:
        first.cancel()
        await asyncio.gather(first, return_exceptions=True)
        await stream.aclose()
        await services.close()
    return data, how


async def test_a_planned_subscription_sends_what_the_executor_answers_for_the_same_event() -> None:
    cursor = FeedCursor(offsets={("broadcast", 0): 8}, recorded_at=NOW)
    event = LiveEvent(
        "e1", TYPE, "cluster_signal-c1", NOW, NOW, None, "06101", {"cluster_id": "c1"}, cursor=cursor,
        cursor_text=cursor.encode(), data_json=msgspec.Raw(b'{"cluster_id":"c1"}'),
    )  # fmt: skip
    reader = Principal(subject="ioc", scopes=frozenset({"read"}))
    planned, how = await _first(PLANNED, event, reader)
    executed, other_how = await _first(EXECUTED, event, reader)
    assert (how, other_how) == ("sent", "executed")
    assert planned == executed
    assert list(planned["feed"]) == ["id", "type", "streamId", "occurredAt", "at", "unitCode", "data", "cursor",
                                     "__typename"]  # fmt: skip
    assert planned["feed"]["at"] == NOW.isoformat()
    assert planned["feed"]["cursor"] == cursor.encode()


async def test_a_planned_subscription_hides_what_the_reader_may_not_see_as_the_executor_does() -> None:
    data = {"team_id": "t1", "members": [{"name": "Nguyễn Văn A"}]}
    event = LiveEvent(
        "e2", "registry.digital_team_members_changed", "team-1", NOW, NOW, None, "06101", data,
        data_json=msgspec.Raw(msgspec.json.encode(data)),
    )  # fmt: skip
    reader = Principal(subject="ioc", scopes=frozenset({"read"}))
    selection = "{ id data cursor }"
    planned, how = await _first(f"subscription {{ events {selection} }}", event, reader)
    executed, other_how = await _first(f"subscription {{ events {{ ... on Event {selection} }} }}", event, reader)
    assert (how, other_how) == ("sent", "executed")
    assert planned == executed
    assert planned["events"] == {"id": "e2", "data": {"team_id": "t1"}, "cursor": "e2"}


BATCH_PLANNED = f"""subscription {{ got: eventBatches(types: ["{TYPE}"], size: 3) {{
  __typename last: cursor items: events {{ id at: recordedAt data cursor }}
}} }}"""
BATCH_EXECUTED = f"""subscription {{ got: eventBatches(types: ["{TYPE}"], size: 3) {{
  __typename last: cursor items: events {{ ... on Event {{ id at: recordedAt data cursor }} }}
}} }}"""


async def test_a_planned_batch_subscription_sends_what_the_executor_answers_for_the_same_event() -> None:
    cursor = FeedCursor(offsets={("broadcast", 1): 4}, recorded_at=NOW)
    event = LiveEvent(
        "e3", TYPE, "cluster_signal-c3", NOW, NOW, None, "06101", {"cluster_id": "c3"}, cursor=cursor,
        cursor_text=cursor.encode(),
    )  # fmt: skip
    reader = Principal(subject="ioc", scopes=frozenset({"read"}))
    planned, how = await _first(BATCH_PLANNED, event, reader)
    executed, other_how = await _first(BATCH_EXECUTED, event, reader)
    assert (how, other_how) == ("sent", "executed")
    assert planned == executed
    assert planned["got"] == {
        "__typename": "EventBatch",
        "last": cursor.encode(),
        "items": [{"id": "e3", "at": NOW.isoformat(), "data": {"cluster_id": "c3"}, "cursor": cursor.encode()}],
    }
