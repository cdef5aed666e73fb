"""Metrics benchmark: rollup queries and recompute throughput, each beside a raw SQL baseline.

    .venv/bin/python bench/metrics.py            # about a minute
    .venv/bin/python bench/metrics.py --quick    # fewer queries and events

Starts its own embedded PostgreSQL in a temporary directory and runs the metrics service's
code in this process (no HTTP):

(a) rollup queries over 108 communes (8 districts, one province) x 60 reported indicators x 36
    months (233,280 values, loaded straight into the reported-values read model with COPY; the
    catalogue and the unit hierarchy go through the service's own command and projection). The
    query is the service's ``at_level``: one indicator for the 8 districts for a year or a
    quarter, each district's value rolled up from its communes' months; p50/p99 over every call.
    A second figure asks all 60 indicators for the 8 districts in one call. Baseline: one
    hand-written SQL statement computing the same sums (checked equal), on the same pool.
(b) recompute throughput: registry events (base stations commissioned, their technologies
    changed) through the ``metrics_facts`` projection's ``apply`` in batches of 500, with the
    change emitter announcing every changed value, in events per second; then the same events
    with announcing off (what a rebuild does). Baseline: the same number of fact rows inserted
    with ``executemany`` into a table of the facts table's columns without indexes.

The table goes to stdout, then, as the very last line, one JSON object with every figure;
progress goes to stderr.
"""

from __future__ import annotations

import datetime
import json
import os
import random
import sys
import tempfile
import time
import uuid
from pathlib import Path

if __name__ == "__main__":  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import asyncpg
import uvloop

from bench._common import Report, Row, percentile, quiet_logging, ratio, rounded, say
from contracts import registry_events as r
from contracts.api.metrics import DefineIndicators
from contracts.base import Event
from contracts.envelope import Envelope, Metadata
from contracts.metrics_events import CATALOGUE, IndicatorDefinition
from libs.common.db import create_pool
from libs.common.embedded.postgres import EmbeddedPostgres
from libs.common.eventstore.commands import CommandContext, CommandExecutor
from libs.common.migrations import apply_migrations
from libs.common.projections.projection import Applied, ensure_schema
from services.cli.catalogue import all_migrations
from services.metrics.application.commands import MetricsCommands
from services.metrics.application.queries import MetricsQueries
from services.metrics.domain.periods import Period
from services.metrics.entrypoints.facts_projection import FactsProjection
from services.metrics.entrypoints.values_projection import ValuesProjection
from services.metrics.seed.indicators import province_indicators

QUICK = "--quick" in sys.argv
DISTRICTS, COMMUNES_PER_DISTRICT = 8, (14, 14, 14, 14, 13, 13, 13, 13)  # 108 communes
INDICATORS = 60
MONTHS = [Period(y, "month", m) for y in (2021, 2022, 2023) for m in range(1, 13)]  # 36
QUERIES = 100 if QUICK else 400
RECOMPUTE_EVENTS = 2_000 if QUICK else 10_000
BATCH = 500
POOL = 4


def _indicators() -> list[IndicatorDefinition]:
    out = []
    for n in range(INDICATORS):
        flow = n % 2 == 0
        out.append(
            IndicatorDefinition(
                code=f"bench.i{n:02d}", name_vi=f"Chỉ tiêu {n}", name_en=f"Indicator {n}",
                unit="count", kind="flow" if flow else "stock", rollup="sum", method="reported", group="bench",
            )
        )  # fmt: skip
    return out


def _envelope(event: Event, stream_id: str, position: int, day: datetime.date) -> Applied:
    moment = datetime.datetime.combine(day, datetime.time(12), datetime.UTC)
    env = Envelope(
        event_id=uuid.uuid4(), stream_id=stream_id, stream_type="bench", version=1, type=event.type_name(),
        schema_version=event.SCHEMA_VERSION, occurred_at=moment, recorded_at=moment, tx_id=1, position=position,
        data=b"{}",  # type: ignore[arg-type]  # apply reads the decoded event, not the raw data
    )  # fmt: skip
    return Applied(env, event)


def _structure() -> tuple[list[Applied], list[tuple[str, str]]]:
    """Province, districts, communes as registry events; returns them and (commune, district) ids."""
    start = datetime.date(2020, 1, 1)
    events = [_envelope(r.UnitRegistered(unit_id="p", code="06", name="Tỉnh", level="province", valid_from=start),
                        "unit:p", 1, start)]  # fmt: skip
    communes = []
    for d in range(DISTRICTS):
        district = f"d{d}"
        events.append(_envelope(r.UnitRegistered(unit_id=district, code=f"0{60 + d}", name=f"Huyện {d}",
                                                 level="district", parent_id="p", valid_from=start),
                                f"unit:{district}", len(events) + 1, start))  # fmt: skip
        for c in range(COMMUNES_PER_DISTRICT[d]):
            commune = f"c{d}-{c}"
            events.append(_envelope(r.UnitRegistered(unit_id=commune, code=f"{d:02d}{c:03d}", name=f"Xã {c}",
                                                     level="commune", parent_id=district, valid_from=start),
                                    f"unit:{commune}", len(events) + 1, start))  # fmt: skip
            communes.append((commune, district))
    return events, communes


