"""The gateway bench's bulk figures (ADR 0040), run by ``bench/gateway.py --only bulk``:

(f) bulk signal ingestion end to end: heartbeats for the district's clusters sent to
    ``POST /api/v1/bulk/signal-reports`` in batches of ``SIGNAL_BATCH`` from ``CONNECTIONS``
    connections (each report its own key, result and idempotency record), beside the raw
    baseline in the same run: the same batches as ``UPDATE … FROM unnest`` on a copy of the
    signal read model (``broadcast.cluster_signal``), from as many asyncpg connections (the
    median of ``RAW_RUNS``); the heartbeats are current (``signal_batches``, ADR 0059);
(g) a year of one station's relay logs (``RELAY_YEAR`` sessions) in one request to
    ``POST /api/v1/bulk/relay-sessions``, in seconds, then the same request again (every item a
    duplicate: the retry that does nothing twice);
(h) ``INDICATOR_VALUES`` indicator values (the district's communes, month after month) in one
    request to ``POST /api/v1/bulk/indicator-values``, in seconds, then the same request again;
    beside, in the same run, what the gateway did before the metrics service had a batch
    route: each value its own ``POST /commands/values/report`` with its key, ``ONE_BY_ONE`` at a
    time, straight to the service (no gateway in between), on ``ONE_BY_ONE_SAMPLE`` other
    values, its rate scaled to ``INDICATOR_VALUES``.
"""

from __future__ import annotations

import asyncio
import datetime
import os
import statistics
import time
from typing import Any

import asyncpg
import msgspec

from bench._common import Report, Row, ratio, say
from bench._http import KeepAliveConnection

SIGNAL_BATCH = 5_000
SIGNAL_BATCHES = 12
"""The first two batches warm up (state rows, plans) and are not counted."""
CONNECTIONS = 2
RAW_RUNS = 3
RELAY_YEAR = 1_200
INDICATOR_VALUES = 10_000
ONE_BY_ONE = 16
ONE_BY_ONE_SAMPLE = 1_000
START = datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)
SIGNAL_STEP = datetime.timedelta(milliseconds=10)
"""Between two heartbeats of one cluster: the run's 600 per cluster span 6 s, well inside the
silence threshold (300 s) for as long as the figure takes."""


def signal_batches(clusters: list[str], start: datetime.datetime | None = None) -> list[list[dict[str, Any]]]:
    """Heartbeats, each cluster once per ``SIGNAL_STEP`` from ``start``, every report new. By
    default they end now, as a monitoring system's do: heartbeats dated long ago would leave
    every cluster silent past the threshold, so the incident detector would open an incident
    for each between two batches and the next batch would close it (``BULK_SIGNALS_FROM`` puts
    them back at 2025-01-01, one a second, as the figures before ADR 0059 were measured)."""
    per_cluster = SIGNAL_BATCH * SIGNAL_BATCHES // len(clusters) + 1
    if os.environ.get("BULK_SIGNALS_FROM") == "2025":
        start, step = START, datetime.timedelta(seconds=1)
    else:
        step = SIGNAL_STEP
        start = start or datetime.datetime.now(datetime.UTC) - step * per_cluster
    reports = (
        {"cluster_id": cluster, "kind": "HEARTBEAT", "observed_at": start + n * step}
        for n in range(per_cluster)
        for cluster in clusters
    )
    flat = [next(reports) for _ in range(SIGNAL_BATCH * SIGNAL_BATCHES)]
    return [flat[i : i + SIGNAL_BATCH] for i in range(0, len(flat), SIGNAL_BATCH)]


async def _send(conns: list[KeepAliveConnection], path: str, bodies: list[bytes]) -> list[dict[str, Any]]:
    queue = list(reversed(bodies))
    answers: list[dict[str, Any]] = []

    async def sender(conn: KeepAliveConnection) -> None:
        while queue:
            body = queue.pop()
            status, answer = await conn.post(path, body)
            if status != 200:
                raise RuntimeError(f"{path} answered {status}: {answer[:300]!r}")
            answers.append(msgspec.json.decode(answer))

    await asyncio.gather(*(sender(c) for c in conns))
    return answers


