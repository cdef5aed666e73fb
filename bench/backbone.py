"""Backbone benchmark: event store, command API, outbox relay, projections, end to end.

    .venv/bin/python bench/backbone.py           # the full run, about 1.5 minutes
    .venv/bin/python bench/backbone.py --quick   # a smoke run, about 30 seconds
    .venv/bin/python bench/backbone.py --only projection   # relay and projection figures only

Starts its own embedded PostgreSQL and broker in a temporary directory and measures each
figure beside a raw baseline taken in the same run (see bench/README.md). The table goes
to stdout, then, as the last line, one JSON object with every figure; progress to stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

if __name__ == "__main__":  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import asyncpg
import uvloop

from bench import _appends, _commands, _pipeline
from bench._common import (
    CpuMeter,
    Report,
    Row,
    Servers,
    cpu_count,
    embedded_servers,
    migrated_pool,
    percentile,
    quiet_logging,
    ratio,
    recording_spans,
    rounded,
    say,
)
from bench._projections import TotalsFolded, TotalsPerEvent
from libs.common.embedded.process import free_port
from libs.common.eventstore.store import EventStore
from libs.common.kafka import ensure_topics
from libs.common.tracing import setup_tracing

CLIENTS = 8
ROUNDS = 2
"""Figures and their baselines are measured in alternating windows, so a slow spell of the
machine (a shared 2-core VM) lands on both rather than on one side of a ratio."""


@dataclass(frozen=True)
class Plan:
    append_seconds: float  # per window, ROUNDS windows each
    copy_rows: int
    http_seconds: float  # per window
    inproc_seconds: float  # per window
    pipeline_events: int
    traced_events: int
    pipeline_streams: int
    e2e_rate: float
    e2e_seconds: float


FULL = Plan(2.5, 100_000, 5, 3, 100_000, 10_000, 2000, 500, 10)
QUICK = Plan(0.75, 20_000, 1.5, 1, 10_000, 2000, 500, 500, 2)


def cpu_meter(servers: Servers, server_pid: int | None = None, backbone_pid: int | None = None) -> CpuMeter:
    """CPU of this process (the load generator, or the relay/runner under test), the service
    process if any (and its backbone process), PostgreSQL with its backends, and the broker."""
    pids = {
        "bench": os.getpid(),
        "server": server_pid,
        "backbone": backbone_pid,
        "postgres": servers.postgres.pid,
        "broker": servers.broker.pid,
    }
    return CpuMeter(pids, solo=frozenset({"bench"}))


def cpu_ms_per_command(meter: CpuMeter, name: str, rate: float) -> float:
    """Milliseconds of ``name``'s CPU per command: its % of a core over the window / rate."""
    return meter.percent[name] * 10 / rate if rate else 0.0


def ms(values: list[float], q: float) -> float:
    return percentile(values, q) * 1000


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def mean(values: list[float]) -> float:
    return sum(values) / len(values)


# --- 1 -------------------------------------------------------------------------------------