async def load(pool: asyncpg.Pool, communes: list[tuple[str, str]], structure: list[Applied]) -> None:
    projection = FactsProjection()
    async with pool.acquire() as conn:
        await ensure_schema(conn, projection)
        await ensure_schema(conn, ValuesProjection())
        async with conn.transaction():
            await projection.apply(conn, projection.name, structure)
    commands = MetricsCommands(CommandExecutor(pool, "metrics", CATALOGUE))
    bench = CommandContext(metadata=commands_meta())
    await commands.define(DefineIndicators(indicators=province_indicators()), bench)
    await commands.define(DefineIndicators(indicators=_indicators()), bench)
    rng = random.Random(6)
    now = datetime.datetime.now(datetime.UTC)
    rows = [
        (d.code, commune, str(month), commune, float(rng.randint(0, 500)), "bench", None, "bench", None, now, 0)
        for d in _indicators()
        for commune, _ in communes
        for month in MONTHS
    ]
    async with pool.acquire() as conn:
        await conn.copy_records_to_table("reported", schema_name="metrics_values", records=rows)
        await conn.execute("ANALYZE")
    say(f"loaded {len(rows):,} reported values")


def commands_meta() -> Metadata:
    return Metadata(actor="bench")


_RAW_FLOW = """
SELECT p.parent_id AS district, sum(r.value) AS total
FROM metrics_values.reported r
JOIN metrics_facts.unit_parents p ON p.unit_id = r.unit_id AND p.valid_to IS NULL
WHERE r.code = $1 AND r.period = ANY($2::text[])
GROUP BY 1
"""


