"""The subscription matrix of docs/services/gateway-security.md, cell by cell, over WebSocket.

Like the mutation matrix beside it, the table is the specification and this test reads it.
Every caller opens one socket and subscribes to every row; the admin then makes each row's
event. A cell is ``401``/``403`` when the subscription is refused with that code, ``ok`` when
the event arrives, ``not sent`` when the subscription runs and the event never comes (judged
once the admin's own subscription to the same row has received it, plus a grace period).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Subprotocol

from tests.integration.gateway.api_fixtures import INDICATOR, register_unit
from tests.integration.gateway.api_platform import Platform
from tests.integration.gateway.authz_support import (
    CALLERS as MATRIX_CALLERS,
)
from tests.integration.gateway.authz_support import (
    FORBIDDEN,
    UNAUTHENTICATED,
    WHO,
    build_targets,
    matrix_platform,
    read_table,
)

__all__ = ["matrix_platform"]  # the fixture, taken from the mutation matrix

CALLERS = (*MATRIX_CALLERS, "without read")
CALLER_KEYS = WHO | {"without read": "blind"}
GRACE_SECONDS = 3.0

SUBSCRIPTIONS = {
    "events (a Ba Bể cluster loses its signal)": (
        'subscription { events(types: ["broadcast.*"], unitCode: "061") { id } }'
    ),
    "events (a Pác Nặm commune is registered)": (
        'subscription { events(types: ["registry.unit_registered"], unitCode: "062") { id } }'
    ),
    "eventBatches (a Ba Bể cluster loses its signal)": (
        'subscription { eventBatches(types: ["broadcast.*"], unitCode: "061") { events { id } } }'
    ),
    "eventBatches (a Pác Nặm commune is registered)": (
        'subscription { eventBatches(types: ["registry.unit_registered"], unitCode: "062") { events { id } } }'
    ),
    "indicatorChanged (a Ba Bể commune's value)": (
        f'subscription {{ indicatorChanged(codes: ["{INDICATOR}"], unitCode: "061") {{ value }} }}'
    ),
    "indicatorChanged (a Pác Nặm commune's value)": (
        f'subscription {{ indicatorChanged(codes: ["{INDICATOR}"], unitCode: "062") {{ value }} }}'
    ),
}


def read_subscription_matrix() -> dict[str, dict[str, str]]:
    return read_table("authz-subscriptions", CALLERS)


class Listener:
    """One caller's socket: each row's subscription and what came of it."""

    def __init__(self, socket: ClientConnection) -> None:
        self.socket = socket
        self.outcome: dict[str, str] = {}
        self.arrived: dict[str, asyncio.Event] = {row: asyncio.Event() for row in SUBSCRIPTIONS}

    async def listen(self, rows: list[str]) -> None:
        async for raw in self.socket:
            message = json.loads(raw)
            kind = message.get("type")
            if kind == "ping":
                await self.socket.send(json.dumps({"type": "pong"}))
                continue
            if kind not in {"next", "error"}:
                continue
            row = rows[int(message["id"])]
            errors = message["payload"] if kind == "error" else message["payload"].get("errors")
            if errors:
                code = str(errors[0].get("extensions", {}).get("code"))
                self.outcome.setdefault(
                    row, "401" if code in UNAUTHENTICATED else FORBIDDEN.get(code, f"error {code}: {errors}")
                )
            else:
                self.outcome.setdefault(row, "ok")
            self.arrived[row].set()


@asynccontextmanager
async def listening(platform: Platform, who: str | None, rows: list[str]) -> AsyncIterator[Listener]:
    async with connect(platform.ws_url, subprotocols=[Subprotocol("graphql-transport-ws")]) as socket:
        payload = {"authorization": f"Bearer {platform.keys[who]}"} if who else {}
        await socket.send(json.dumps({"type": "connection_init", "payload": payload}))
        async with asyncio.timeout(10):
            assert json.loads(await socket.recv())["type"] == "connection_ack"
        for i, row in enumerate(rows):
            subscribe = {"id": str(i), "type": "subscribe", "payload": {"query": SUBSCRIPTIONS[row]}}
            await socket.send(json.dumps(subscribe))
        listener = Listener(socket)
        task = asyncio.create_task(listener.listen(rows))
        try:
            yield listener
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)


async def make_events(platform: Platform, cluster: str) -> dict[str, Any]:
    """Each row's event, made by the admin through /graphql."""
    made: dict[str, Any] = {}
    signal = {"clusterId": cluster, "signal": "NO_SIGNAL", "observedAt": "2023-05-01T08:00:00+07:00"}
    made["signal"] = await platform.data(
        "mutation($input: ReportClusterSignalInput!) { reportClusterSignal(input: $input) { id } }", {"input": signal}
    )
    await register_unit(platform, "06299", "Xã Mới", "COMMUNE", "062")
    for unit in ("06100", "06200"):
        value = {"indicatorCode": INDICATOR, "unitCode": unit, "period": "2023", "value": 42.0}
        made[unit] = await platform.data(
            "mutation($input: ReportIndicatorValueInput!) { reportIndicatorValue(input: $input) { value } }",
            {"input": value},
        )
    return made


async def test_every_subscription_is_allowed_refused_or_confined_as_the_matrix_specifies(
    matrix_platform: Platform,
) -> None:
    """Subscriptions were checked only for ``read`` in one test; the matrix now covers every
    caller, including the unit confinement a district centre's live events were missing
    before ADR 0020."""
    matrix = read_subscription_matrix()
    introspected = await matrix_platform.data("{ __schema { subscriptionType { fields { name } } } }")
    fields = {f["name"] for f in introspected["__schema"]["subscriptionType"]["fields"]}
    assert fields == {label.split(" ", 1)[0] for label in matrix}, "a subscription is missing from the matrix"
    assert set(matrix) == set(SUBSCRIPTIONS)

    targets = await build_targets(matrix_platform)
    rows = list(SUBSCRIPTIONS)
    async with AsyncExitStack() as stack:
        listeners = {
            caller: await stack.enter_async_context(listening(matrix_platform, CALLER_KEYS[caller], rows))
            for caller in CALLERS
        }
        await asyncio.sleep(1.0)  # every subscription started (or refused) before the events
        await make_events(matrix_platform, targets.cluster)
        async with asyncio.timeout(60):
            for row in rows:
                await listeners["admin"].arrived[row].wait()
        await asyncio.sleep(GRACE_SECONDS)

    for row in rows:
        observed = {caller: listeners[caller].outcome.get(row, "not sent") for caller in CALLERS}
        assert observed == matrix[row], f"{row}: expected {matrix[row]}, got {observed}"