async def appends(servers: Servers, plan: Plan, report: Report) -> None:
    pool = await migrated_pool(servers.url, "bench")
    store = EventStore("bench")
    single, many, lock1, lock8, copy, indexed = [], [], [], [], [], []
    seconds = plan.append_seconds
    meter = cpu_meter(servers)
    meter.start()
    try:
        await pool.execute(_appends.RAW_TABLES)
        for r in range(ROUNDS):
            say(f"1. appends, round {r + 1}/{ROUNDS}: store 1 stream; raw 1 conn; store 8 writers; raw 8 conns; COPY")
            single.append(await _appends.store_single_stream(pool, store, seconds, stream=f"single-{r}"))
            lock1.append(await _appends.raw_locking_inserts(pool, seconds, connections=1, prefix=f"a{r}-"))
            many.append(await _appends.store_many_streams(pool, store, seconds, writers=CLIENTS, prefix=f"m{r}-"))
            lock8.append(await _appends.raw_locking_inserts(pool, seconds, connections=CLIENTS, prefix=f"b{r}-"))
            copy.append(await _appends.raw_copy(pool, plan.copy_rows, prefix=f"c{r}"))
            indexed.append(await _appends.raw_copy(pool, plan.copy_rows, table="copy_indexed", prefix=f"c{r}"))
    finally:
        meter.stop()
        await pool.close()
    report.notes.append(f"CPU during the appends: {meter.describe()}")
    s, m, l1, l8, c, ci = map(mean, (single, many, lock1, lock8, copy, indexed))
    report.add(Row("append: 1 stream, 1 writer", s, "ev/s", "raw locking insert, 1 conn", l1, ratio(s, l1)))
    report.add(Row("append: many streams, 8 writers", m, "ev/s", "raw locking insert, 8 conns", l8, ratio(m, l8)))
    report.add(Row("  (same, against COPY)", m, "ev/s", "raw COPY, plain table", c, ratio(m, c)))
    report.add(Row("raw COPY, events' keys and indexes", ci, "ev/s", "raw COPY, plain table", c, ratio(ci, c)))
    report.put(
        append_single_stream_events_per_s=s,
        append_many_streams_events_per_s=m,
        raw_copy_events_per_s=c,
        raw_copy_indexed_events_per_s=ci,
        raw_locking_insert_1conn_events_per_s=l1,
        raw_locking_insert_8conn_events_per_s=l8,
        append_single_vs_raw_lock_1conn_ratio=ratio(s, l1),
        append_many_vs_raw_lock_8conn_ratio=ratio(m, l8),
        append_many_vs_copy_ratio=ratio(m, c),
        appends_cpu_pct_other=meter.percent["other"],
    )


# --- 2 -------------------------------------------------------------------------------------