async def rollups(pool: asyncpg.Pool, report: Report) -> None:
    queries = MetricsQueries(pool)
    rng = random.Random(7)
    flows = [d.code for d in _indicators() if d.kind == "flow"]
    asks = []
    for _ in range(QUERIES):
        year = rng.choice((2021, 2022, 2023))
        period = Period(year, "quarter", rng.randint(1, 4)) if rng.random() < 0.3 else Period(year, "year", 1)
        asks.append((rng.choice(flows), period))
    for code, period in asks[:20]:  # warm the catalogue cache and the plans; also check the answers
        service = {v.unit.unit_id: v.value for v in await queries.at_level([code], period, "district", None)}
        months = [str(p) for p in period.descendants() if p.granularity == "month"] or [str(period)]
        raw = {row["district"]: row["total"] for row in await pool.fetch(_RAW_FLOW, code, months)}
        assert service == raw, (code, period, service, raw)
    timings: dict[str, list[float]] = {"service": [], "raw": [], "wide": []}
    for code, period in asks:
        started = time.perf_counter()
        await queries.at_level([code], period, "district", None)
        timings["service"].append(time.perf_counter() - started)
        months = [str(p) for p in period.descendants() if p.granularity == "month"]
        started = time.perf_counter()
        await pool.fetch(_RAW_FLOW, code, months)
        timings["raw"].append(time.perf_counter() - started)
    all_codes = [d.code for d in _indicators()]
    for _, period in asks[: max(10, QUERIES // 10)]:
        started = time.perf_counter()
        await queries.at_level(all_codes, period, "district", None)
        timings["wide"].append(time.perf_counter() - started)
    ms = {k: (percentile(v, 50) * 1000, percentile(v, 99) * 1000) for k, v in timings.items()}
    report.add(Row("rollup query p50 (1 indicator x 8 districts)", ms["service"][0], "ms", "raw SQL", ms["raw"][0],
                   ratio(ms["service"][0], ms["raw"][0])))  # fmt: skip
    report.add(Row("rollup query p99 (1 indicator x 8 districts)", ms["service"][1], "ms", "raw SQL", ms["raw"][1],
                   ratio(ms["service"][1], ms["raw"][1]), "< 100 ms"))  # fmt: skip
    report.add(Row("rollup query p99 (60 indicators x 8 districts)", ms["wide"][1], "ms"))
    report.put(
        rollup_queries=len(asks), rollup_p50_ms=ms["service"][0], rollup_p99_ms=ms["service"][1],
        raw_sql_p50_ms=ms["raw"][0], raw_sql_p99_ms=ms["raw"][1],
        rollup_p99_ratio=ratio(ms["service"][1], ms["raw"][1]),
        wide_rollup_p50_ms=ms["wide"][0], wide_rollup_p99_ms=ms["wide"][1],
        values_loaded=INDICATORS * len(MONTHS) * 108,
    )  # fmt: skip


def _registry_events(communes: list[tuple[str, str]], count: int, first: int) -> list[Applied]:
    rng = random.Random(8)
    out = []
    for n in range(count):
        bts = f"bts-{n // 2}"
        day = datetime.date(2021, 1, 1) + datetime.timedelta(days=rng.randint(0, 3 * 365))
        if n % 2 == 0:
            commune, _ = rng.choice(communes)
            event: Event = r.BtsStationCommissioned(
                bts_id=bts, operator_id="o", unit_id=commune, technologies=["2G", "3G"], commissioned_on=day
            )
        else:
            event = r.BtsTechnologiesChanged(bts_id=bts, technologies=["3G", "4G"], effective_on=day)
        out.append(_envelope(event, bts, first + n, day))
    return out


async def recompute(pool: asyncpg.Pool, communes: list[tuple[str, str]], report: Report) -> None:
    projection = FactsProjection()
    events = _registry_events(communes, RECOMPUTE_EVENTS, 10_000)
    rates = {}
    for label, schema in (("rebuild", "metrics_facts__bench"), ("live", projection.name)):
        async with pool.acquire() as conn:
            await conn.execute(f"DROP SCHEMA IF EXISTS {schema}__copy CASCADE")
            if schema != projection.name:
                await ensure_schema(conn, projection, schema)
                async with conn.transaction():
                    await projection.apply(conn, schema, _structure()[0])
            announced = await conn.fetchval("SELECT count(*) FROM metrics.events")
            started = time.perf_counter()
            for i in range(0, len(events), BATCH):
                async with conn.transaction():
                    await projection.apply(conn, schema, events[i : i + BATCH])
            rates[label] = len(events) / (time.perf_counter() - started)
            rates[f"{label}_announced"] = await conn.fetchval("SELECT count(*) FROM metrics.events") - announced
    facts = [
        (f"k{n}", "telecom.bts.3g", "c0-0", None, None, 1.0, datetime.date(2022, 1, 1)) for n in range(len(events) * 3)
    ]
    async with pool.acquire() as conn:
        await conn.execute(
            "CREATE TABLE bench_facts (key text, fact text, unit_id text, via_station text, via_code text, "
            "value float8, valid_from date)"
        )
        started = time.perf_counter()
        for i in range(0, len(facts), BATCH * 3):
            async with conn.transaction():
                await conn.executemany(
                    "INSERT INTO bench_facts VALUES ($1, $2, $3, $4, $5, $6, $7)", facts[i : i + BATCH * 3]
                )
        raw_rate = len(events) / (time.perf_counter() - started)
    report.add(Row("recompute, announcing changes", rates["live"], "events/s", "raw inserts", raw_rate,
                   ratio(rates["live"], raw_rate)))  # fmt: skip
    report.add(Row("recompute, rebuild (no announcing)", rates["rebuild"], "events/s", "raw inserts", raw_rate,
                   ratio(rates["rebuild"], raw_rate)))  # fmt: skip
    report.put(
        recompute_events=len(events), recompute_events_per_s=rates["live"], recompute_announced=rates["live_announced"],
        rebuild_events_per_s=rates["rebuild"], raw_insert_events_per_s=raw_rate,
        recompute_ratio=ratio(rates["live"], raw_rate),
    )  # fmt: skip


async def main() -> Report:
    began = time.monotonic()
    report = Report()
    with tempfile.TemporaryDirectory(prefix="tinhso-bench-metrics-") as tmp:
        postgres = EmbeddedPostgres(Path(tmp) / "pgdata")
        say("starting embedded PostgreSQL")
        postgres.start()
        try:
            conn = await asyncpg.connect(postgres.url)
            try:
                await apply_migrations(conn, all_migrations())
            finally:
                await conn.close()
            pool = await create_pool(postgres.url, service="bench-metrics", max_size=POOL, min_size=POOL)
            try:
                structure, communes = _structure()
                await load(pool, communes, structure)
                say("rollup queries")
                await rollups(pool, report)
                say("recompute")
                await recompute(pool, communes, report)
            finally:
                await pool.close()
        finally:
            postgres.stop()
    report.notes.append(
        "in-process: the service's query and projection code without HTTP; reported values were loaded with COPY "
        "into the read model (the command path is not what (a) measures)"
    )
    report.put(bench_seconds=time.monotonic() - began, cpu_count=os.cpu_count() or 1, quick=QUICK)
    return report


def cli() -> None:
    quiet_logging()
    report = uvloop.run(main())
    print(report.render())
    print(json.dumps({k: rounded(v) for k, v in report.figures.items()}))


if __name__ == "__main__":
    cli()
