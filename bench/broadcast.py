"""Broadcast benchmark: batched signal reports and incident detection, each beside a raw baseline.

    .venv/bin/python bench/broadcast.py            # about a minute
    .venv/bin/python bench/broadcast.py --quick    # a shorter smoke run

Starts its own embedded PostgreSQL and broker in a temporary directory, writes a province of
100 communes, 100 stations and 5,000 loudspeaker clusters into the registry's event store,
runs the registry service (its relay publishes them) and the broadcast service (``python -m
services.broadcast``: uvicorn, its relay, projections and incident detector live) in
subprocesses, and measures:

(a) heartbeats ingested per second: 5,000 clusters reporting every 30 s, simulated (each round
    is one report per cluster, 30 s of observed time after the previous), sent as batches of
    500 through ``POST /commands/signal/report`` from 4 connections. Real time needs 167/s; the
    figure is the capacity. Baseline: the same batches as a bare asyncpg ``UPDATE ... FROM
    unnest`` of last-seen times on a table of 5,000 rows, from 4 tasks.
(b) incident-detection delay: with the threshold at 5 s, 300 clusters fall silent at staggered
    moments while the other 4,700 keep reporting every 2.5 s (so that none of them is silent
    for 5 s: 1,880 reports/s, eleven times the real rate, as background load); the delay of each is the
    time from its deadline (last report + threshold) to the ``signal_incident_opened`` event
    in the store (``recorded_at``), p50/p99. Baseline: a bare detector in this process that
    sleeps until the earliest deadline on a bare table (same scheduling rule, same 0.2 s cap)
    and marks the due rows with one ``UPDATE ... RETURNING`` (no events, no HTTP).

The table goes to stdout, then, as the very last line, one JSON object with every figure;
progress goes to stderr.
"""

from __future__ import annotations

import asyncio
import datetime
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

if __name__ == "__main__":  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import asyncpg
import msgspec
import uvloop

from bench._common import (
    Report,
    Row,
    Servers,
    ServiceProcess,
    embedded_servers,
    event_keys_dir,
    percentile,
    principal_for,
    principal_public_key_file,
    quiet_logging,
    ratio,
    rounded,
    say,
)
from bench._http import KeepAliveConnection
from contracts.base import Event
from contracts.registry_events import CATALOGUE as REGISTRY
from contracts.registry_events import RadioStationRegistered, SpeakerClusterRegistered, UnitLevel, UnitRegistered
from libs.common.db import create_pool
from libs.common.embedded.process import free_port
from libs.common.eventstore.commands import CommandExecutor, Transaction
from libs.common.kafka import ensure_topics
from libs.common.migrations import apply_migrations
from services.cli.catalogue import all_migrations

PREFIX = "benchbc"
COMMUNES = 100
CLUSTERS_PER_STATION = 50
CLUSTERS = COMMUNES * CLUSTERS_PER_STATION
INTERVAL = 30.0
BATCH = 500
CONNECTIONS = 4
THRESHOLD = 5
ALIVE_EVERY = 2.5
SILENT = 300
MAX_IDLE = 0.2


class Service(ServiceProcess):
    def __init__(self, name: str, servers: Servers, state: Path) -> None:
        port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("TINHSO_")}
        env.update(
            TINHSO_DATABASE_URL=servers.url,
            TINHSO_KAFKA_BOOTSTRAP=servers.broker.bootstrap,
            TINHSO_KAFKA_ENABLE_IDEMPOTENCE="off",
            TINHSO_PROJECTION_ASSIGNMENT="manual",
            TINHSO_TOPIC_PREFIX=PREFIX,
            TINHSO_STATE_DIR=str(state),
            TINHSO_LOG_LEVEL="warning",
            TINHSO_PRINCIPAL_PUBLIC_KEY_FILE=principal_public_key_file(),
            TINHSO_EVENT_KEYS_DIR=event_keys_dir(),
            **{f"TINHSO_{name.upper()}_PORT": str(port)},
        )
        super().__init__(
            [sys.executable, "-m", f"services.{name}"], env, port=port, log_path=state / f"{name}.log", label=name
        )


# --- the province, straight into the registry's store ----------------------------------------