async def http_commands(servers: Servers, plan: Plan, report: Report, state: Path) -> None:
    await (await migrated_pool(servers.url, "test", max_size=1)).close()
    server = _commands.ServerProcess(
        servers.url, servers.broker.bootstrap, port=free_port(), log_path=state / "server-http.log"
    )
    pool = await migrated_pool(servers.url, "test", max_size=10)  # the service's default pool size
    http, inproc, alone = _commands.Load(), _commands.Load(), _commands.Load()
    say("2. commands: starting the service under uvicorn")
    await server.start()
    meter, inproc_meter, alone_meter = cpu_meter(servers, server.pid), cpu_meter(servers), cpu_meter(servers)
    try:
        await _commands.closed_loop(server.port, clients=CLIENTS, seconds=1.0, streams=2000, prefix="w")  # warm-up
        await _commands.in_process(pool, "test", tasks=CLIENTS, seconds=1.0, streams=2000)  # warm-up
        for r in range(ROUNDS):
            say(
                f"2. commands, round {r + 1}/{ROUNDS}: {CLIENTS} HTTP clients, then {CLIENTS} in-process tasks "
                "with group commit, then without"
            )
            meter.start()
            http.merge(
                await _commands.closed_loop(
                    server.port, clients=CLIENTS, seconds=plan.http_seconds, streams=2000, prefix=f"h{r}-"
                )
            )
            meter.stop()
            inproc_meter.start()
            inproc.merge(
                await _commands.in_process(
                    pool, "test", tasks=CLIENTS, seconds=plan.inproc_seconds, streams=2000, prefix=f"i{r}-"
                )
            )
            inproc_meter.stop()
            alone_meter.start()
            alone.merge(
                await _commands.in_process(
                    pool,
                    "test",
                    tasks=CLIENTS,
                    seconds=plan.inproc_seconds,
                    streams=2000,
                    batched=False,
                    prefix=f"a{r}-",
                )
            )
            alone_meter.stop()
    finally:
        server.stop()
        await pool.close()
    lock8 = report.figures["raw_locking_insert_8conn_events_per_s"]
    assert isinstance(lock8, float)
    ok = http.rate >= 2000
    report.add(
        Row(
            "HTTP commands/s, 8 clients",
            http.rate,
            "cmd/s",
            "same in-process, 8 tasks",
            inproc.rate,
            ratio(http.rate, inproc.rate),
            f"{verdict(ok)} (>= 2,000)",
        )
    )
    report.add(
        Row(
            "  (same, against raw insert)",
            http.rate,
            "cmd/s",
            "raw locking insert, 8 conns",
            lock8,
            ratio(http.rate, lock8),
        )
    )
    report.add(
        Row(
            "in-process, group commit",
            inproc.rate,
            "cmd/s",
            "in-process, each alone",
            alone.rate,
            ratio(inproc.rate, alone.rate),
        )
    )
    report.add(Row("HTTP command p50", ms(http.latencies, 50), "ms", "in-process p50", ms(inproc.latencies, 50)))
    report.add(Row("HTTP command p99", ms(http.latencies, 99), "ms", "in-process p99", ms(inproc.latencies, 99)))
    # CPU per command is steadier than commands/s on a VM whose speed drifts: it says where a
    # command's cost is, whatever the rate of the moment.
    per_command = {
        "http_server": cpu_ms_per_command(meter, "server", http.rate),
        "http_postgres": cpu_ms_per_command(meter, "postgres", http.rate),
        "http_client": cpu_ms_per_command(meter, "bench", http.rate),
        "inproc_postgres": cpu_ms_per_command(inproc_meter, "postgres", inproc.rate),
        "inproc_unbatched_postgres": cpu_ms_per_command(alone_meter, "postgres", alone.rate),
    }
    report.add(
        Row(
            "  PostgreSQL CPU per command",
            per_command["inproc_postgres"],
            "ms CPU",
            "without group commit",
            per_command["inproc_unbatched_postgres"],
            ratio(per_command["inproc_postgres"], per_command["inproc_unbatched_postgres"]),
        )
    )
    report.add(Row("  API process CPU per HTTP command", per_command["http_server"], "ms CPU"))
    report.notes.append(f"CPU while serving HTTP (% of one core; {cpu_count()} cores): {meter.describe()}")
    report.notes.append(f"CPU during the in-process commands: {inproc_meter.describe()}")
    report.notes.append(f"CPU during the in-process commands without group commit: {alone_meter.describe()}")
    report.put(
        http_commands_per_s=http.rate,
        http_errors=http.errors,
        http_p50_ms=ms(http.latencies, 50),
        http_p99_ms=ms(http.latencies, 99),
        inproc_commands_per_s=inproc.rate,
        inproc_p50_ms=ms(inproc.latencies, 50),
        inproc_p99_ms=ms(inproc.latencies, 99),
        inproc_unbatched_commands_per_s=alone.rate,
        inproc_unbatched_p99_ms=ms(alone.latencies, 99),
        inproc_batched_vs_unbatched_ratio=ratio(inproc.rate, alone.rate),
        http_vs_inproc_ratio=ratio(http.rate, inproc.rate),
        http_vs_raw_lock_8conn_ratio=ratio(http.rate, lock8),
        http_target_pass=ok,
        **{f"{name}_cpu_ms_per_command": value for name, value in per_command.items()},
        **{f"http_cpu_pct_{name}": pct for name, pct in meter.percent.items()},
        inproc_cpu_pct_other=inproc_meter.percent["other"],
        **{
            f"inproc_cpu_pct_{name}": pct for name, pct in inproc_meter.percent.items() if name in ("bench", "postgres")
        },
        **{f"inproc_unbatched_cpu_pct_{name}": pct for name, pct in alone_meter.percent.items()},
    )


# --- 3 and 4 -------------------------------------------------------------------------------


@dataclass
class PipelineFigures:
    relay: float = 0.0
    produce: float = 0.0
    each: float = 0.0
    folded: list[float] = field(default_factory=list)
    scaled: list[float] = field(default_factory=list)
    copy: list[float] = field(default_factory=list)
    indexed: list[float] = field(default_factory=list)
    consume: list[float] = field(default_factory=list)
    relay_traced: float = 0.0
    folded_traced: float = 0.0
    events_per_row: float = 0.0
    republished: int = 0


