"""Figures 2 and 5: commands through the HTTP API, in-process, and end to end.

- ``closed_loop``: N clients, each on its own keep-alive connection, sending the next
  command as soon as the last one answered, for a fixed time.
- ``in_process``: the same load -> decide -> append through ``CommandExecutor`` on a pool,
  N tasks, no HTTP.
- ``open_loop_e2e``: commands sent on a fixed schedule (open loop: a slow answer does not
  delay the next send, so queueing shows up in the latencies), one new stream per command,
  while the server's relay and projection run. The projection NOTIFYs at commit; latency
  is (NOTIFY received) - (scheduled send time).
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import msgspec

from bench._common import REPO, ServiceProcess, event_keys_dir, principal_for, principal_public_key_file, say
from bench._http import KeepAliveConnection
from contracts.envelope import Metadata
from libs.common.eventstore.commands import CommandExecutor
from tests.support.counter import CATALOGUE, COUNTER, Increment

BODY = b'{"by":1}'
BENCH_SERVICE = "test"
"""``bench/_server.py``'s service name: the audience of the tokens it accepts (ADR 0021)."""


@dataclass
class Load:
    ok: int = 0
    errors: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    """Seconds per command, as the caller saw it."""

    @property
    def rate(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0

    def merge(self, other: Load) -> None:
        self.ok += other.ok
        self.errors += other.errors
        self.seconds += other.seconds
        self.latencies.extend(other.latencies)


class ServerProcess(ServiceProcess):
    """The bench service (``bench/_server.py``) under uvicorn, in its own process."""

    def __init__(self, database_url: str, bootstrap: str, *, port: int, log_path: Path, **extra: str) -> None:
        env = {
            **os.environ,
            "BENCH_DATABASE_URL": database_url,
            "BENCH_BOOTSTRAP": bootstrap,
            "BENCH_PORT": str(port),
            "BENCH_PUBLIC_KEY_FILE": principal_public_key_file(),
            "BENCH_EVENT_KEYS_DIR": event_keys_dir(),
            **extra,
        }
        super().__init__(
            [sys.executable, str(REPO / "bench" / "_server.py")],
            env,
            port=port,
            log_path=log_path,
            label="bench server",
        )


async def relay_status(port: int) -> dict[str, Any]:
    """The service's ``GET /admin/relay``: published, pending, republished..."""
    conn = KeepAliveConnection("127.0.0.1", port, principal=principal_for(BENCH_SERVICE))
    try:
        status, body = await conn.get("/admin/relay")
    finally:
        await conn.close()
    found = msgspec.json.decode(body) if status == 200 and body else None
    return found if isinstance(found, dict) else {}


async def closed_loop(port: int, *, clients: int, seconds: float, streams: int, prefix: str) -> Load:
    load = Load()
    conns = [KeepAliveConnection("127.0.0.1", port, principal=principal_for(BENCH_SERVICE)) for _ in range(clients)]
    for conn in conns:
        await conn.connect()
    deadline = time.monotonic() + seconds

    async def client(c: int, conn: KeepAliveConnection) -> None:
        turn = 0
        while time.monotonic() < deadline:
            path = f"/streams/{prefix}{c}-{turn % streams}/increment"
            turn += 1
            sent = time.perf_counter()
            status, _ = await conn.post(path, BODY)
            if status < 300:
                load.ok += 1
                load.latencies.append(time.perf_counter() - sent)
            else:
                load.errors += 1

    began = time.monotonic()
    await asyncio.gather(*(client(c, conn) for c, conn in enumerate(conns)))
    load.seconds = time.monotonic() - began
    for conn in conns:
        await conn.close()
    return load


async def in_process(
    pool: asyncpg.Pool,
    schema: str,
    *,
    tasks: int,
    seconds: float,
    streams: int,
    batched: bool = True,
    prefix: str = "i",
) -> Load:
    """``batched=False``: each command loads and appends on its own, without group commit."""
    executor = CommandExecutor(pool, schema, CATALOGUE, batched=batched)
    load = Load()
    deadline = time.monotonic() + seconds

    async def worker(t: int) -> None:
        turn = 0
        while time.monotonic() < deadline:
            sent = time.perf_counter()
            metadata = Metadata(correlation_id=uuid.uuid4())  # what the API attaches, minus the trace
            await executor.execute(COUNTER, f"{prefix}{t}-{turn % streams}", Increment(by=1), metadata=metadata)
            turn += 1
            load.ok += 1
            load.latencies.append(time.perf_counter() - sent)

    began = time.monotonic()
    await asyncio.gather(*(worker(t) for t in range(tasks)))
    load.seconds = time.monotonic() - began
    return load


@dataclass
class EndToEnd:
    sent: int = 0
    errors: int = 0
    send_rate: float = 0.0
    http: list[float] = field(default_factory=list)
    """Scheduled send -> HTTP answer, seconds."""
    total: list[float] = field(default_factory=list)
    """Scheduled send -> the read model's commit observed (NOTIFY received), seconds."""
    to_recorded: list[float] = field(default_factory=list)
    """Scheduled send -> the event's recorded_at in the store."""
    recorded_to_visible: list[float] = field(default_factory=list)
    """The event's recorded_at -> the read model's commit observed."""
    missing: int = 0


class ReadModelWatch:
    """LISTENs to the projection's channel: stream id -> (recorded_at, observed at), wall clock."""

    def __init__(self, url: str, channel: str) -> None:
        self.url = url
        self.channel = channel
        self.seen: dict[str, tuple[float, float]] = {}
        self._conn: asyncpg.Connection | None = None

    async def __aenter__(self) -> ReadModelWatch:
        self._conn = await asyncpg.connect(self.url)
        await self._conn.add_listener(self.channel, self._on_notify)
        return self

    async def __aexit__(self, *_: object) -> None:
        if self._conn is not None:
            await self._conn.close()

    def _on_notify(self, _conn: object, _pid: int, _channel: str, payload: object) -> None:
        now = time.time()
        assert isinstance(payload, str)
        for entry in payload.split(","):
            stream, _, recorded_us = entry.partition("|")
            self.seen[stream] = (int(recorded_us) / 1e6, now)

    async def wait_for(self, streams: list[str], timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if all(s in self.seen for s in streams):
                return True
            await asyncio.sleep(0.01)
        return False


async def open_loop_e2e(
    port: int, watch: ReadModelWatch, *, rate: float, seconds: float, prefix: str, connections: int = 32
) -> EndToEnd:
    result = EndToEnd()
    idle: asyncio.Queue[KeepAliveConnection] = asyncio.Queue()
    for _ in range(connections):
        conn = KeepAliveConnection("127.0.0.1", port, principal=principal_for(BENCH_SERVICE))
        await conn.connect()
        idle.put_nowait(conn)
    total = int(rate * seconds)
    scheduled: dict[str, float] = {}

    async def send(stream: str, due_wall: float) -> None:
        conn = await idle.get()
        try:
            status, _ = await conn.post(f"/streams/{stream}/increment", BODY)
        finally:
            idle.put_nowait(conn)
        if status < 300:
            result.http.append(time.time() - due_wall)
        else:
            result.errors += 1

    tasks = []
    start_mono, start_wall = time.monotonic() + 0.05, time.time() + 0.05
    for i in range(total):
        delay = start_mono + i / rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        stream = f"{prefix}{i}"
        scheduled[stream] = start_wall + i / rate
        tasks.append(asyncio.create_task(send(stream, scheduled[stream])))
    result.send_rate = total / (time.monotonic() - start_mono)
    await asyncio.gather(*tasks)
    result.sent = total
    if not await watch.wait_for(list(scheduled), timeout=15):
        say("  some commands never showed in the read model within 15 s")
    for stream, due in scheduled.items():
        found = watch.seen.get(stream)
        if found is None:
            result.missing += 1
            continue
        recorded, visible = found
        result.total.append(visible - due)
        result.to_recorded.append(recorded - due)
        result.recorded_to_visible.append(visible - recorded)
    while not idle.empty():
        await idle.get_nowait().close()
    return result
