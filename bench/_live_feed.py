"""The live feed's figures for ``bench/gateway.py``, each beside a raw consume of the same topic.

(d) live subscribers: ``LIVE_SUBSCRIPTIONS`` subscriptions to one gateway process (20 per
    WebSocket, the per-connection cap), and the delay from each event's commit (``recordedAt``)
    to its arrival at every subscriber, beside a bare consumer of the same topic in the bench
    process (the floor: relay, broker and fetch);
(e) resume-replay: ``REPLAY_EVENTS`` signed records appended to the broadcast topic while a
    subscriber is away; once the gateway's live consumer has read past them (a marker record
    per partition reaches a live subscriber) and the machine is quiet again (the services have
    digested them), the subscriber resumes with the cursor it held
    and receives them all (events/s): through ``events`` (one event to a message) and through
    ``eventBatches`` (``REPLAY_BATCH`` to a message), beside a bare consumer reading the same
    records (records/s).
"""

from __future__ import annotations

import asyncio
import datetime
import itertools
import json
import os
import time
import uuid
from collections.abc import Sequence
from typing import Any, Protocol

import msgspec
from aiokafka import AIOKafkaConsumer, TopicPartition
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosedError
from websockets.typing import Subprotocol

from bench._common import CpuMeter, Report, Row, machine_busy_seconds, percentile, ratio, say
from contracts.envelope import Envelope
from contracts.services import EVENT_SOURCED
from libs.common.event_signing import RecordSigner
from libs.common.kafka import make_consumer, make_producer
from libs.common.settings import Settings
from services.gateway.events.cursor import FeedCursor

LIVE_SUBSCRIPTIONS = 10_000
PER_CONNECTION = 20
LIVE_EVENTS = 5
REPLAY_EVENTS = 100_000
LIVE = 'subscription { events(types: ["registry.unit_registered"]) { id recordedAt } }'
REPLAYED = 'subscription($after: ID) { events(types: ["broadcast.cluster_signal_lost"], after: $after) { id } }'
REPLAY_BATCH = 500
REPLAYED_IN_BATCHES = (
    'subscription($after: ID, $size: Int!) { eventBatches(types: ["broadcast.cluster_signal_lost"], after: $after, '
    "size: $size) { events { id } } }"
)
MARKER_TYPE = "broadcast.cluster_signal_restored"
MARKED = f'subscription {{ events(types: ["{MARKER_TYPE}"]) {{ streamId }} }}'
REGISTER = "mutation($i: RegisterUnitInput!) { registerUnit(input: $i) { id } }"

_positions = itertools.count(0, 10**9)
"""Source positions of each batch of records the bench appends, clear of each other's."""
_codes = itertools.count(70)
"""Province codes the live figure registers (two digits), one per event across its runs."""
_envelope = msgspec.json.Decoder(Envelope)
_encode = msgspec.json.Encoder().encode


class Gateway(Protocol):
    """What of the bench's platform these figures use."""

    ports: dict[str, int]
    key: str

    @property
    def gateway_pid(self) -> int | None: ...

    async def mutate(self, query: str, variables: dict[str, Any]) -> None: ...


async def open_socket(gateway: Gateway, subscriptions: Sequence[dict[str, Any]]) -> ClientConnection:
    """A connection holding ``subscriptions``; one refused while the machine is overloaded (the
    key check timing out: close 4500) is tried again, twice at most."""
    for attempt in range(3):
        try:
            return await _open_socket(gateway, subscriptions)
        except ConnectionClosedError as exc:
            if attempt == 2 or exc.rcvd is None or exc.rcvd.code != 4500:
                raise
            say(f"a connection was refused ({exc.rcvd.code} {exc.rcvd.reason}); trying again")
            await asyncio.sleep(1.0)
    raise AssertionError("unreachable")


