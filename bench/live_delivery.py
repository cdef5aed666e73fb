"""The live feed's delivery cost in one process: events through the gateway's GraphQL
subscription pipeline to one subscriber, without a broker, a socket or other processes.

    .venv/bin/python bench/live_delivery.py            # about 20 seconds
    .venv/bin/python bench/live_delivery.py --events 20000 --profile

``EVENTS`` events are published to the hub at once; the figure is how fast one ``events``
subscription (the schema of ``services.gateway.graphql.schema``, its extensions, the resolver,
the hub) turns them into ``next`` messages, JSON-encoded as graphql-transport-ws sends them:
what every delivery of ``bench/gateway.py``'s live and replay figures costs before the socket.
It runs twice in the same process: executed by strawberry (any selection the plan does not
cover), then completed from the subscription's plan and sent by the resolver, as over the
gateway's WebSocket (``graphql.live_frames``). ``--profile`` prints the cProfile of each loop.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import datetime
import functools
import json
import pstats
import sys
import time
import uuid
from pathlib import Path
from typing import Any, cast

if __name__ == "__main__":  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import msgspec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from bench._common import Report, Row, ratio, rounded, say
from libs.common.principal import Principal, PrincipalSigner
from libs.common.settings import load_settings
from services.gateway.adapters.internal import InternalServices
from services.gateway.events.directory import UnitDirectory
from services.gateway.events.hub import EventHub, LiveEvent
from services.gateway.events.records import FeedRecord, Taken, live_event
from services.gateway.graphql.context import Gateway, GatewayContext
from services.gateway.graphql.limits import Limits
from services.gateway.graphql.live_frames import encoded_or_none, running_operation
from services.gateway.graphql.schema import build_schema

EVENTS = 5000
TYPE = "broadcast.cluster_signal_lost"
DOCUMENT = f'subscription {{ events(types: ["{TYPE}"]) {{ id recordedAt cursor }} }}'


def _events(count: int) -> list[LiveEvent]:
    """Events as the live consumer makes them (``records.live_event``), each with its cursor."""
    now = datetime.datetime.now(datetime.UTC)
    offsets = {(s, p): 1000 for s in ("registry", "broadcast", "metrics") for p in range(3)}
    directory = UnitDirectory()
    out = []
    for n in range(count):
        envelope = FeedRecord(
            event_id=str(uuid.uuid4()), stream_id=f"cluster_signal-c{n}", type=TYPE, occurred_at=now,
            recorded_at=now, tx_id=n, position=n, data=msgspec.Raw(b"{}"),
        )  # fmt: skip
        offsets[("broadcast", n % 3)] += 1
        taken = Taken(envelope=envelope, data={"cluster_id": f"c{n}", "unit_code": "06101"})
        out.append(live_event(taken, directory, (("broadcast", n % 3), n), dict(offsets)))
    return out


class _Outlet:
    """Stands in for the WebSocket operation a planned subscription sends through: it encodes
    each message as the gateway's handler does (``json.dumps``, unless the resolver encoded it
    already), and counts them."""

    id = "1"

    def __init__(self, count: int) -> None:
        self.remaining = count
        self.done = asyncio.Event()
        self.payloads: list[Any] = []

    async def send_operation_message(self, message: dict[str, Any]) -> None:
        if encoded_or_none(message) is None:
            json.dumps(message)
        self.payloads.append(message)
        self.remaining -= 1
        if self.remaining == 0:
            self.done.set()


async def deliver(count: int, profile: bool, *, planned: bool) -> float:
    """Events/s through the subscription: completed from its plan and sent by the resolver
    (``graphql.live_frames``, as over the gateway's WebSocket), or executed by strawberry."""
    services = InternalServices(load_settings({}), PrincipalSigner(Ed25519PrivateKey.generate()))
    hub = EventHub(queue_size=count + 1)
    gateway = Gateway(services=services, hub=hub, directory=UnitDirectory(), limits=Limits())
    reader = Principal(subject="bench", scopes=frozenset({"read"}))
    context = GatewayContext.create(gateway, reader, cache=False)
    outlet = _Outlet(count)
    token = running_operation.set(cast(Any, outlet) if planned else None)
    stream: Any = await _schema().subscribe(DOCUMENT, context_value=context)
    first = asyncio.ensure_future(stream.__anext__())  # the resolver's task: it sees the outlet
    running_operation.reset(token)
    profiler = cProfile.Profile() if profile else None
    try:
        while not hub.subscribers:  # noqa: ASYNC110 - the hub has no event for it
            await asyncio.sleep(0.01)
        events = _events(count)
        hub.publish(events[0])
        if planned:
            while not outlet.payloads:  # noqa: ASYNC110 - the first message is sent by another task
                await asyncio.sleep(0)
        else:
            await first
        began = time.perf_counter()
        if profiler:
            profiler.enable()
        for event in events[1:]:
            hub.publish(event)
        if planned:
            await outlet.done.wait()
        else:
            for _ in range(count - 1):
                result = await stream.__anext__()
                json.dumps({"id": "1", "type": "next", "payload": {"data": result.data}})
        took = time.perf_counter() - began
        if profiler:
            profiler.disable()
            pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(30)
    finally:
        first.cancel()
        await asyncio.gather(first, return_exceptions=True)
        await stream.aclose()
        await services.close()
    return (count - 1) / took


@functools.cache
def _schema() -> Any:
    return build_schema(Limits())


def cli() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--events", type=int, default=EVENTS)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    say(f"delivering {args.events} events to one events subscription, in process, executed then planned")
    executed = asyncio.run(deliver(args.events, args.profile, planned=False))
    planned = asyncio.run(deliver(args.events, args.profile, planned=True))
    report = Report()
    report.add(
        Row(
            "events through one subscription",
            planned,
            "events/s",
            "the same, executed by strawberry",
            executed,
            ratio(planned, executed),
            target="≥ 20,000 events/s (replay)",
        )
    )
    report.put(live_delivery_events_per_s=planned, live_delivery_us_per_event=1e6 / planned,
               executed_events_per_s=executed, executed_us_per_event=1e6 / executed)  # fmt: skip
    print(report.render())
    print(json.dumps({k: rounded(v) for k, v in report.figures.items()}))


if __name__ == "__main__":
    cli()
