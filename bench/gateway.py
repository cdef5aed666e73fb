"""Gateway benchmark: the nested dashboard query and mutations through /graphql, each beside a
baseline measured in the same run, and the live fan-out delay to 1,000 subscribers.

    .venv/bin/python bench/gateway.py                   # about four minutes
    .venv/bin/python bench/gateway.py --only live,replay

Starts its own embedded PostgreSQL and broker in a temporary directory and the four services
as ``tinhso up`` would (each ``python -m services.<name>`` in its own process), builds a
district through /graphql (communes, villages, one station per commune, one loudspeaker cluster
per village, a reported value per commune), then measures:

(a) the nested dashboard query ``units(level: COMMUNE, parentCode) → radioStation → clusters →
    signal, village; indicators`` at 200 concurrent clients (p50/p99, queries/s), with the
    district's communes' indicator values reported at 10/s underneath (each changes what the
    query shows and drops its cached answer), then repeated with nothing changing (the
    response cache's figure, ADR 0048); ``--no-cache`` runs the gateway without it; baselines:
    the same data fetched (1) straight from the internal HTTP APIs, the calls the gateway makes,
    level after level, and (2) by direct asyncpg queries on the read models, with the services'
    own repository functions;
(b) mutation throughput: ``registerUnit`` through /graphql (which waits for the read model to
    show the unit) beside the registry's ``POST /commands/units/register`` called directly, each
    with every process's CPU per mutation while it ran and in the seconds after (where the time
    goes: the work its events cause downstream);
(c) live fan-out: 1,000 subscriptions (50 WebSocket connections x 20) to cluster-down events;
    the delay from each event's commit (``recordedAt``) to its arrival at each subscriber;
(d) live subscribers per gateway process (10,000 and, as the ceiling, fewer) and (e)
    resume-replay of 100,000 missed events, each beside a raw consume of the same topic
    (``bench/_live_feed.py``);
(f) bulk signal ingestion through ``/api/v1/bulk/signal-reports`` (reports/s end to end)
    beside raw ``UPDATE … unnest`` on the read model, and (g) a year of relay logs (1,200
    sessions) in one request, and (h) 10,000 indicator values in one request (``bench/_bulk.py``).

``--only live,replay`` runs only the figures named (query, mutation, fanout, live, replay, bulk);
``--gateway-workers 2`` runs the gateway in two processes (``TINHSO_GATEWAY_WORKERS``, ADR 0057).

The table goes to stdout, then, as the very last line, one JSON object with every figure;
progress goes to stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime
import functools
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
from aiokafka.errors import KafkaError
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

from bench._bulk import bulk_load
from bench._common import (
    CpuMeter,
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
from bench._live_feed import LIVE_SUBSCRIPTIONS, REPLAY_EVENTS, live_subscribers, resume_replay
from contracts.services import EVENT_SOURCED, INTERNAL, SERVICES
from libs.common.db import create_pool
from libs.common.embedded.process import free_port
from libs.common.kafka import ensure_topics
from libs.common.migrations import apply_migrations
from libs.common.principal import private_key_path
from libs.common.settings import load_settings
from services.broadcast.adapters import signal_read
from services.cli.catalogue import all_migrations
from services.gateway.security.partner_store import PartnerStore
from services.gateway.security.partners import Partner
from services.metrics.application.queries import MetricsQueries
from services.metrics.domain.periods import Period
from services.registry.adapters import assets_read, units_read

COMMUNES = 20
VILLAGES = 5
CLIENTS = 200
QUERIES_PER_CLIENT = 2
QUERIES_UNDER_WRITES = 10
"""Per client, with the writes underneath (enough for dozens of writes at the answer cache's
speed) and repeated: the first query of each client, which opens its connection, is then a
tenth of the figure."""
MUTATION_CLIENTS = 20
MUTATIONS_PER_CLIENT = 10
"""Each a new village under one commune, which every later figure's recompute of that commune
walks: 50 per client made (h) take 49 s instead of 15 s (ADR 0063)."""
MUTATION_TAIL_SECONDS = 3.0
"""After each mutation run: the work its events still cause downstream (relay, projections,
the metrics recompute), which the direct baseline's clock stops before. Counted beyond what the
platform uses idle (the consumers' fetches), measured for as long before the runs."""
CONNECTIONS = 50
SUBSCRIPTIONS_PER_CONNECTION = 20
FANOUT_EVENTS = 10
INDICATOR = "citizens.internet_users"
PREFIX = "benchgw"
WRITES_PER_SECOND = 10
SETTLE_SECONDS = 6.0
"""Past the response cache's settle time (5 s) after the last write under the query."""

DASHBOARD = """
query($parent: String!, $codes: [String!]) {
  units(level: COMMUNE, parentCode: $parent, first: 50) {
    edges { node {
      code name
      radioStation { technology status clusters { signal lastSeenAt village { code name } } }
      indicators(period: "2023", codes: $codes) { value target }
    } }
  }
}
"""
REGISTER_UNIT = "mutation($i: RegisterUnitInput!) { registerUnit(input: $i) { id code } }"
REPORT_VALUE = "mutation($i: ReportIndicatorValueInput!) { reportIndicatorValue(input: $i) { value } }"


def _bench_private_key() -> str:
    from bench._common import _bench_keys  # noqa: PLC0415 - the bench's own key pair

    return str(private_key_path(_bench_keys()))


class Platform:
    def __init__(self, servers: Servers, state: Path, *, cache: bool = True, workers: int = 1) -> None:
        self.servers = servers
        self.ports = {name: free_port() for name in SERVICES}
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
            TINHSO_PRINCIPAL_PRIVATE_KEY_FILE=_bench_private_key(),
            TINHSO_RATE_LIMIT_PER_MINUTE="0",  # measuring the API, not the limiter
            TINHSO_RATE_LIMIT_BULK_ITEMS_PER_MINUTE="0",
            # (d) holds 10,000 subscriptions from one client host, with one key.
            TINHSO_GATEWAY_MAX_WEBSOCKETS_PER_PARTNER="1000",
            TINHSO_GATEWAY_MAX_SUBSCRIPTIONS_PER_PARTNER="20000",
            TINHSO_GATEWAY_MAX_PENDING_WEBSOCKETS_PER_HOST="1000",
            TINHSO_GATEWAY_RESPONSE_CACHE="true" if cache else "false",
            TINHSO_GATEWAY_WORKERS=str(workers),
        )
        env.update({f"TINHSO_{name.upper()}_PORT": str(port) for name, port in self.ports.items()})
        self.processes = [
            ServiceProcess(
                [sys.executable, "-m", f"services.{name}"],
                env,
                port=self.ports[name],
                log_path=state / f"{name}.log",
                label=name,
            )
            for name in SERVICES
        ]
        self.key = ""

    async def start(self) -> None:
        for process in self.processes:
            # A loaded machine (other benchmarks, other engineers) takes far longer to import.
            await process.start(timeout=300.0)

    def stop(self) -> None:
        for process in reversed(self.processes):
            process.stop()

    def cpu_meter(self) -> CpuMeter:
        """Each service's process tree, PostgreSQL's (its backends) and the broker's."""
        pids = {p.label: p.pid for p in self.processes}
        pids.update(postgres=self.servers.postgres.pid, broker=self.servers.broker.pid)
        return CpuMeter(pids)

    @property
    def gateway_pid(self) -> int | None:
        return next(p.pid for p in self.processes if p.label == "gateway")

    def gateway(self) -> KeepAliveConnection:
        return KeepAliveConnection("127.0.0.1", self.ports["gateway"], {"authorization": f"Bearer {self.key}"})

    def internal(self, service: str) -> KeepAliveConnection:
        return KeepAliveConnection("127.0.0.1", self.ports[service], principal=principal_for(service))

    async def mutate(self, query: str, variables: dict[str, Any]) -> None:
        """A mutation whose event is all that matters: a read model too busy to show it in time
        (``READ_MODEL_LAG``, while 10,000 subscribers are served) does not fail it."""
        conn = self.gateway()
        try:
            await graphql(conn, query, variables)
        except RuntimeError as exc:
            if "READ_MODEL_LAG" not in str(exc):
                raise
        finally:
            await conn.close()