async def write_province(db: asyncpg.Pool) -> list[str]:
    """Units, stations and clusters as registry events (the registry's relay publishes them)."""
    executor = CommandExecutor(db, "registry", REGISTRY)
    valid = datetime.date(2020, 2, 1)
    clusters: list[str] = []

    def unit(unit_id: str, code: str, level: UnitLevel, parent: str | None) -> UnitRegistered:
        return UnitRegistered(unit_id=unit_id, code=code, name=code, level=level, parent_id=parent, valid_from=valid)

    async def work(tx: Transaction) -> str:
        async def add(stream: str, kind: str, event: Event) -> None:
            await executor.store.append(tx.conn, stream, kind, 0, [event])

        await add("unit-p", "unit", unit("p", "06", "province", None))
        await add("unit-d", "unit", unit("d", "061", "district", "p"))
        for c in range(COMMUNES):
            commune, station = f"c{c}", f"s{c}"
            await add(f"unit-{commune}", "unit", unit(commune, f"{c + 10000:05d}", "commune", "d"))
            await add(
                f"radio_station-{station}",
                "radio_station",
                RadioStationRegistered(station_id=station, unit_id=commune, technology="IP"),
            )
            for k in range(CLUSTERS_PER_STATION):
                cluster = f"k{c}-{k}"
                clusters.append(cluster)
                await add(
                    f"speaker_cluster-{cluster}",
                    "speaker_cluster",
                    SpeakerClusterRegistered(cluster_id=cluster, station_id=station),
                )
        return "unit-p"

    await executor.run(work)
    return clusters


