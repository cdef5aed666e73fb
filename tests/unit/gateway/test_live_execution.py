"""Live events completed from a plan answer exactly what the GraphQL executor answers."""

from __future__ import annotations

import asyncio
import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from libs.common.principal import Principal, PrincipalSigner
from libs.common.settings import load_settings
from services.gateway.adapters.internal import InternalServices
from services.gateway.events.cursor import FeedCursor
from services.gateway.events.directory import UnitDirectory
from services.gateway.events.hub import EventHub, LiveEvent
from services.gateway.graphql import live_execution
from services.gateway.graphql.context import Gateway, GatewayContext
from services.gateway.graphql.limits import Limits
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


async def _first(document: str, event: LiveEvent) -> dict[str, Any]:
    """The first result of a subscription to ``document`` once ``event`` is published."""
    services = InternalServices(load_settings({}), PrincipalSigner(Ed25519PrivateKey.generate()))
    hub = EventHub()
    gateway = Gateway(services=services, hub=hub, directory=UnitDirectory(), limits=Limits())
    reader = Principal(subject="ioc", scopes=frozenset({"read"}))
    stream: Any = await build_schema(Limits()).subscribe(
        document, context_value=GatewayContext.create(gateway, reader, cache=False)
    )
    try:
        first = asyncio.ensure_future(stream.__anext__())
        async with asyncio.timeout(5):
            while not hub.subscribers:  # noqa: ASYNC110 - the hub has no event for it
                await asyncio.sleep(0.01)
        hub.publish(event)
        result = await asyncio.wait_for(first, 5)
    finally:
        await services.close()
    assert not result.errors
    data: dict[str, Any] = result.data
    return data


async def test_a_planned_subscription_answers_what_the_executor_answers_for_the_same_event() -> None:
    cursor = FeedCursor(offsets={("broadcast", 0): 8}, recorded_at=NOW)
    event = LiveEvent(
        "e1", TYPE, "cluster_signal-c1", NOW, NOW, None, "06101", {"cluster_id": "c1"}, cursor=cursor,
        cursor_text=cursor.encode(),
    )  # fmt: skip
    planned, executed = await _first(PLANNED, event), await _first(EXECUTED, event)
    assert planned == executed
    assert list(planned["feed"]) == ["id", "type", "streamId", "occurredAt", "at", "unitCode", "data", "cursor",
                                     "__typename"]  # fmt: skip
    assert planned["feed"]["at"] == NOW.isoformat()
    assert planned["feed"]["cursor"] == cursor.encode()


def test_only_a_selection_of_event_leaves_without_fragments_or_directives_is_planned() -> None:
    def plan(document: str) -> live_execution.LivePlan | None:
        from graphql import parse  # noqa: PLC0415 - only this test parses by hand

        operation = parse(document).definitions[0]

        class Execution:
            pass

        execution: Any = Execution()
        execution.operation = operation
        return live_execution.plan_of(execution)

    assert plan(PLANNED) is not None
    assert plan(EXECUTED) is None
    assert plan("subscription { indicatorChanged { value } }") is None
    assert plan("query { platform { version } }") is None
