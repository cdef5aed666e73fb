"""Registry benchmark: bulk import and a unit query under load, each beside a raw baseline.

    .venv/bin/python bench/registry.py      # about a minute

Starts its own embedded PostgreSQL and broker in a temporary directory, runs the registry
service (``python -m services.registry``: uvicorn, its relay and projections live) in a
subprocess, and measures:

(a) bulk import: the seeded province (1,409 ``register_unit`` items) through
    ``POST /commands/import``, in events appended per second; then the 2025 merge (1,329
    items) and a re-import of the province (all unchanged). Baseline: asyncpg
    ``copy_records_to_table`` of the same number of same-shaped event rows (the very rows the
    import appended) into a table of the events table's columns without indexes or triggers.
(b) query latency under 200 concurrent clients: ``GET /units/summaries`` if the service has
    it, else ``GET /units/list?parent_code=<district>``, p50/p99 over every request. Baseline:
    the same SQL (the same repository functions the route calls) straight on an asyncpg pool
    of the service's size, from 200 concurrent tasks.

The table goes to stdout, then, as the very last line, one JSON object with every figure;
progress goes to stderr.
"""

from __future__ import annotations

import asyncio
import datetime
import importlib
import importlib.util
import json
import os
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
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
from libs.common.db import create_pool
from libs.common.embedded.process import free_port
from libs.common.kafka import ensure_topics
from libs.common.migrations import apply_migrations
from services.cli.catalogue import all_migrations
from services.registry.adapters import units_read
from services.registry.seed.merge_2025 import merge_items
from services.registry.seed.reference import reference_units
from services.registry.seed.structure import structure_items

CLIENTS = 200
REQUESTS_PER_CLIENT = 10
ROUNDS = 2
"""Latency windows alternate HTTP and baseline, so a slow spell of a shared machine lands on both."""
COPY_ROUNDS = 5
DISTRICTS = [u.code for u in reference_units() if u.level == "district"]
SUMMARY_MODULE = "services.registry.adapters.assets_summary"
DEMO_MODULE = "services.registry.seed.demo_assets"
POOL_SIZE = 10  # the service's default TINHSO_DB_POOL_SIZE
PREFIX = "benchreg"


class Service(ServiceProcess):
    """The registry service in its own process, configured as ``tinhso up`` would."""

    def __init__(self, servers: Servers, state: Path) -> None:
        port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("TINHSO_")}
        env.update(
            TINHSO_DATABASE_URL=servers.url,
            TINHSO_KAFKA_BOOTSTRAP=servers.broker.bootstrap,
            TINHSO_KAFKA_ENABLE_IDEMPOTENCE="off",
            TINHSO_PROJECTION_ASSIGNMENT="manual",
            TINHSO_TOPIC_PREFIX=PREFIX,
            TINHSO_REGISTRY_PORT=str(port),
            TINHSO_STATE_DIR=str(state),
            TINHSO_LOG_LEVEL="warning",
            TINHSO_DB_POOL_SIZE=str(POOL_SIZE),
            TINHSO_PRINCIPAL_PUBLIC_KEY_FILE=principal_public_key_file(),
            TINHSO_EVENT_KEYS_DIR=event_keys_dir(),
        )
        super().__init__(
            [sys.executable, "-m", "services.registry"],
            env,
            port=port,
            log_path=state / "registry.log",
            label="registry",
        )

    async def request(self, method: str, path: str, body: bytes = b"") -> tuple[int, bytes]:
        conn = KeepAliveConnection("127.0.0.1", self.port, principal=principal_for("registry"))
        try:
            return await conn.request(method, path, body)
        finally:
            await conn.close()


async def _count_events(db: asyncpg.Pool) -> int:
    count: int = await db.fetchval("SELECT count(*) FROM registry.events")
    return count


async def _import(
    service: Service, db: asyncpg.Pool, items: list[dict[str, Any]], *, strict: bool = True
) -> tuple[dict[str, Any], int, float]:
    """(report, events appended, seconds) of one ``POST /commands/import``."""
    body = msgspec.json.encode(items)
    before = await _count_events(db)
    started = time.perf_counter()
    status, answer = await service.request("POST", "/commands/import", body)
    seconds = time.perf_counter() - started
    if status != 200:
        raise RuntimeError(f"import answered {status}: {answer[:500]!r}")
    report: dict[str, Any] = msgspec.json.decode(answer)
    if report["rejected"] and strict:
        raise RuntimeError(f"import rejected items: {[i for i in report['items'] if i['status'] == 'rejected'][:3]}")
    return report, await _count_events(db) - before, seconds