async def raw_updates(pool: asyncpg.Pool, batches: list[list[dict[str, Any]]]) -> float:
    """Reports/s of the same batches as bare ``UPDATE … unnest`` on a copy of the read model."""
    async with pool.acquire() as conn:
        await conn.execute(
            "CREATE SCHEMA IF NOT EXISTS bench_raw; DROP TABLE IF EXISTS bench_raw.cluster_signal;"
            "CREATE TABLE bench_raw.cluster_signal (LIKE broadcast.cluster_signal INCLUDING ALL);"
            "INSERT INTO bench_raw.cluster_signal SELECT * FROM broadcast.cluster_signal"
        )
    queue = list(reversed(batches))

    async def task() -> None:
        while queue:
            batch = queue.pop()
            async with pool.acquire() as conn:
                for attempt in range(3):
                    try:
                        await conn.execute(
                            """UPDATE bench_raw.cluster_signal c
                               SET last_observed_at = greatest(c.last_observed_at, u.at), reports = c.reports + 1
                               FROM unnest($1::text[], $2::timestamptz[]) AS u(id, at) WHERE c.cluster_id = u.id""",
                            [r["cluster_id"] for r in batch],
                            [r["observed_at"] for r in batch],
                        )
                        break
                    except asyncpg.DeadlockDetectedError:
                        # Two batches update the same rows in the order the join finds them; the
                        # victim is rolled back whole, and the service's executor retries it too.
                        if attempt == 2:
                            raise

    started = time.perf_counter()
    await asyncio.gather(*(task() for _ in range(CONNECTIONS)))
    return sum(len(b) for b in batches) / (time.perf_counter() - started)


async def bulk_signals(
    gateway: list[KeepAliveConnection], pool: asyncpg.Pool, clusters: list[str], report: Report
) -> None:
    batches = signal_batches(clusters)
    warm, measured = batches[:2], batches[2:]
    total = sum(len(b) for b in measured)
    say(f"(f) bulk signal reports: {total:,} in batches of {SIGNAL_BATCH:,} from {CONNECTIONS} connections")
    path = "/api/v1/bulk/signal-reports"
    await _send(gateway, path, [msgspec.json.encode(b) for b in warm])
    bodies = [msgspec.json.encode(b) for b in measured]
    started = time.perf_counter()
    answers = await _send(gateway, path, bodies)
    rate = total / (time.perf_counter() - started)
    accepted = sum(a["accepted"] for a in answers)
    if accepted != total:
        raise RuntimeError(f"{accepted:,} of {total:,} reports accepted")
    say(f"  {rate:,.0f} reports/s; raw UPDATE unnest on the read model")
    # The raw batches take under a second: one run lands on whatever the machine's other
    # work does in that second, so the baseline is the median of RAW_RUNS.
    raws = [await raw_updates(pool, measured) for _ in range(RAW_RUNS)]
    raw = statistics.median(raws)
    # Said now: a later figure that fails ends the run before the table is printed.
    say(f"  raw {raw:,.0f} reports/s (median of {', '.join(f'{r:,.0f}' for r in raws)}): {ratio(rate, raw):.2f} of it")
    baseline = "asyncpg UPDATE unnest, read model"
    report.add(Row("bulk signal reports, end to end", rate, "reports/s", baseline, raw, ratio(rate, raw), "≥ 25 %"))
    report.put(bulk_signal_reports=total, bulk_signal_batch=SIGNAL_BATCH, bulk_signal_per_s=rate,
               raw_update_unnest_per_s=raw, bulk_signal_ratio=ratio(rate, raw))  # fmt: skip


def relay_year(station_id: str) -> list[dict[str, Any]]:
    """``RELAY_YEAR`` sessions of 40 minutes, spread over 2025 without overlapping."""
    step = datetime.timedelta(days=365) / RELAY_YEAR
    return [
        {
            "station_id": station_id,
            "source": "VOV1",
            "started_at": START + n * step,
            "ended_at": START + n * step + datetime.timedelta(minutes=40),
            "key": f"bench-relay-{n:04d}",
        }
        for n in range(RELAY_YEAR)
    ]


async def bulk_relays(gateway: KeepAliveConnection, station_id: str, report: Report) -> None:
    say(f"(g) a year of relay logs: {RELAY_YEAR:,} sessions in one request")
    body = msgspec.json.encode(relay_year(station_id))
    seconds: list[float] = []
    for expected in ("accepted", "duplicate"):
        started = time.perf_counter()
        [answer] = await _send([gateway], "/api/v1/bulk/relay-sessions", [body])
        seconds.append(time.perf_counter() - started)
        if answer[expected] != RELAY_YEAR:
            raise RuntimeError(f"relay year: {answer[expected]} {expected}, expected {RELAY_YEAR}")
    say(f"  {seconds[0]:.2f} s; sent again (all duplicates) {seconds[1]:.2f} s")
    report.add(Row(f"a year of relay logs ({RELAY_YEAR:,} sessions), one request", seconds[0], "s", target="< 2 s"))
    report.add(Row("the same request again (all duplicates)", seconds[1], "s"))
    report.put(relay_year_sessions=RELAY_YEAR, relay_year_seconds=seconds[0], relay_year_again_seconds=seconds[1])


