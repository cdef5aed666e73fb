"""The live feed's delivery cost in one process: events through the gateway's GraphQL
subscription pipeline to one subscriber, without a broker, a socket or other processes.

    .venv/bin/python bench/live_delivery.py            # about 20 seconds
    .venv/bin/python bench/live_delivery.py --events 20000 --profile

``EVENTS`` events are published to the hub at once; the figure is how fast one ``events``
subscription (the schema of ``services.gateway.graphql.schema``, its extensions, the resolver,
the hub) turns them into ``next`` payloads, JSON-encoded as graphql-transport-ws sends them:
what every delivery of ``bench/gateway.py``'s live and replay figures costs before the socket.
Its baseline, in the same run, is encoding the same payloads alone. ``--profile`` prints the
cProfile of the subscription's loop. On a shared machine, alternate runs of two checkouts.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import datetime
import json
import pstats
import sys
import time
import uuid
from pathlib import Path
from typing import Any

if __name__ == "__main__":  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import msgspec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from bench._common import Report, Row, ratio, rounded, say
from contracts.envelope import Envelope
from libs.common.principal import Principal, PrincipalSigner
from libs.common.settings import load_settings
from services.gateway.adapters.internal import InternalServices
from services.gateway.events.directory import UnitDirectory
from services.gateway.events.hub import EventHub, LiveEvent
from services.gateway.events.records import Taken, live_event
from services.gateway.graphql.context import Gateway, GatewayContext
from services.gateway.graphql.limits import Limits
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
        envelope = Envelope(
            event_id=uuid.uuid4(), stream_id=f"cluster_signal-c{n}", stream_type="cluster_signal",
            version=1, type=TYPE, schema_version=1, occurred_at=now, recorded_at=now, tx_id=n, position=n,
            data=msgspec.Raw(b"{}"),
        )  # fmt: skip
        offsets[("broadcast", n % 3)] += 1
        taken = Taken(envelope=envelope, data={"cluster_id": f"c{n}", "unit_code": "06101"})
        out.append(live_event(taken, directory, (("broadcast", n % 3), n), dict(offsets)))
    return out


async def deliver(count: int, profile: bool) -> tuple[float, float]:
    """(events/s through the subscription, payloads/s encoded alone)."""
    services = InternalServices(load_settings({}), PrincipalSigner(Ed25519PrivateKey.generate()))
    hub = EventHub(queue_size=count + 1)
    gateway = Gateway(services=services, hub=hub, directory=UnitDirectory(), limits=Limits())
    reader = Principal(subject="bench", scopes=frozenset({"read"}))
    context = GatewayContext.create(gateway, reader, cache=False)
    stream: Any = await build_schema(Limits()).subscribe(DOCUMENT, context_value=context)
    try:
        first = asyncio.ensure_future(stream.__anext__())
        while not hub.subscribers:  # noqa: ASYNC110 - the hub has no event for it
            await asyncio.sleep(0.01)
        for event in _events(count):
            hub.publish(event)
        payloads = [(await first).data]
        profiler = cProfile.Profile() if profile else None
        began = time.perf_counter()
        if profiler:
            profiler.enable()
        for _ in range(count - 1):
            result = await stream.__anext__()
            json.dumps({"id": "1", "type": "next", "payload": {"data": result.data}})
            payloads.append(result.data)
        took = time.perf_counter() - began
        if profiler:
            profiler.disable()
            pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(30)
    finally:
        await stream.aclose()
        await services.close()
    began = time.perf_counter()
    for data in payloads:
        json.dumps({"id": "1", "type": "next", "payload": {"data": data}})
    alone = time.perf_counter() - began
    return (count - 1) / took, len(payloads) / alone


def cli() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--events", type=int, default=EVENTS)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    say(f"delivering {args.events} events to one events subscription, in process")
    rate, encode_rate = asyncio.run(deliver(args.events, args.profile))
    report = Report()
    report.add(
        Row(
            "events through one subscription",
            rate,
            "events/s",
            "JSON-encoding the same payloads",
            encode_rate,
            ratio(rate, encode_rate),
            target="≥ 20,000 events/s (replay)",
        )
    )
    report.put(live_delivery_events_per_s=rate, live_delivery_us_per_event=1e6 / rate, encode_alone_per_s=encode_rate)
    print(report.render())
    print(json.dumps({k: rounded(v) for k, v in report.figures.items()}))


if __name__ == "__main__":
    cli()