async def wait_for_view(db: asyncpg.Pool, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await db.fetchval("SELECT to_regclass('broadcast_registry.clusters')"):
            known = await db.fetchval(
                """SELECT count(*) FROM broadcast_registry.clusters c
                   JOIN broadcast_registry.stations s USING (station_id)
                   JOIN broadcast_registry.units u ON u.unit_id = s.unit_id"""
            )
            if known >= CLUSTERS:
                return
        await asyncio.sleep(0.2)
    raise TimeoutError("the broadcast service's registry view did not catch up")


# --- (a) heartbeats -----------------------------------------------------------------------


def rounds_of(clusters: list[str], rounds: int) -> list[list[tuple[str, datetime.datetime]]]:
    """``rounds`` simulated rounds ending now, 30 s of observed time apart, one report per cluster
    spread over its round (as 5,000 clocks would be)."""
    now = datetime.datetime.now(datetime.UTC)
    start = now - datetime.timedelta(seconds=INTERVAL * rounds)
    step = INTERVAL / len(clusters)
    return [
        [(c, start + datetime.timedelta(seconds=INTERVAL * r + step * n)) for n, c in enumerate(clusters)]
        for r in range(rounds)
    ]


def batches(reports: list[tuple[str, datetime.datetime]]) -> list[list[tuple[str, datetime.datetime]]]:
    return [reports[i : i + BATCH] for i in range(0, len(reports), BATCH)]


async def send_batches(port: int, work: list[list[tuple[str, datetime.datetime]]]) -> None:
    queue = list(reversed(work))
    conns = [KeepAliveConnection("127.0.0.1", port, principal=principal_for("broadcast")) for _ in range(CONNECTIONS)]

    async def sender(conn: KeepAliveConnection) -> None:
        while queue:
            batch = queue.pop()
            body = msgspec.json.encode(
                {"reports": [{"cluster_id": c, "kind": "HEARTBEAT", "observed_at": at} for c, at in batch]}
            )
            status, answer = await conn.post("/commands/signal/report", body)
            if status != 201:
                raise RuntimeError(f"signal/report answered {status}: {answer[:300]!r}")

    try:
        await asyncio.gather(*(sender(c) for c in conns))
    finally:
        for conn in conns:
            await conn.close()


async def raw_heartbeats(db: asyncpg.Pool, work: list[list[tuple[str, datetime.datetime]]]) -> float:
    async with db.acquire() as conn:
        await conn.execute(
            "CREATE SCHEMA IF NOT EXISTS raw; DROP TABLE IF EXISTS raw.liveness;"
            "CREATE TABLE raw.liveness (cluster_id text PRIMARY KEY, last_seen timestamptz)"
        )
        await conn.execute(
            "INSERT INTO raw.liveness SELECT DISTINCT c FROM unnest($1::text[]) c", [c for b in work for c, _ in b]
        )
    queue = list(reversed(work))

    async def task() -> None:
        while queue:
            batch = queue.pop()
            async with db.acquire() as conn:
                await conn.execute(
                    """UPDATE raw.liveness l SET last_seen = greatest(l.last_seen, u.at)
                       FROM unnest($1::text[], $2::timestamptz[]) AS u(id, at) WHERE l.cluster_id = u.id""",
                    [c for c, _ in batch],
                    [at for _, at in batch],
                )

    started = time.perf_counter()
    await asyncio.gather(*(task() for _ in range(CONNECTIONS)))
    return sum(len(b) for b in work) / (time.perf_counter() - started)


async def heartbeats(service: Service, db: asyncpg.Pool, clusters: list[str], rounds: int, report: Report) -> None:
    say(f"(a) {rounds} simulated rounds of {CLUSTERS:,} heartbeats, batches of {BATCH}, {CONNECTIONS} connections")
    work = [b for r in rounds_of(clusters, rounds + 1) for b in batches(r)]
    warm, measured = work[: CLUSTERS // BATCH], work[CLUSTERS // BATCH :]
    await send_batches(service.port, warm)  # first round creates the state rows; not measured
    started = time.perf_counter()
    await send_batches(service.port, measured)
    rate = sum(len(b) for b in measured) / (time.perf_counter() - started)
    say(f"  {rate:,.0f} heartbeats/s; raw baseline")
    raw = await raw_heartbeats(db, measured)
    baseline = "asyncpg UPDATE unnest, bare table"
    report.add(Row("heartbeats ingested (batched)", rate, "reports/s", baseline, raw, ratio(rate, raw), "167/s"))
    report.put(
        heartbeat_clusters=CLUSTERS,
        heartbeat_rounds=rounds,
        heartbeat_batch=BATCH,
        heartbeats_per_s=rate,
        raw_heartbeats_per_s=raw,
        heartbeats_ratio=ratio(rate, raw),
        heartbeats_needed_per_s=CLUSTERS / INTERVAL,
        heartbeats_headroom=rate / (CLUSTERS / INTERVAL),
    )


# --- (b) incident detection -----------------------------------------------------------------


def heartbeat_body(clusters: list[str], at: datetime.datetime) -> bytes:
    return msgspec.json.encode(
        {"reports": [{"cluster_id": c, "kind": "HEARTBEAT", "observed_at": at} for c in clusters]}
    )


async def post(conn: KeepAliveConnection, path: str, body: bytes) -> None:
    status, answer = await conn.post(path, body)
    if status != 201:
        raise RuntimeError(f"{path} answered {status}: {answer[:300]!r}")


async def keep_reporting(port: int, clusters: list[str], stop: asyncio.Event) -> None:
    """The clusters still alive report every ``ALIVE_EVERY`` s, in ticks of a tenth of them."""
    conn = KeepAliveConnection("127.0.0.1", port, principal=principal_for("broadcast"))
    tick = ALIVE_EVERY / 10
    share = [clusters[i::10] for i in range(10)]
    n = 0
    try:
        while not stop.is_set():
            for part in [share[n % 10][i : i + BATCH] for i in range(0, len(share[n % 10]), BATCH)]:
                await post(conn, "/commands/signal/report", heartbeat_body(part, datetime.datetime.now(datetime.UTC)))
            n += 1
            await asyncio.sleep(tick)
    finally:
        await conn.close()


async def detection(service: Service, db: asyncpg.Pool, clusters: list[str], report: Report) -> None:
    silent, alive = clusters[:SILENT], clusters[SILENT:]
    conn = KeepAliveConnection("127.0.0.1", service.port, principal=principal_for("broadcast"))
    say(f"(b) {SILENT} clusters fall silent over 3 s (threshold {THRESHOLD} s); {len(alive):,} keep reporting")
    # Everyone reports now, so no cluster is already past the short threshold when it is set.
    now = datetime.datetime.now(datetime.UTC)
    for part in batches([(c, now) for c in clusters]):
        await post(conn, "/commands/signal/report", heartbeat_body([c for c, _ in part], now))
    configured_at = await db.fetchval("SELECT clock_timestamp()")
    await post(conn, "/commands/signal/configure", msgspec.json.encode({"silence_threshold_seconds": THRESHOLD}))
    stop = asyncio.Event()
    background = asyncio.create_task(keep_reporting(service.port, alive, stop))
    try:
        for group in [silent[i : i + 30] for i in range(0, SILENT, 30)]:
            await post(conn, "/commands/signal/report", heartbeat_body(group, datetime.datetime.now(datetime.UTC)))
            await asyncio.sleep(0.3)
        deadline = time.monotonic() + 30
        rows: list[asyncpg.Record] = []
        while time.monotonic() < deadline:
            rows = await db.fetch(
                """SELECT e.data->>'cluster_id' AS cluster_id, e.recorded_at, s.last_observed_at
                   FROM broadcast.events e JOIN broadcast.cluster_signal s ON s.cluster_id = e.data->>'cluster_id'
                   WHERE e.type = 'broadcast.signal_incident_opened' AND e.recorded_at > $2
                     AND e.data->>'cluster_id' = ANY($1::text[])""",
                silent,
                configured_at,
            )
            if len(rows) >= SILENT:
                break
            await asyncio.sleep(0.2)
    finally:
        stop.set()
        await background
        await conn.close()
    delays = [(r["recorded_at"] - r["last_observed_at"]).total_seconds() - THRESHOLD for r in rows]
    false_alarms = await db.fetchval(
        """SELECT count(*) FROM broadcast.events WHERE type = 'broadcast.signal_incident_opened'
           AND recorded_at > $2 AND NOT (data->>'cluster_id' = ANY($1::text[]))""",
        silent,
        configured_at,
    )
    say(f"  {len(delays)} incidents, p99 delay {percentile(delays, 99) * 1000:.0f} ms; raw baseline")
    raw = await raw_detection(db)
    p50, p99 = percentile(delays, 50) * 1000, percentile(delays, 99) * 1000
    r50, r99 = percentile(raw, 50) * 1000, percentile(raw, 99) * 1000
    baseline = "bare SQL detector, same sleep rule"
    report.add(Row("incident detection delay p50", p50, "ms", baseline, r50, ratio(p50, r50)))
    report.add(Row("incident detection delay p99", p99, "ms", baseline, r99, ratio(p99, r99)))
    report.put(
        detection_threshold_s=THRESHOLD,
        detection_silent_clusters=SILENT,
        detection_alive_report_every_s=ALIVE_EVERY,
        detection_incidents=len(delays),
        detection_false_alarms=false_alarms,
        detection_p50_ms=p50,
        detection_p99_ms=p99,
        detection_max_ms=max(delays) * 1000 if delays else float("nan"),
        raw_detection_p50_ms=r50,
        raw_detection_p99_ms=r99,
        detection_p99_ratio=ratio(p99, r99),
    )


async def raw_detection(db: asyncpg.Pool) -> list[float]:
    """Deadlines staggered as above on a bare table; a loop sleeping until the earliest one."""
    async with db.acquire() as conn:
        await conn.execute(
            "DROP TABLE IF EXISTS raw.deadlines;"
            "CREATE TABLE raw.deadlines (cluster_id text PRIMARY KEY, due timestamptz, fired timestamptz);"
            "CREATE INDEX ON raw.deadlines (due) WHERE fired IS NULL"
        )
    delays: list[float] = []
    done = asyncio.Event()

    async def detector() -> None:
        while not done.is_set() or len(delays) < SILENT:
            async with db.acquire() as conn:
                fired = await conn.fetch(
                    """UPDATE raw.deadlines SET fired = clock_timestamp()
                       WHERE fired IS NULL AND due <= clock_timestamp() RETURNING due, fired"""
                )
                delays.extend((r["fired"] - r["due"]).total_seconds() for r in fired)
                nxt = await conn.fetchval("SELECT min(due) FROM raw.deadlines WHERE fired IS NULL")
            wait = MAX_IDLE if nxt is None else (nxt - datetime.datetime.now(datetime.UTC)).total_seconds()
            await asyncio.sleep(min(max(wait, 0.01), MAX_IDLE))
            if len(delays) >= SILENT:
                return

    task = asyncio.create_task(detector())
    for g in range(SILENT // 30):
        now = datetime.datetime.now(datetime.UTC)
        await db.executemany(
            "INSERT INTO raw.deadlines VALUES ($1, $2, NULL)",
            [(f"raw-{g}-{i}", now + datetime.timedelta(seconds=THRESHOLD)) for i in range(30)],
        )
        await asyncio.sleep(0.3)
    done.set()
    await asyncio.wait_for(task, 30)
    return delays


async def main(quick: bool) -> Report:
    began = time.monotonic()
    report = Report()
    with tempfile.TemporaryDirectory(prefix="tinhso-bench-broadcast-") as tmp:
        state = Path(tmp)
        say(f"starting embedded PostgreSQL and broker in {state}")
        with embedded_servers(state) as servers:
            conn = await asyncpg.connect(servers.url)
            try:
                await apply_migrations(conn, all_migrations())
            finally:
                await conn.close()
            await ensure_topics(
                servers.broker.bootstrap, [f"{PREFIX}.registry.events", f"{PREFIX}.broadcast.events"], partitions=3
            )
            db = await create_pool(servers.url, service="bench-raw", max_size=CONNECTIONS + 2)
            registry = Service("registry", servers, state)
            broadcast = Service("broadcast", servers, state)
            try:
                say(f"writing {COMMUNES} communes, stations and {CLUSTERS:,} clusters into the registry's store")
                clusters = await write_province(db)
                await registry.start()
                await broadcast.start()
                await wait_for_view(db)
                await heartbeats(broadcast, db, clusters, 2 if quick else 6, report)
                await detection(broadcast, db, clusters, report)
            finally:
                broadcast.stop()
                registry.stop()
                await db.close()
    report.notes.append(
        "the broadcast service runs its relay, projections and incident detector meanwhile; the raw baselines "
        "run in this process on bare tables, without HTTP, JSON, validation, locks or events"
    )
    report.put(bench_seconds=time.monotonic() - began, cpu_count=os.cpu_count() or 1, quick=quick)
    return report


def cli() -> None:
    quiet_logging()
    report = uvloop.run(main("--quick" in sys.argv[1:]))
    print(report.render())
    figures: dict[str, Any] = {k: rounded(v) for k, v in report.figures.items()}
    print(json.dumps(figures))


if __name__ == "__main__":
    cli()