async def copy_baseline(db: asyncpg.Pool, events: int) -> float:
    """Median events/s of COPYing the first ``events`` stored events into a bare same-shaped table."""
    async with db.acquire() as conn:
        await conn.execute(
            "CREATE SCHEMA IF NOT EXISTS raw; DROP TABLE IF EXISTS raw.events;"
            "CREATE TABLE raw.events AS SELECT * FROM registry.events WITH NO DATA"
        )
        rows = await conn.fetch("SELECT * FROM registry.events ORDER BY position LIMIT $1", events)
        columns = list(rows[0].keys())
        records = [tuple(r.values()) for r in rows]
        rates = []
        for _ in range(COPY_ROUNDS):
            await conn.execute("TRUNCATE raw.events")
            started = time.perf_counter()
            await conn.copy_records_to_table("events", schema_name="raw", records=records, columns=columns)
            rates.append(len(records) / (time.perf_counter() - started))
    return sorted(rates)[len(rates) // 2]


async def caught_up(db: asyncpg.Pool, timeout: float = 60.0) -> None:
    """Until the relay published every event, the units read model applied every unit event
    and the other read models stopped moving."""
    deadline = time.monotonic() + timeout
    last: object = None
    while time.monotonic() < deadline:
        total = await _count_events(db)
        published = await db.fetchval("SELECT coalesce(max(published), 0) FROM registry.relay_progress")
        handled = await db.fetchval("SELECT count(*) FROM registry.events WHERE type LIKE 'registry.unit_%'")
        applied = {}
        for schema in ("registry_units", "registry_assets"):
            if await db.fetchval("SELECT to_regclass($1)", f"{schema}.checkpoints"):
                applied[schema] = await db.fetchval(f"SELECT coalesce(sum(applied), 0) FROM {schema}.checkpoints")
        if published >= total and applied.get("registry_units", 0) >= handled and applied == last:
            return
        last = applied
        await asyncio.sleep(0.5)
    raise TimeoutError("the read models did not catch up")


async def concurrent(
    clients: int, per_client: int, make: Callable[[int], Callable[[], Awaitable[None]]]
) -> list[float]:
    """Latencies (s) of ``clients`` closed-loop clients doing ``per_client`` calls each."""
    latencies: list[float] = []

    async def client(n: int) -> None:
        call = make(n)
        for _ in range(per_client):
            started = time.perf_counter()
            await call()
            latencies.append(time.perf_counter() - started)

    await asyncio.gather(*(client(n) for n in range(clients)))
    return latencies


class Query:
    """The query under load: per-unit summaries if the service has them, else a unit list."""

    def __init__(self, summaries: bool, district_ids: list[str]) -> None:
        self.summaries = summaries
        self.district_ids = district_ids

    @property
    def route(self) -> str:
        return "/units/summaries" if self.summaries else "/units/list"

    def path(self, client: int) -> str:
        n = client % len(DISTRICTS)
        return (
            f"/units/summaries?ids={self.district_ids[n]}"
            if self.summaries
            else f"/units/list?parent_code={DISTRICTS[n]}"
        )

    async def sql(self, conn: Any, client: int) -> None:
        """What the route runs, through the same repository functions."""
        n = client % len(DISTRICTS)
        if self.summaries:
            await importlib.import_module(SUMMARY_MODULE).unit_summaries(conn, [self.district_ids[n]])
        else:
            [parent] = await units_read.units_by_codes(conn, [DISTRICTS[n]], None)
            await units_read.list_units(conn, parent_id=parent.unit_id, first=50)


async def pick_query(service: Service, db: asyncpg.Pool) -> Query:
    status, body = await service.request("GET", "/docs/openapi.json")
    paths = msgspec.json.decode(body).get("paths", {}) if status == 200 else {}
    summaries = "/units/summaries" in paths and importlib.util.find_spec(SUMMARY_MODULE) is not None
    async with db.acquire() as conn:
        found = await units_read.units_by_codes(conn, DISTRICTS, datetime.date(2024, 12, 31))
    return Query(summaries, [u.unit_id for u in found])


async def http_latencies(service: Service, query: Query) -> list[float]:
    conns = [
        KeepAliveConnection("127.0.0.1", service.port, principal=principal_for("registry")) for _ in range(CLIENTS)
    ]
    for n, conn in enumerate(conns):
        await conn.connect()
        await conn.get(query.path(n))  # warm the connection; not measured

    def make(n: int) -> Callable[[], Awaitable[None]]:
        path = query.path(n)

        async def call() -> None:
            status, body = await conns[n].get(path)
            if status != 200:
                raise RuntimeError(f"GET {path}: {status} {body[:300]!r}")

        return call

    try:
        return await concurrent(CLIENTS, REQUESTS_PER_CLIENT, make)
    finally:
        for conn in conns:
            await conn.close()


async def sql_latencies(db: asyncpg.Pool, query: Query) -> list[float]:
    def make(n: int) -> Callable[[], Awaitable[None]]:
        async def call() -> None:
            async with db.acquire() as conn:
                await query.sql(conn, n)

        return call

    return await concurrent(CLIENTS, REQUESTS_PER_CLIENT, make)


def _row(figure: str, value: float, unit: str, baseline: str, baseline_value: float) -> Row:
    return Row(figure, value, unit, baseline, baseline_value, ratio(value, baseline_value))


async def bulk_import(service: Service, db: asyncpg.Pool, report: Report) -> None:
    say("bulk import of the seeded province through POST /commands/import")
    seeded, events, seconds = await _import(service, db, structure_items())
    rate = events / seconds
    say(f"  {seeded['created']} created, {events} events in {seconds:.2f} s; COPY baseline")
    copy_rate = await copy_baseline(db, events)
    report.add(_row("bulk import, seeded province", rate, "events/s", "asyncpg COPY same rows", copy_rate))
    if importlib.util.find_spec(DEMO_MODULE) is not None:
        say("bulk import of the demo assets")
        demo, demo_events, demo_seconds = await _import(
            service, db, importlib.import_module(DEMO_MODULE).demo_items(), strict=False
        )
        report.add(Row("bulk import, demo assets", demo_events / demo_seconds, "events/s"))
        report.put(
            demo_items=len(demo["items"]), demo_rejected=demo["rejected"], demo_events_per_s=demo_events / demo_seconds
        )
    say("bulk import of the 2025 merge, then the province again (all unchanged)")
    merged, merge_events, merge_seconds = await _import(service, db, merge_items())
    again, again_events, again_seconds = await _import(service, db, structure_items())
    if again["unchanged"] != len(again["items"]) or again_events:
        raise RuntimeError(f"re-import changed something: {again_events} events")
    report.add(Row("bulk import, 2025 merge", merge_events / merge_seconds, "events/s"))
    report.add(Row("re-import (all unchanged)", len(again["items"]) / again_seconds, "items/s"))
    report.put(
        import_items=len(seeded["items"]),
        import_events=events,
        import_seconds=seconds,
        import_events_per_s=rate,
        import_items_per_s=len(seeded["items"]) / seconds,
        copy_baseline_events_per_s=copy_rate,
        import_vs_copy_ratio=ratio(rate, copy_rate),
        merge_items=len(merged["items"]),
        merge_events=merge_events,
        merge_events_per_s=merge_events / merge_seconds,
        reimport_items_per_s=len(again["items"]) / again_seconds,
        reimport_events=again_events,
    )


async def query_load(service: Service, db: asyncpg.Pool, report: Report) -> None:
    await caught_up(db)
    query = await pick_query(service, db)
    say(f"GET {query.route}: {CLIENTS} concurrent clients x {REQUESTS_PER_CLIENT}, {ROUNDS} rounds, beside raw SQL")
    http: list[float] = []
    raw: list[float] = []
    http_seconds = raw_seconds = 0.0
    for _ in range(ROUNDS):
        started = time.perf_counter()
        http += await http_latencies(service, query)
        http_seconds += time.perf_counter() - started
        started = time.perf_counter()
        raw += await sql_latencies(db, query)
        raw_seconds += time.perf_counter() - started
    ms = {name: (percentile(v, 50) * 1000, percentile(v, 99) * 1000) for name, v in (("http", http), ("raw", raw))}
    rps = {"http": len(http) / http_seconds, "raw": len(raw) / raw_seconds}
    baseline = f"asyncpg same SQL, {CLIENTS} tasks"
    for q, i in (("p50", 0), ("p99", 1)):
        report.add(_row(f"GET {query.route} {q}", ms["http"][i], "ms", baseline, ms["raw"][i]))
    report.add(_row(f"GET {query.route} throughput", rps["http"], "req/s", baseline, rps["raw"]))
    report.put(
        query_route=query.route,
        query_clients=CLIENTS,
        query_requests=len(http),
        query_p50_ms=ms["http"][0],
        query_p99_ms=ms["http"][1],
        query_rps=rps["http"],
        raw_sql_p50_ms=ms["raw"][0],
        raw_sql_p99_ms=ms["raw"][1],
        raw_sql_rps=rps["raw"],
        query_p50_ratio=ratio(ms["http"][0], ms["raw"][0]),
        query_p99_ratio=ratio(ms["http"][1], ms["raw"][1]),
        query_rps_ratio=ratio(rps["http"], rps["raw"]),
    )


async def main() -> Report:
    began = time.monotonic()
    report = Report()
    with tempfile.TemporaryDirectory(prefix="tinhso-bench-registry-") as tmp:
        state = Path(tmp)
        say(f"starting embedded PostgreSQL and broker in {state}")
        with embedded_servers(state) as servers:
            conn = await asyncpg.connect(servers.url)
            try:
                await apply_migrations(conn, all_migrations())
            finally:
                await conn.close()
            await ensure_topics(servers.broker.bootstrap, [f"{PREFIX}.registry.events"], partitions=3)
            service = Service(servers, state)
            say("starting the registry service")
            await service.start()
            db = await create_pool(servers.url, service="bench-raw", max_size=POOL_SIZE, min_size=POOL_SIZE)
            try:
                await bulk_import(service, db, report)
                await query_load(service, db, report)
            finally:
                await db.close()
                service.stop()
    report.notes.append(
        "the service runs its relay and projections meanwhile, as in production; the raw baselines "
        "run in this process without HTTP, JSON or the command path's checks"
    )
    report.put(bench_seconds=time.monotonic() - began, cpu_count=os.cpu_count() or 1)
    return report


def cli() -> None:
    quiet_logging()
    report = uvloop.run(main())
    print(report.render())
    print(json.dumps({k: rounded(v) for k, v in report.figures.items()}))


if __name__ == "__main__":
    cli()