async def projection_rounds(servers: Servers, pool: asyncpg.Pool, n: int, f: PipelineFigures, report: Report) -> None:
    """ROUNDS of: COPY plain, COPY indexed, the folded projection, the same in one process per
    partition, raw consume (each baseline in the windows between the projection's runs)."""
    topic = "bench.pipe.events"
    await _pipeline.create_copy_tables(pool)
    meter = cpu_meter(servers)
    for r in range(ROUNDS):
        say(f"4. round {r + 1}/{ROUNDS}: COPY plain, COPY indexed, folded projection")
        f.copy.append(await _pipeline.raw_copy(pool, n, table="copy_events"))
        f.indexed.append(await _pipeline.raw_copy(pool, n, table="copy_indexed"))
        folded = TotalsFolded(f"bench_folded_{r + 1}", store_schema="bench_pipe")
        meter.start()
        f.folded.append(await _pipeline.projection_throughput(servers, pool, folded, topic, n))
        meter.stop()
        f.events_per_row = folded.events_folded / max(1, folded.rows_written)
        counted = await pool.fetchval(f"SELECT sum(events) FROM {folded.name}.totals")
        assert counted == n, f"the folded projection counted {counted} events, expected {n}"
        say(f"4. round {r + 1}/{ROUNDS}: the same projection, {_pipeline.PARTITIONS} runner processes")
        scaled = await _pipeline.projection_scale_out(
            servers, pool, f"bench_scaled_{r + 1}", topic, n, store_schema="bench_pipe"
        )
        f.scaled.append(scaled)
        counted = await pool.fetchval(f"SELECT sum(events) FROM bench_scaled_{r + 1}.totals")
        assert counted == n, f"the scaled-out projection counted {counted} events, expected {n}"
        f.consume.append(await _pipeline.raw_consume(servers, topic, n))
    report.notes.append(f"CPU while projecting (folded): {meter.describe()}")
    report.put(projection_cpu_pct_other=meter.percent["other"])


async def measure_pipeline(servers: Servers, plan: Plan, report: Report) -> PipelineFigures:
    # The traced figures are for a service that exports its spans (TINHSO_OTLP_ENDPOINT set):
    # spans recorded and batched, then dropped instead of sent to a collector.
    setup_tracing("bench", span_processors=recording_spans())
    n, streams, f = plan.pipeline_events, plan.pipeline_streams, PipelineFigures()
    topic, raw_topic, traced_topic = "bench.pipe.events", "bench.raw.events", "bench.traced.events"
    await ensure_topics(servers.broker.bootstrap, [topic, raw_topic, traced_topic], _pipeline.PARTITIONS)
    pool = await migrated_pool(servers.url, "bench_pipe")
    traced_pool = await migrated_pool(servers.url, "bench_traced", max_size=2)
    try:
        say(f"3. seeding {n:,} events over {streams:,} streams, and {plan.traced_events:,} traced ones")
        await _pipeline.seed_events(pool, "bench_pipe", n, streams)
        await _pipeline.seed_events(traced_pool, "bench_traced", plan.traced_events, streams, traced=True)
        say("3. outbox relay publishing them")
        meter = cpu_meter(servers)
        meter.start()
        f.relay, f.republished = await _pipeline.relay_throughput(servers, "bench_pipe", topic, n)
        meter.stop()
        report.notes.append(f"CPU while relaying: {meter.describe()}")
        report.put(relay_cpu_pct_other=meter.percent["other"])
        say("3. raw aiokafka produce of the same messages")
        f.produce = await _pipeline.raw_produce(servers, pool, "bench_pipe", raw_topic, n)
        await projection_rounds(servers, pool, n, f, report)
        say("4. projection runner, upsert per event")
        each = TotalsPerEvent("bench_each", store_schema="bench_pipe")
        f.each = await _pipeline.projection_throughput(servers, pool, each, topic, n)
        say("3/4. relay and folded projection of traced events")
        f.relay_traced, again = await _pipeline.relay_throughput(
            servers, "bench_traced", traced_topic, plan.traced_events
        )
        f.republished += again
        traced = TotalsFolded("bench_traced_folded", store_schema="bench_traced")
        f.folded_traced = await _pipeline.projection_throughput(servers, pool, traced, traced_topic, plan.traced_events)
    finally:
        await pool.close()
        await traced_pool.close()
    return f