async def request(conn: KeepAliveConnection, method: str, path: str, body: bytes = b"") -> tuple[int, bytes]:
    """One call; a keep-alive connection the server closed while idle (uvicorn closes them after
    5 s) is reopened once."""
    try:
        return await conn.request(method, path, body)
    except (asyncio.IncompleteReadError, ConnectionError):
        await conn.close()
        return await conn.request(method, path, body)


async def graphql(conn: KeepAliveConnection, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    status, body = await request(
        conn, "POST", "/graphql", msgspec.json.encode({"query": query, "variables": variables})
    )
    result: dict[str, Any] = msgspec.json.decode(body)
    if status != 200 or result.get("errors"):
        raise RuntimeError(f"GraphQL answered {status}: {result.get('errors') or body[:500]!r}")
    return result


# --- the district ------------------------------------------------------------------------------


async def until_known(call: Callable[[], Awaitable[Any]], seconds: float = 30.0) -> None:
    """A command on a unit the service's view of the registry has not caught up with yet
    (``UNKNOWN_UNIT``, on a loaded machine) is sent again until it is known."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            await call()
            return
        except RuntimeError as exc:
            if "UNKNOWN_UNIT" not in str(exc) or time.monotonic() > deadline:
                raise
        await asyncio.sleep(0.2)


async def build(platform: Platform) -> dict[str, list[str]]:
    """06 → 061 → communes → villages, a station per commune, a cluster per village, a value each."""
    conn = platform.gateway()
    clusters: dict[str, list[str]] = {}
    try:

        async def unit(code: str, level: str, parent: str | None) -> None:
            i = {
                "code": code,
                "name": f"Đơn vị {code}",
                "level": level,
                "parentCode": parent,
                "validFrom": "2020-01-01",
            }
            await graphql(conn, REGISTER_UNIT, {"i": i})

        await unit("06", "PROVINCE", None)
        await unit("061", "DISTRICT", "06")
        for c in range(COMMUNES):
            commune = f"061{c:02d}"
            await unit(commune, "COMMUNE", "061")
            station = await graphql(
                conn,
                "mutation($i: RegisterRadioStationInput!) { registerRadioStation(input: $i) { id } }",
                {"i": {"unitCode": commune, "technology": "IP"}},
            )
            station_id = station["data"]["registerRadioStation"]["id"]
            clusters[commune] = []
            for v in range(VILLAGES):
                village = f"{commune}V{v}"
                await unit(village, "VILLAGE", commune)
                cluster = await graphql(
                    conn,
                    "mutation($i: RegisterSpeakerClusterInput!) { registerSpeakerCluster(input: $i) { id } }",
                    {"i": {"stationId": station_id, "villageCode": village}},
                )
                clusters[commune].append(cluster["data"]["registerSpeakerCluster"]["id"])
            value = {"indicatorCode": INDICATOR, "unitCode": commune, "period": "2023", "value": 50.0 + c}
            await until_known(functools.partial(graphql, conn, REPORT_VALUE, {"i": value}))
    finally:
        await conn.close()
    return clusters


# --- (a) the nested query ----------------------------------------------------------------------


async def closed_loop(
    clients: int, per_client: int, make: Callable[[int], Callable[[], Awaitable[None]]]
) -> tuple[list[float], float]:
    """(latencies in s, requests/s) of ``clients`` closed-loop clients."""
    latencies: list[float] = []

    async def client(n: int) -> None:
        call = make(n)
        for _ in range(per_client):
            started = time.perf_counter()
            await call()
            latencies.append(time.perf_counter() - started)

    began = time.perf_counter()
    await asyncio.gather(*(client(n) for n in range(clients)))
    return latencies, len(latencies) / (time.perf_counter() - began)


async def via_gateway(
    platform: Platform, refused: list[str] | None = None, per_client: int = QUERIES_PER_CLIENT
) -> tuple[list[float], float]:
    """``refused``: where a query the loaded gateway failed (503, an internal call timed out) is
    noted (its time counts), instead of ending the run."""
    conns = [platform.gateway() for _ in range(CLIENTS)]

    def make(n: int) -> Callable[[], Awaitable[None]]:
        async def call() -> None:
            try:
                result = await graphql(conns[n], DASHBOARD, {"parent": "061", "codes": [INDICATOR]})
            except RuntimeError as exc:
                if refused is None:
                    raise
                refused.append(str(exc)[:200])
                return
            assert len(result["data"]["units"]["edges"]) == COMMUNES

        return call

    try:
        return await closed_loop(CLIENTS, per_client, make)
    finally:
        await asyncio.gather(*(c.close() for c in conns))


async def writes_underneath(platform: Platform, done: asyncio.Event) -> int:
    """Values of the queried district's communes reported at ``WRITES_PER_SECOND`` until
    ``done``, each changing what the query shows; how many. Each is sent on time whatever the
    last one's latency (a mutation waits for its read model)."""
    sent: list[asyncio.Task[None]] = []
    failed: list[str] = []

    async def write(n: int) -> None:
        i = {"indicatorCode": INDICATOR, "unitCode": f"061{n % COMMUNES:02d}", "period": "2023", "value": n % 100}
        writer = platform.gateway()
        try:
            await graphql(writer, REPORT_VALUE, {"i": i})
        except RuntimeError as exc:  # a write the loaded platform refused is counted, not fatal
            failed.append(str(exc)[:200])
        finally:
            await writer.close()

    while not done.is_set():
        sent.append(asyncio.create_task(write(len(sent))))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(done.wait(), 1 / WRITES_PER_SECOND)
    await asyncio.gather(*sent)
    if failed:
        say(f"{len(failed)} of {len(sent)} writes under the query failed, the first: {failed[0]}")
    return len(sent) - len(failed)


async def via_gateway_with_writes(platform: Platform, refused: list[str]) -> tuple[list[float], float, float]:
    """(latencies, queries/s, writes/s) of the nested query with writes underneath."""
    done = asyncio.Event()
    began = time.perf_counter()
    writer = asyncio.create_task(writes_underneath(platform, done))
    try:
        latencies, rps = await via_gateway(platform, refused, QUERIES_UNDER_WRITES)
    finally:
        done.set()
        writes = await writer
    return latencies, rps, writes / (time.perf_counter() - began)


async def via_internal_http(platform: Platform, refused: list[str]) -> tuple[list[float], float]:
    """The gateway's own plan, level by level, straight on the internal APIs (no GraphQL).
    ``refused``: where a service refused a call (503 ``not_ready``: 200 clients at once queue on
    its pool past the acquire timeout; the gateway never sends it that many), noted, its time
    counted."""
    conns = [{s: platform.internal(s) for s in INTERNAL} for _ in range(CLIENTS)]

    async def get(conn: KeepAliveConnection, path: str) -> Any:
        status, body = await request(conn, "GET", path)
        if status != 200:
            raise RuntimeError(f"{path}: {status} {body[:300]!r}")
        return msgspec.json.decode(body)

    async def post(conn: KeepAliveConnection, path: str, payload: object) -> Any:
        status, body = await request(conn, "POST", path, msgspec.json.encode(payload))
        if status != 200:
            raise RuntimeError(f"{path}: {status} {body[:300]!r}")
        return msgspec.json.decode(body)

    def make(n: int) -> Callable[[], Awaitable[None]]:
        c = conns[n]

        async def call() -> None:
            try:
                await plan()
            except RuntimeError as exc:
                refused.append(str(exc)[:200])

        async def plan() -> None:
            page = await get(c["registry"], "/units/list?level=commune&parent_code=061&first=50")
            units = page["items"]
            codes = ",".join(u["code"] for u in units)
            stations, values = await asyncio.gather(
                get(c["registry"], "/radio-stations/by-unit?unit_ids=" + ",".join(u["unit_id"] for u in units)),
                get(c["metrics"], f"/values?codes={INDICATOR}&unit_codes={codes}&period=2023"),
            )
            clusters = await get(
                c["registry"], "/speaker-clusters/by-station?station_ids=" + ",".join(s["station_id"] for s in stations)
            )
            await asyncio.gather(
                post(c["broadcast"], "/queries/signal/clusters", {"cluster_ids": [k["cluster_id"] for k in clusters]}),
                get(c["registry"], "/units?ids=" + ",".join(k["village_id"] for k in clusters)),
            )
            assert len(units) == COMMUNES
            assert len(values) == COMMUNES

        return call

    try:
        return await closed_loop(CLIENTS, QUERIES_PER_CLIENT, make)
    finally:
        await asyncio.gather(*(conn.close() for c in conns for conn in c.values()))


async def via_asyncpg(pool: asyncpg.Pool) -> tuple[list[float], float]:
    """The same data with the services' repository functions on one pool (no HTTP at all)."""
    metrics = MetricsQueries(pool)
    period = Period.parse("2023")

    def make(_: int) -> Callable[[], Awaitable[None]]:
        async def call() -> None:
            async with pool.acquire() as conn:
                parent = (await units_read.units_by_codes(conn, ["061"]))[0]
                page = await units_read.list_units(conn, level="commune", parent_id=parent.unit_id, first=50)
                stations = await assets_read.radio_stations_by_units(conn, [u.unit_id for u in page.items])
                clusters = await assets_read.speaker_clusters_by_stations(conn, [s.station_id for s in stations])
                await signal_read.cluster_states(conn, [k.cluster_id for k in clusters])
                await units_read.units_by_ids(conn, [k.village_id for k in clusters if k.village_id])
            values = await metrics.values([INDICATOR], [u.code for u in page.items], period)
            assert len(values) == COMMUNES

        return call

    return await closed_loop(CLIENTS, QUERIES_PER_CLIENT, make)


def _row(figure: str, value: float, unit: str, baseline: str, baseline_value: float) -> Row:
    return Row(figure, value, unit, baseline, baseline_value, ratio(value, baseline_value))


async def cache_counters(platform: Platform) -> dict[str, float]:
    """The gateway's ``tinhso_gateway_cache_*_total`` counters, from its ``/metrics``."""
    conn = platform.gateway()
    try:
        status, body = await request(conn, "GET", "/metrics")
    finally:
        await conn.close()
    if status != 200:
        return {}
    counters: dict[str, float] = {}
    for line in body.decode().splitlines():
        if line.startswith("tinhso_gateway_cache_") and "_total" in line.split()[0]:
            name, value = line.split()[:2]
            counters[name.removeprefix("tinhso_gateway_cache_").removesuffix("_total")] = float(value)
    return counters


def _counted(before: dict[str, float], after: dict[str, float]) -> str:
    return ", ".join(f"{name} {after[name] - before.get(name, 0):.0f}" for name in sorted(after))


async def query_load(platform: Platform, pool: asyncpg.Pool, report: Report) -> None:
    say(f"nested query, {CLIENTS} clients x {QUERIES_UNDER_WRITES}: through the gateway, writes under it")
    refused: list[str] = []
    before = await cache_counters(platform)
    gw, gw_rps, writes_per_second = await via_gateway_with_writes(platform, refused)
    after = await cache_counters(platform)
    say("response cache in that phase: " + _counted(before, after))
    # The values' events, and the derived values the metrics service announces after them,
    # settle (TINHSO_GATEWAY_RESPONSE_CACHE_SETTLE_SECONDS, 5 s by default).
    await asyncio.sleep(SETTLE_SECONDS)
    say("the same query repeated, nothing changing")
    before = await cache_counters(platform)
    repeated, repeated_rps = await via_gateway(platform, refused, QUERIES_UNDER_WRITES)
    say("response cache in that phase: " + _counted(before, await cache_counters(platform)))
    if refused:
        report.notes.append(f"{len(refused)} nested queries failed (counted in the figures): {refused[0]}")
    say("the same through the internal HTTP APIs")
    direct_refused: list[str] = []
    http, http_rps = await via_internal_http(platform, direct_refused)
    if direct_refused:
        report.notes.append(f"{len(direct_refused)} internal HTTP baseline plans refused: {direct_refused[0]}")
    say("the same with asyncpg on the read models")
    raw, raw_rps = await via_asyncpg(pool)
    ms = {name: (percentile(v, 50) * 1000, percentile(v, 99) * 1000) for name, v in
          (("gateway", gw), ("http", http), ("raw", raw))}  # fmt: skip
    report.add(_row(f"nested query p50 ({CLIENTS} clients)", ms["gateway"][0], "ms", "internal HTTP", ms["http"][0]))
    report.add(_row(f"nested query p99 ({CLIENTS} clients)", ms["gateway"][1], "ms", "internal HTTP", ms["http"][1]))
    report.add(_row("nested query throughput", gw_rps, "queries/s", "internal HTTP", http_rps))
    report.add(_row(f"nested query p50 ({CLIENTS} clients)", ms["gateway"][0], "ms", "asyncpg", ms["raw"][0]))
    report.add(_row(f"nested query p99 ({CLIENTS} clients)", ms["gateway"][1], "ms", "asyncpg", ms["raw"][1]))
    report.add(_row("nested query throughput", gw_rps, "queries/s", "asyncpg", raw_rps))
    report.rows[-1].target = f">= 0.5, writes {writes_per_second:.1f}/s under it"
    report.rows[-2].target = "<= 1,000 ms"
    repeated_p99 = percentile(repeated, 99) * 1000
    report.add(_row("repeated nested query throughput", repeated_rps, "queries/s", "asyncpg", raw_rps))
    report.rows[-1].target = ">= 2, nothing changing"
    report.add(_row(f"repeated nested query p99 ({CLIENTS} clients)", repeated_p99, "ms", "asyncpg", ms["raw"][1]))
    report.put(
        query_clients=CLIENTS, query_communes=COMMUNES, query_clusters=COMMUNES * VILLAGES,
        query_p50_ms=ms["gateway"][0], query_p99_ms=ms["gateway"][1], query_rps=gw_rps,
        internal_http_p50_ms=ms["http"][0], internal_http_p99_ms=ms["http"][1], internal_http_rps=http_rps,
        asyncpg_p50_ms=ms["raw"][0], asyncpg_p99_ms=ms["raw"][1], asyncpg_rps=raw_rps,
        query_writes_per_second=writes_per_second, repeated_query_rps=repeated_rps,
        repeated_query_p99_ms=repeated_p99,
    )  # fmt: skip


# --- (b) mutations -----------------------------------------------------------------------------


async def mutation_load(platform: Platform, report: Report) -> None:
    say(f"mutations, {MUTATION_CLIENTS} clients x {MUTATIONS_PER_CLIENT}: registerUnit through the gateway")
    conns = [platform.gateway() for _ in range(MUTATION_CLIENTS)]

    def through_gateway(n: int) -> Callable[[], Awaitable[None]]:
        counter = iter(range(10**6))

        async def call() -> None:
            code = f"061G{n:02d}{next(counter):03d}"
            i = {"code": code, "name": code, "level": "VILLAGE", "parentCode": "06100", "validFrom": "2021-01-01"}
            await graphql(conns[n], REGISTER_UNIT, {"i": i})

        return call

    idle = platform.cpu_meter()
    idle.start()
    await asyncio.sleep(MUTATION_TAIL_SECONDS)
    idle.stop()
    say(f"  idle, CPU % of a core: {idle.describe()}")
    report.notes.append(f"registerUnit: the platform idle before the runs, CPU % of a core: {idle.describe()}")
    gw, gw_rps, gw_cpu = await _metered(platform, through_gateway, idle.seconds)
    await asyncio.gather(*(c.close() for c in conns))
    say("the same command straight on the registry")
    direct_conns = [platform.internal("registry") for _ in range(MUTATION_CLIENTS)]

    def direct(n: int) -> Callable[[], Awaitable[None]]:
        counter = iter(range(10**6))

        async def call() -> None:
            code = f"061D{n:02d}{next(counter):03d}"
            body = {"code": code, "name": code, "level": "village", "parent_code": "06100", "valid_from": "2021-01-01"}
            status, answer = await direct_conns[n].request(
                "POST", "/commands/units/register", msgspec.json.encode(body)
            )
            if status != 201:
                raise RuntimeError(f"register answered {status}: {answer[:300]!r}")

        return call

    raw, raw_rps, raw_cpu = await _metered(platform, direct, idle.seconds)
    await asyncio.gather(*(c.close() for c in direct_conns))
    report.add(_row("registerUnit throughput", gw_rps, "mutations/s", "registry HTTP", raw_rps))
    report.add(_row("registerUnit p50", percentile(gw, 50) * 1000, "ms", "registry HTTP", percentile(raw, 50) * 1000))
    for label, cpu in (("through the gateway", gw_cpu), ("straight on the registry", raw_cpu)):
        report.notes.append(f"registerUnit {label}, CPU ms per mutation: {_described(cpu)}")
    report.put(
        mutation_rps=gw_rps, mutation_p50_ms=percentile(gw, 50) * 1000, direct_command_rps=raw_rps,
        direct_command_p50_ms=percentile(raw, 50) * 1000, mutation_cpu_ms=gw_cpu, direct_command_cpu_ms=raw_cpu,
    )  # fmt: skip


async def _metered(
    platform: Platform, make: Callable[[int], Callable[[], Awaitable[None]]], idle: dict[str, float]
) -> tuple[list[float], float, dict[str, dict[str, float]]]:
    """A closed-loop mutation run, and each process's CPU per mutation while it ran (``run``)
    and in the ``MUTATION_TAIL_SECONDS`` after, beyond ``idle`` (each process's CPU seconds over
    as long a quiet spell): where the mutation's time goes."""
    count = MUTATION_CLIENTS * MUTATIONS_PER_CLIENT
    during, after = platform.cpu_meter(), platform.cpu_meter()
    during.start()
    latencies, rps = await closed_loop(MUTATION_CLIENTS, MUTATIONS_PER_CLIENT, make)
    during.stop()
    after.start()
    await asyncio.sleep(MUTATION_TAIL_SECONDS)
    after.stop()
    beyond_idle = {name: max(0.0, used - idle.get(name, 0.0)) for name, used in after.seconds.items()}
    cpu = {
        phase: {name: round(seconds * 1000 / count, 2) for name, seconds in used.items()}
        for phase, used in (("run", during.seconds), ("after", beyond_idle))
    }
    say(f"  {rps:,.0f}/s; CPU ms per mutation: {_described(cpu)}")
    return latencies, rps, cpu


def _described(cpu: dict[str, dict[str, float]]) -> str:
    return "; ".join(
        f"{phase} {sum(used.values()):.1f} ("
        + ", ".join(f"{name} {ms:.1f}" for name, ms in used.items() if name != "other" or ms >= 0.1)
        + ")"
        for phase, used in cpu.items()
    )


# --- (c) fan-out -------------------------------------------------------------------------------


SUBSCRIPTION = 'subscription { events(types: ["broadcast.cluster_signal_lost"], unitCode: "061") { id recordedAt } }'


async def subscriber(platform: Platform) -> ClientConnection:
    url = f"ws://127.0.0.1:{platform.ports['gateway']}/graphql"
    socket = await connect(url, subprotocols=[Subprotocol("graphql-transport-ws")], max_queue=None, ping_interval=None)
    await socket.send(json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {platform.key}"}}))
    ack = json.loads(await socket.recv())
    if ack["type"] != "connection_ack":
        raise RuntimeError(f"connection refused: {ack}")
    for n in range(SUBSCRIPTIONS_PER_CONNECTION):
        await socket.send(json.dumps({"id": str(n), "type": "subscribe", "payload": {"query": SUBSCRIPTION}}))
    return socket


async def fanout(platform: Platform, clusters: dict[str, list[str]], report: Report) -> None:
    total = CONNECTIONS * SUBSCRIPTIONS_PER_CONNECTION
    say(f"fan-out: {total} subscriptions on {CONNECTIONS} connections, {FANOUT_EVENTS} cluster-down events")
    sockets = await asyncio.gather(*(subscriber(platform) for _ in range(CONNECTIONS)))
    await asyncio.sleep(1.0)  # subscriptions registered server-side
    delays: list[float] = []
    expected = total * FANOUT_EVENTS

    async def read(socket: ClientConnection) -> None:
        got = 0
        while got < SUBSCRIPTIONS_PER_CONNECTION * FANOUT_EVENTS:
            message = json.loads(await socket.recv())
            if message["type"] != "next":
                raise RuntimeError(f"subscription answered {message}")
            arrived = datetime.datetime.now(datetime.UTC)
            recorded = datetime.datetime.fromisoformat(message["payload"]["data"]["events"]["recordedAt"])
            delays.append((arrived - recorded).total_seconds())
            got += 1

    readers = [asyncio.create_task(read(s)) for s in sockets]
    conn = platform.gateway()
    try:
        targets = [k for ks in clusters.values() for k in ks][:FANOUT_EVENTS]
        for cluster in targets:
            await graphql(
                conn,
                "mutation($i: ReportClusterSignalInput!) { reportClusterSignal(input: $i) { id } }",
                {"i": {"clusterId": cluster, "signal": "OFFLINE", "observedAt": "2024-01-01T00:00:00Z"}},
            )
            await asyncio.sleep(1.0)  # latency, not throughput: each event fans out before the next
        await asyncio.wait_for(asyncio.gather(*readers), 60)
    finally:
        await conn.close()
        await asyncio.gather(*(s.close() for s in sockets))
    if len(delays) != expected:
        raise RuntimeError(f"{len(delays)} deliveries, expected {expected}")
    p50, p99 = percentile(delays, 50) * 1000, percentile(delays, 99) * 1000
    report.add(Row(f"fan-out delay p50 ({total} subscribers)", p50, "ms", target="commit → subscriber"))
    report.add(Row(f"fan-out delay p99 ({total} subscribers)", p99, "ms", target="< 1,000 ms"))
    report.put(fanout_subscribers=total, fanout_deliveries=len(delays), fanout_p50_ms=p50, fanout_p99_ms=p99,
               fanout_max_ms=max(delays) * 1000)  # fmt: skip


FIGURES = ("query", "mutation", "fanout", "live", "replay", "bulk")
FIRST_STATION = '{ units(level: COMMUNE, parentCode: "061", first: 1) { edges { node { radioStation { id } } } } }'


async def bulk(platform: Platform, pool: asyncpg.Pool, clusters: dict[str, list[str]], report: Report) -> None:
    """(f), (g) and (h), on the district's clusters, its first commune's station (the services'
    ids) and its communes."""
    conn = platform.gateway()
    try:
        found = await graphql(conn, FIRST_STATION, {})
    finally:
        await conn.close()
    station = found["data"]["units"]["edges"][0]["node"]["radioStation"]["id"]
    raw_clusters = [c.split(":", 1)[1] for cs in clusters.values() for c in cs]
    values = (INDICATOR, sorted(clusters))  # the communes, each reported for month after month
    station_id = station.split(":", 1)[1]
    metrics = functools.partial(platform.internal, "metrics")
    await bulk_load(platform.gateway, pool, raw_clusters, station_id, values, metrics=metrics, report=report)


async def main(only: frozenset[str], *, cache: bool = True, workers: int = 1) -> Report:
    began = time.monotonic()
    report = Report()
    with tempfile.TemporaryDirectory(prefix="tinhso-bench-gateway-") as tmp:
        state = Path(tmp)
        say(f"starting embedded PostgreSQL and broker in {state}")
        with embedded_servers(state) as servers:
            conn = await asyncpg.connect(servers.url)
            try:
                await apply_migrations(conn, all_migrations())
            finally:
                await conn.close()
            topics = [f"{PREFIX}.{s}.events" for s in EVENT_SOURCED]
            await ensure_topics(servers.broker.bootstrap, topics, partitions=3)
            pool = await create_pool(servers.url, service="bench-raw", max_size=10, min_size=10)
            platform = Platform(servers, state, cache=cache, workers=workers)
            feed = load_settings(
                {},
                kafka_bootstrap=servers.broker.bootstrap,
                kafka_enable_idempotence="off",  # as the services here: the embedded broker's choice
                topic_prefix=PREFIX,
                event_keys_dir=event_keys_dir(),
            )
            try:
                platform.key = await PartnerStore(pool).create(Partner(name="bench", scopes=frozenset({"admin"})))
                say("starting registry, broadcast, metrics and the gateway")
                await platform.start()
                if only & {"query", "mutation", "fanout", "bulk"}:
                    say(f"building a district through /graphql: {COMMUNES} communes x {VILLAGES} villages")
                    clusters = await build(platform)
                    await asyncio.sleep(2.0)  # read models settle
                if "query" in only:
                    await query_load(platform, pool, report)
                if "mutation" in only:
                    await mutation_load(platform, report)
                if "fanout" in only:
                    await fanout(platform, clusters, report)
                if "live" in only:
                    for total in (LIVE_SUBSCRIPTIONS // 10, LIVE_SUBSCRIPTIONS // 2, LIVE_SUBSCRIPTIONS):
                        try:
                            await live_subscribers(platform, feed, report, total)
                        except (RuntimeError, TimeoutError, OSError, ConnectionClosed) as exc:  # the ceiling: say where
                            report.notes.append(f"live subscribers, {total}: failed: {exc!r}"[:300])
                if "replay" in only:
                    try:
                        await resume_replay(platform, feed, report, REPLAY_EVENTS)
                    except (RuntimeError, TimeoutError, OSError, KafkaError, ConnectionClosed) as exc:
                        report.notes.append(f"resume-replay: failed: {exc!r}"[:300])
                # Last: the services digest 10,000 indicator values for minutes after (h), which
                # the live figures and the replay would otherwise share the cores with.
                if "bulk" in only:
                    await bulk(platform, pool, clusters, report)
            finally:
                platform.stop()
                await pool.close()
    report.notes.append(
        "client, four services, PostgreSQL and the broker share this machine's cores; the asyncpg baseline "
        "runs in the bench process without HTTP or JSON; a gateway mutation includes waiting for the read "
        "model to show its write"
    )
    report.put(bench_seconds=time.monotonic() - began, cpu_count=os.cpu_count() or 1)
    return report


def cli() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--only", default=",".join(FIGURES), help=f"comma-separated: {', '.join(FIGURES)}")
    parser.add_argument("--no-cache", action="store_true", help="run the gateway without its response cache")
    parser.add_argument("--gateway-workers", type=int, default=1, help="gateway processes (TINHSO_GATEWAY_WORKERS)")
    args = parser.parse_args()
    only = frozenset(part.strip() for part in args.only.split(",") if part.strip())
    if unknown := only - set(FIGURES):
        parser.error(f"unknown figures: {', '.join(sorted(unknown))}")
    quiet_logging()
    report = uvloop.run(main(only, cache=not args.no_cache, workers=args.gateway_workers))
    print(report.render())
    print(json.dumps({k: rounded(v) for k, v in report.figures.items()}))


if __name__ == "__main__":
    cli()