async def _open_socket(gateway: Gateway, subscriptions: Sequence[dict[str, Any]]) -> ClientConnection:
    url = f"ws://127.0.0.1:{gateway.ports['gateway']}/graphql"
    # No client keepalive: a ping left unanswered while the gateway is busy (the replay's whole
    # point) would close the connection and end the figure; the gateway pings on its own.
    socket = await connect(
        url,
        subprotocols=[Subprotocol("graphql-transport-ws")],
        max_queue=None,
        max_size=None,
        ping_interval=None,
    )
    await socket.send(json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {gateway.key}"}}))
    ack = json.loads(await socket.recv())
    if ack["type"] != "connection_ack":
        raise RuntimeError(f"connection refused: {ack}")
    for n, payload in enumerate(subscriptions):
        await socket.send(json.dumps({"id": str(n), "type": "subscribe", "payload": payload}))
    return socket


async def _registry_from_its_end(settings: Settings) -> AIOKafkaConsumer:
    """A raw consumer of the registry's topic, from its end."""
    consumer = _consumer(settings.kafka_bootstrap)
    await consumer.start()
    topic = settings.topic("registry")
    partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
    if not partitions:
        partitions = [TopicPartition(topic, p) for p in range(settings.kafka_partitions)]
    consumer.assign(partitions)
    await consumer.seek_to_end(*partitions)
    return consumer


def _registered_code(envelope: Envelope) -> str | None:
    if envelope.type != "registry.unit_registered":
        return None
    code = msgspec.json.decode(envelope.data).get("code")
    return code if isinstance(code, str) else None


def _consumer(bootstrap: str) -> AIOKafkaConsumer:
    return make_consumer(bootstrap, group_id=None, enable_auto_commit=False, fetch_max_wait_ms=25)


async def live_subscribers(gateway: Gateway, settings: Settings, report: Report, total: int) -> None:
    connections = total // PER_CONNECTION
    say(f"live subscribers: {total} subscriptions on {connections} connections, {LIVE_EVENTS} events")
    sockets: list[ClientConnection] = []
    for start in range(0, connections, 25):
        batch = range(start, min(start + 25, connections))
        sockets += await asyncio.gather(*(open_socket(gateway, [{"query": LIVE}] * PER_CONNECTION) for _ in batch))
    await asyncio.sleep(3.0)  # every subscription registered server-side
    delays: list[float] = []
    raw: list[float] = []
    decode = msgspec.json.decode

    async def read(socket: ClientConnection) -> None:
        for _ in range(PER_CONNECTION * LIVE_EVENTS):
            message = decode(await socket.recv())
            arrived = datetime.datetime.now(datetime.UTC)
            if message["type"] != "next":
                raise RuntimeError(f"subscription answered {message}")
            recorded = datetime.datetime.fromisoformat(message["payload"]["data"]["events"]["recordedAt"])
            delays.append((arrived - recorded).total_seconds())

    baseline = await _registry_from_its_end(settings)

    sent: set[str] = set()
    """Codes of the units this figure registers: the raw consumer times their events only, as
    the subscriptions see them (an older record read first would time the topic's backlog)."""

    async def read_raw() -> None:
        while len(raw) < LIVE_EVENTS:
            for records in (await baseline.getmany(timeout_ms=100)).values():
                arrived = datetime.datetime.now(datetime.UTC)
                for record in records:
                    envelope = None if record.value is None else _envelope.decode(record.value)
                    if envelope is not None and _registered_code(envelope) in sent:
                        raw.append((arrived - envelope.recorded_at).total_seconds())

    readers = [asyncio.create_task(read(s)) for s in sockets]
    raw_reader = asyncio.create_task(read_raw())
    try:
        for n in range(LIVE_EVENTS):
            unit = {"code": str(next(_codes)), "name": f"Bench {n}", "level": "PROVINCE", "validFrom": "2020-01-01"}
            sent.add(unit["code"])
            await gateway.mutate(REGISTER, {"i": unit})
            await asyncio.sleep(3.0)  # latency, not throughput: each event fans out before the next
        await asyncio.wait_for(asyncio.gather(*readers, raw_reader), 120)
    finally:
        for task in (*readers, raw_reader):
            task.cancel()
        await asyncio.gather(*readers, raw_reader, return_exceptions=True)
        await baseline.stop()
        await asyncio.gather(*(s.close() for s in sockets))
    p50, p99 = percentile(delays, 50) * 1000, percentile(delays, 99) * 1000
    raw_p99 = percentile(raw, 99) * 1000
    report.add(Row(f"live delivery p50 ({total} subscribers)", p50, "ms", target="commit → subscriber"))
    report.add(
        Row(
            f"live delivery p99 ({total} subscribers)",
            p99,
            "ms",
            "raw consume p99 (bench process)",
            raw_p99,
            ratio(p99, raw_p99),
            target="≤ 200 ms",
        )
    )
    report.put(**{f"live_{total}_p50_ms": p50, f"live_{total}_p99_ms": p99, f"live_{total}_max_ms": max(delays) * 1000,
                  f"live_{total}_raw_p99_ms": raw_p99, f"live_{total}_deliveries": len(delays)})  # fmt: skip


def _records(
    count: int, partitions: int, event_type: str = "broadcast.cluster_signal_lost", streams: str = "cluster-bench"
) -> list[tuple[int, str, bytes]]:
    """``count`` events of ``event_type`` spread over the partitions: (partition, stream, value)."""
    now = datetime.datetime.now(datetime.UTC)
    base = 10**12 + next(_positions)  # above any source position the relay has published: not copies
    out = []
    for n in range(count):
        stream = f"{streams}-{n % 500}"
        envelope = Envelope(
            event_id=uuid.uuid4(),
            stream_id=stream,
            stream_type="speaker_cluster",
            version=n // 500 + 1,
            type=event_type,
            schema_version=1,
            occurred_at=now,
            recorded_at=now,
            tx_id=base + n,
            position=n,
            data=msgspec.Raw(_encode({"cluster_id": stream, "observed_at": now.isoformat()})),
        )
        out.append((n % partitions, stream, _encode(envelope)))
    return out


async def _append(settings: Settings, topic: str, records: list[tuple[int, str, bytes]]) -> None:
    """Signed ``records`` on ``topic``, acknowledged a thousand at a time (a relay's batches)."""
    signer = RecordSigner.from_settings(settings, "broadcast")
    producer = make_producer(settings, "tinhso-bench-replay")
    await producer.start()
    count = len(records)
    try:
        for start in range(0, count, 1000):
            futures = []
            for partition, stream, value in records[start : start + 1000]:
                headers = [signer.header(value, partition)]
                futures.append(
                    await producer.send(topic, value=value, key=stream.encode(), partition=partition, headers=headers)
                )
            await asyncio.gather(*futures)
    finally:
        await producer.stop()


async def resume_replay(gateway: Gateway, settings: Settings, report: Report, count: int) -> None:
    say(f"resume-replay: {count} events appended while a subscriber is away")
    topic = settings.topic("broadcast")
    probe = _consumer(settings.kafka_bootstrap)
    await probe.start()
    try:
        every = [TopicPartition(settings.topic(s), p) for s in EVENT_SOURCED for p in range(settings.kafka_partitions)]
        ends = await probe.end_offsets(every)
    finally:
        await probe.stop()
    services = {settings.topic(s): s for s in EVENT_SOURCED}
    cursor = FeedCursor(
        offsets={(services[tp.topic], tp.partition): at for tp, at in ends.items()},
        recorded_at=datetime.datetime.now(datetime.UTC),
    ).encode()
    await _append(settings, topic, _records(count, settings.kafka_partitions))
    await _live_consumer_past(gateway, settings, topic)
    await _machine_quiet()

    replay_rate, replay_cpu = await _replayed(
        gateway, count, {"query": REPLAYED, "variables": {"after": cursor}}, one=True
    )
    batches = {"query": REPLAYED_IN_BATCHES, "variables": {"after": cursor, "size": REPLAY_BATCH}}
    batch_rate, batch_cpu = await _replayed(gateway, count, batches, one=False)

    raw = _consumer(settings.kafka_bootstrap)
    await raw.start()
    try:
        mine = [TopicPartition(topic, p) for p in range(settings.kafka_partitions)]
        raw.assign(mine)
        for tp in mine:
            raw.seek(tp, ends[tp])
        began, got = time.monotonic(), 0
        while got < count:
            got += sum(len(r) for r in (await raw.getmany(timeout_ms=500, max_records=5000)).values())
        raw_rate = count / (time.monotonic() - began)
    finally:
        await raw.stop()
    report.add(
        Row(
            f"resume-replay of {count} missed events",
            replay_rate,
            "events/s",
            "raw consume of the same records",
            raw_rate,
            ratio(replay_rate, raw_rate),
            target="≥ 20,000 events/s",
        )
    )
    report.add(
        Row(
            f"resume-replay of {count} missed events, {REPLAY_BATCH} to a message",
            batch_rate,
            "events/s",
            "raw consume of the same records",
            raw_rate,
            ratio(batch_rate, raw_rate),
            target="≥ 20,000 events/s",
        )
    )
    report.put(replay_events=count, replay_events_per_s=replay_rate, replay_batched_events_per_s=batch_rate,
               replay_batch=REPLAY_BATCH, replay_raw_records_per_s=raw_rate,
               replay_gateway_cpu_us_per_event=replay_cpu["gateway"] / count * 1e6,
               replay_batched_gateway_cpu_us_per_event=batch_cpu["gateway"] / count * 1e6,
               replay_batched_client_cpu_us_per_event=batch_cpu["bench"] / count * 1e6,
               replay_batched_other_cpu_us_per_event=batch_cpu["other"] / count * 1e6)  # fmt: skip


IDLE_CORES = 0.75
"""Below this much of a core busy over a second, the machine counts as quiet."""
IDLE_WAIT_SECONDS = 120.0


async def _machine_quiet() -> None:
    """Waits until the services have digested what came before the replay (the records just
    appended, an earlier figure's backlog), as they would have long before a console came back:
    the machine's busy CPU over a second drops under ``IDLE_CORES``. Gives up after
    ``IDLE_WAIT_SECONDS`` and says so, and the figure is then measured on a busy machine."""
    began = time.monotonic()
    while time.monotonic() - began < IDLE_WAIT_SECONDS:
        before = machine_busy_seconds()
        await asyncio.sleep(1.0)
        if machine_busy_seconds() - before < IDLE_CORES:
            say(f"  the machine was quiet after {time.monotonic() - began:.0f} s")
            return
    say(f"  the machine was still busy after {IDLE_WAIT_SECONDS:.0f} s: the replay shares it")


async def _live_consumer_past(gateway: Gateway, settings: Settings, topic: str) -> None:
    """Returns once the gateway's live consumer has read every record appended so far: a marker
    appended to each partition has reached a live subscriber (a partition is read in order)."""
    partitions = settings.kafka_partitions
    socket = await open_socket(gateway, [{"query": MARKED}])
    try:
        await asyncio.sleep(1.0)  # the subscription is registered before its markers are appended
        await _append(settings, topic, _records(partitions, partitions, MARKER_TYPE, "cluster-bench-marker"))
        for _ in range(partitions):
            message = msgspec.json.decode(await asyncio.wait_for(socket.recv(), 600))
            if message["type"] != "next":
                raise RuntimeError(f"the marker subscription answered {message}")
    finally:
        await socket.close()


async def _replayed(
    gateway: Gateway, count: int, subscription: dict[str, Any], *, one: bool
) -> tuple[float, dict[str, float]]:
    """Events/s of a subscription resuming ``count`` events (``one``: one event to a message),
    and the CPU seconds the gateway, the bench (the client) and the rest of the machine used
    meanwhile: a figure a loaded machine changes less than the rate."""
    meter = CpuMeter({"gateway": gateway.gateway_pid, "bench": os.getpid()}, solo=frozenset({"gateway", "bench"}))
    socket = await open_socket(gateway, [subscription])
    began, got = time.monotonic(), 0
    meter.start()
    try:
        while got < count:
            message = msgspec.json.decode(await asyncio.wait_for(socket.recv(), 60))
            if message["type"] != "next" or message["payload"].get("errors"):
                raise RuntimeError(f"replay answered {message}")
            got += 1 if one else len(message["payload"]["data"]["eventBatches"]["events"])
    finally:
        meter.stop()
        await socket.close()
    rate = count / (time.monotonic() - began)
    say(f"resume-replay, {'one' if one else REPLAY_BATCH} to a message: {rate:,.0f} events/s; CPU {meter.describe()}")
    return rate, meter.seconds