async def pipeline(servers: Servers, plan: Plan, report: Report) -> None:
    f = await measure_pipeline(servers, plan, report)
    n, streams = plan.pipeline_events, plan.pipeline_streams
    relay, produce, each, fold = f.relay, f.produce, f.each, f.events_per_row
    relay_traced, folded_traced = f.relay_traced, f.folded_traced
    folded, scaled, copy, indexed, consume = map(mean, (f.folded, f.scaled, f.copy, f.indexed, f.consume))
    relay_ok, projection_ok = relay >= 0.5 * produce, folded >= 0.5 * indexed
    report.add(
        Row(
            "relay events/s",
            relay,
            "ev/s",
            "raw aiokafka produce",
            produce,
            ratio(relay, produce),
            f"{verdict(relay_ok)} (>= 0.50)",
        )
    )
    report.add(
        Row(
            "  relay, traced events",
            relay_traced,
            "ev/s",
            "raw aiokafka produce",
            produce,
            ratio(relay_traced, produce),
        )
    )
    report.add(
        Row(
            "  relay, traced vs untraced",
            relay_traced,
            "ev/s",
            "the same relay, untraced",
            relay,
            ratio(relay_traced, relay),
            f"{verdict(relay_traced >= 0.5 * relay)} (>= 0.50)",
        )
    )
    report.add(
        Row(
            "projection events/s, folded",
            folded,
            "ev/s",
            "raw COPY, events table's shape",
            indexed,
            ratio(folded, indexed),
            f"{verdict(projection_ok)} (>= 0.50)",
        )
    )
    report.add(
        Row(
            "  (same, against plain COPY)",
            folded,
            "ev/s",
            "raw COPY, no keys/indexes",
            copy,
            ratio(folded, copy),
            "not met (>= 0.50)" if folded < 0.5 * copy else "met (>= 0.50)",
        )
    )
    report.add(
        Row("  (same, against consume)", folded, "ev/s", "raw aiokafka consume", consume, ratio(folded, consume))
    )
    report.add(
        Row(
            f"projection, folded, {_pipeline.PARTITIONS} processes",
            scaled,
            "ev/s",
            "raw COPY, events table's shape",
            indexed,
            ratio(scaled, indexed),
        )
    )
    report.add(
        Row(
            "  (same, against plain COPY)",
            scaled,
            "ev/s",
            "raw COPY, no keys/indexes",
            copy,
            ratio(scaled, copy),
            "not met (>= 0.50)" if scaled < 0.5 * copy else "met (>= 0.50)",
        )
    )
    report.add(
        Row(
            "projection events/s, per event",
            each,
            "ev/s",
            "raw COPY, events table's shape",
            indexed,
            ratio(each, indexed),
        )
    )
    report.add(
        Row(
            "projection events/s, traced",
            folded_traced,
            "ev/s",
            "raw COPY, events table's shape",
            indexed,
            ratio(folded_traced, indexed),
        )
    )
    report.add(
        Row(
            "  projection, traced vs untraced",
            folded_traced,
            "ev/s",
            "the same projection, untraced",
            folded,
            ratio(folded_traced, folded),
            f"{verdict(folded_traced >= 0.5 * folded)} (>= 0.50)",
        )
    )
    if f.republished:
        report.notes.append(
            f"the relay started over from the beginning of the store {f.republished} time(s) while measured: "
            "it believed the broker had lost data (see bench/README.md)"
        )
    report.notes.append(
        f"pipeline: {n:,} events over {streams:,} streams, interleaved; the folded projection wrote one row per "
        f"{fold:.1f} events. Traced: each event carries a sampled traceparent, as events written through the "
        "HTTP API do; the relay and the runner give each batch one span linked to every event's command"
    )
    report.notes.append(
        "projection, folded, per round (events/s; ratio to the indexed / plain COPY of the same round): "
        + "; ".join(
            f"{p:,.0f} ({ratio(p, i):.2f} / {ratio(p, c):.2f})"
            for p, i, c in zip(f.folded, f.indexed, f.copy, strict=True)
        )
        + f". COPY plain {', '.join(f'{c:,.0f}' for c in f.copy)}; indexed {', '.join(f'{i:,.0f}' for i in f.indexed)};"
        f" raw consume {', '.join(f'{c:,.0f}' for c in f.consume)};"
        f" {_pipeline.PARTITIONS} runner processes {', '.join(f'{c:,.0f}' for c in f.scaled)}"
    )
    report.put(
        relay_events_per_s=relay,
        relay_traced_events_per_s=relay_traced,
        raw_produce_events_per_s=produce,
        relay_vs_raw_produce_ratio=ratio(relay, produce),
        relay_traced_vs_raw_produce_ratio=ratio(relay_traced, produce),
        relay_republished=f.republished,
        relay_target_pass=relay_ok,
        projection_folded_events_per_s=folded,
        projection_folded_rounds_events_per_s=[round(v) for v in f.folded],
        projection_per_event_events_per_s=each,
        projection_traced_events_per_s=folded_traced,
        projection_folded_events_per_row=fold,
        projection_raw_copy_events_per_s=copy,
        projection_raw_copy_indexed_events_per_s=indexed,
        raw_consume_events_per_s=consume,
        projection_vs_copy_indexed_ratio=ratio(folded, indexed),
        projection_vs_copy_ratio=ratio(folded, copy),
        projection_per_event_vs_copy_indexed_ratio=ratio(each, indexed),
        projection_traced_vs_copy_indexed_ratio=ratio(folded_traced, indexed),
        projection_vs_raw_consume_ratio=ratio(folded, consume),
        projection_target_pass=projection_ok,
        projection_scaled_out_events_per_s=scaled,
        projection_scaled_out_rounds_events_per_s=[round(v) for v in f.scaled],
        projection_scaled_out_vs_copy_indexed_ratio=ratio(scaled, indexed),
        projection_scaled_out_vs_copy_ratio=ratio(scaled, copy),
        projection_vs_plain_copy_half_met=folded >= 0.5 * copy,
    )