def indicator_values(indicator: str, units: list[str], count: int, first_year: int) -> list[dict[str, Any]]:
    """``count`` values of ``indicator``: each unit's months from ``first_year`` on, each once."""
    months = -(-count // len(units))
    return [
        {"indicator_code": indicator, "unit_code": unit, "period": f"{first_year + m // 12}-{m % 12 + 1:02d}",
         "value": m % 100}
        for m in range(months)
        for unit in units
    ][:count]  # fmt: skip


async def one_by_one(metrics: list[KeepAliveConnection], values: list[dict[str, Any]]) -> float:
    """Seconds for ``values`` sent each as its own command, as many at a time as connections."""
    queue = list(reversed(values))

    async def sender(conn: KeepAliveConnection) -> None:
        while queue:
            value = queue.pop()
            key = f"bulk:value:bench-{value['unit_code']}-{value['period']}"
            status, answer = await conn.request(
                "POST", "/commands/values/report", msgspec.json.encode(value), {"idempotency-key": key}
            )
            if status != 201:
                raise RuntimeError(f"report answered {status}: {answer[:300]!r}")

    started = time.perf_counter()
    await asyncio.gather(*(sender(c) for c in metrics))
    return time.perf_counter() - started


async def bulk_values(
    gateway: KeepAliveConnection, metrics: list[KeepAliveConnection], values: tuple[str, list[str]], report: Report
) -> None:
    indicator, units = values
    say(f"(h) indicator values: {ONE_BY_ONE_SAMPLE:,} one by one, {ONE_BY_ONE} at a time, straight to metrics")
    sample = await one_by_one(metrics, indicator_values(indicator, units, ONE_BY_ONE_SAMPLE, 2080))
    before = sample * INDICATOR_VALUES / ONE_BY_ONE_SAMPLE
    say(f"  {sample:.2f} s: {before:.1f} s for {INDICATOR_VALUES:,}; now {INDICATOR_VALUES:,} in one request")
    await gateway.close()  # idle while the values went one by one: the server has closed it
    body = msgspec.json.encode(indicator_values(indicator, units, INDICATOR_VALUES, 2020))
    seconds: list[float] = []
    for expected in ("accepted", "duplicate"):
        started = time.perf_counter()
        [answer] = await _send([gateway], "/api/v1/bulk/indicator-values", [body])
        seconds.append(time.perf_counter() - started)
        if answer[expected] != INDICATOR_VALUES:
            rejected = [i for i in answer["items"] if i["status"] == "rejected"][:3]
            raise RuntimeError(f"values: {answer[expected]} {expected} of {INDICATOR_VALUES}: {rejected}")
    say(f"  {seconds[0]:.2f} s; sent again (all duplicates) {seconds[1]:.2f} s")
    baseline = f"one by one, {ONE_BY_ONE} at a time (from {ONE_BY_ONE_SAMPLE:,})"
    report.add(Row(f"indicator values ({INDICATOR_VALUES:,}), one request", seconds[0], "s", baseline, before,
                   ratio(seconds[0], before)))  # fmt: skip
    report.add(Row("the same request again (all duplicates)", seconds[1], "s"))
    report.put(indicator_values=INDICATOR_VALUES, indicator_values_seconds=seconds[0],
               indicator_values_again_seconds=seconds[1], indicator_values_one_by_one_seconds=before)  # fmt: skip


async def bulk_load(
    connect: Any,
    pool: asyncpg.Pool,
    clusters: list[str],
    station_id: str,
    values: tuple[str, list[str]],
    *,
    metrics: Any,
    report: Report,
) -> None:
    """``connect()``: a new keep-alive connection to the gateway with the bench's key;
    ``metrics()``: one straight to the metrics service; ``values``: an indicator partners report
    and the units to report it for."""
    conns = [connect() for _ in range(CONNECTIONS)]
    direct = [metrics() for _ in range(ONE_BY_ONE)]
    try:
        await bulk_signals(conns, pool, clusters, report)
        await bulk_relays(conns[0], station_id, report)
        await bulk_values(conns[0], direct, values, report)
    finally:
        await asyncio.gather(*(c.close() for c in [*conns, *direct]))