# --- 5 -------------------------------------------------------------------------------------


async def end_to_end(servers: Servers, plan: Plan, report: Report, state: Path) -> None:
    # A database of its own: the service's relay must not start with another phase's backlog.
    admin = await asyncpg.connect(servers.url)
    await admin.execute("CREATE DATABASE e2e")
    await admin.close()
    url = servers.url.rsplit("/", 1)[0] + "/e2e"
    await (await migrated_pool(url, "test", max_size=1)).close()
    channel = "bench_e2e_applied"
    await ensure_topics(servers.broker.bootstrap, ["e2e.test.events"], _pipeline.PARTITIONS)

    # As `tinhso up` runs a service: an API process taking the commands and a backbone process
    # running its relay and projection (ADR 0012).
    def service_process(role: str) -> _commands.ServerProcess:
        return _commands.ServerProcess(
            url,
            servers.broker.bootstrap,
            port=free_port(),
            log_path=state / f"{role}-e2e.log",
            BENCH_BACKBONE="1",
            BENCH_ROLE=role,
            BENCH_TOPIC_PREFIX="e2e",
            BENCH_PROJECTION="bench_e2e_totals",
            BENCH_NOTIFY_CHANNEL=channel,
        )

    backbone, server = service_process("backbone"), service_process("api")
    say("5. end to end: starting the service: its API process and its backbone process (relay + projection)")
    await backbone.start()
    try:
        await server.start()
    except BaseException:
        backbone.stop()
        raise
    meter = cpu_meter(servers, server.pid, backbone.pid)
    try:
        async with _commands.ReadModelWatch(url, channel) as watch:
            warm = await _commands.open_loop_e2e(server.port, watch, rate=50, seconds=1.0, prefix="warm-")
            if warm.missing:
                raise RuntimeError("the pipeline did not deliver the warm-up commands")
            say(f"5. end to end: {plan.e2e_rate:.0f} commands/s for {plan.e2e_seconds:.0f} s")
            meter.start()
            e2e = await _commands.open_loop_e2e(
                server.port, watch, rate=plan.e2e_rate, seconds=plan.e2e_seconds, prefix=f"e{uuid.uuid4().hex[:4]}-"
            )
            meter.stop()
        relay = await _commands.relay_status(backbone.port)
    finally:
        server.stop()
        backbone.stop()
    republished = relay.get("republished", 0)
    p99 = ms(e2e.total, 99)
    ok = p99 < 250 and not e2e.missing and not e2e.errors
    rate = int(plan.e2e_rate)
    report.add(Row(f"e2e command -> read model p50 @{rate}/s", ms(e2e.total, 50), "ms"))
    report.add(Row(f"e2e command -> read model p99 @{rate}/s", p99, "ms", target=f"{verdict(ok)} (< 250 ms)"))
    report.add(Row("  send -> recorded_at, p50 / p99", ms(e2e.to_recorded, 50), "ms", "p99", ms(e2e.to_recorded, 99)))
    report.add(
        Row(
            "  recorded_at -> visible, p50 / p99",
            ms(e2e.recorded_to_visible, 50),
            "ms",
            "p99",
            ms(e2e.recorded_to_visible, 99),
        )
    )
    report.add(Row("  HTTP answer, p50 / p99", ms(e2e.http, 50), "ms", "p99", ms(e2e.http, 99)))
    report.notes.append(f"CPU during e2e: {meter.describe()}")
    if republished:
        report.notes.append(
            f"e2e: the service's relay started over from the beginning of the store {republished} time(s), "
            "believing the broker had lost data (see bench/README.md)"
        )
    report.put(
        e2e_offered_cps=plan.e2e_rate,
        e2e_sent_cps=e2e.send_rate,
        **{f"e2e_p50_ms_at_{rate}_cps": ms(e2e.total, 50), f"e2e_p99_ms_at_{rate}_cps": p99},
        e2e_max_ms=ms(e2e.total, 100),
        e2e_send_to_recorded_p50_ms=ms(e2e.to_recorded, 50),
        e2e_send_to_recorded_p99_ms=ms(e2e.to_recorded, 99),
        e2e_recorded_to_visible_p50_ms=ms(e2e.recorded_to_visible, 50),
        e2e_recorded_to_visible_p99_ms=ms(e2e.recorded_to_visible, 99),
        e2e_http_p50_ms=ms(e2e.http, 50),
        e2e_http_p99_ms=ms(e2e.http, 99),
        e2e_commands=e2e.sent,
        e2e_missing=e2e.missing,
        e2e_errors=e2e.errors,
        e2e_target_pass=ok,
        e2e_relay_republished=republished,
        **{f"e2e_cpu_pct_{name}": pct for name, pct in meter.percent.items()},
    )


STAGES = ("appends", "commands", "pipeline", "e2e")
"""What ``--only`` can pick; ``projection`` is another name for ``pipeline`` (relay and projection)."""


async def main(plan: Plan, *, quick: bool, only: str | None = None) -> Report:
    began = time.monotonic()
    report = Report()
    with tempfile.TemporaryDirectory(prefix="tinhso-bench-") as tmp:
        state = Path(tmp)
        say(f"starting embedded PostgreSQL and broker in {state}")
        with embedded_servers(state) as servers:
            if only in (None, "appends", "commands"):
                await appends(servers, plan, report)  # the commands' rows compare with its raw inserts
            if only in (None, "commands"):
                await http_commands(servers, plan, report, state)
            if only in (None, "pipeline"):
                await pipeline(servers, plan, report)
            if only in (None, "e2e"):
                await end_to_end(servers, plan, report, state)
    others = [v for k, v in report.figures.items() if k.endswith("_cpu_pct_other") and isinstance(v, float)]
    busiest = max(others, default=0.0)
    if busiest > 20:
        report.notes.insert(
            0,
            f"WARNING: other processes used up to {busiest:.0f}% of a core while this ran (the 'other' CPU "
            "figures): on a 2-core machine every figure of those windows is lower than on a quiet machine",
        )
    report.put(
        bench_seconds=time.monotonic() - began, quick=quick, cpu_count=cpu_count(), machine_other_cpu_pct_max=busiest
    )
    return report


def cli() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a short smoke run (shorter windows, fewer events)")
    parser.add_argument(
        "--only",
        choices=[*STAGES, "projection"],
        help="run one stage (commands also runs appends, for its baselines; projection = pipeline)",
    )
    args = parser.parse_args()
    only = "pipeline" if args.only == "projection" else args.only
    quiet_logging()
    report = uvloop.run(main(QUICK if args.quick else FULL, quick=args.quick, only=only))
    report.put(only=only)
    print(report.render())
    print(json.dumps({k: rounded(v) for k, v in report.figures.items()}))


if __name__ == "__main__":
    cli()
