"""Shared pieces of the benchmarks: the embedded servers, timing, CPU accounting, the report.

Progress goes to stderr (``say``); only the report goes to stdout, so the last line of
stdout stays one JSON object a script can parse.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import math
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import psutil
from opentelemetry.sdk.trace import ReadableSpan, SpanProcessor
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter, SpanExportResult

from bench._http import KeepAliveConnection
from contracts.services import EVENT_SOURCED
from libs.common.db import create_pool
from libs.common.embedded.broker import EmbeddedBroker
from libs.common.embedded.postgres import EmbeddedPostgres
from libs.common.embedded.process import stop_process
from libs.common.event_signing import ensure_event_keys, keys_path
from libs.common.eventstore.schema import backbone_migrations
from libs.common.migrations import apply_migrations
from libs.common.principal import (
    HEADER,
    Principal,
    PrincipalSigner,
    ensure_keypair,
    load_private_key,
    private_key_path,
    public_key_path,
    request_path,
)
from libs.common.settings import Idempotence, Settings, load_settings

REPO = Path(__file__).resolve().parent.parent
_STARTED = time.monotonic()


class DiscardingExporter(SpanExporter):
    """Receives spans as an OTLP exporter would, and drops them: the cost of recording and
    batching spans, without a collector's."""

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        return SpanExportResult.SUCCESS


def recording_spans() -> list[SpanProcessor]:
    """For ``setup_tracing(span_processors=...)``: spans recorded, as with an OTLP endpoint."""
    return [BatchSpanProcessor(DiscardingExporter())]


def say(message: str) -> None:
    print(f"[{time.monotonic() - _STARTED:6.1f}s] {message}", file=sys.stderr, flush=True)


BENCH_TOKEN_SECONDS = 3600
"""The bench's tokens outlive any run; the services check signature, audience and request as
they do behind the gateway (ADR 0021), not a lifetime a bench cannot keep to."""


@functools.cache
def _bench_keys() -> Settings:
    """A key pair for this bench run: the services verify callers as they do behind the gateway."""
    keys = tempfile.mkdtemp(prefix="tinhso-bench-keys-")
    settings = load_settings({}, state_dir=keys)
    ensure_keypair(settings)
    ensure_event_keys(settings, ("test", *EVENT_SOURCED))
    return settings


def event_keys_dir() -> str:
    """For a service's ``TINHSO_EVENT_KEYS_DIR``: the relays sign with these keys (ADR 0022)."""
    return str(keys_path(_bench_keys()))


def principal_public_key_file() -> str:
    """For a service's ``TINHSO_PRINCIPAL_PUBLIC_KEY_FILE``."""
    return str(public_key_path(_bench_keys()))


@functools.cache
def _signer() -> PrincipalSigner:
    return PrincipalSigner(load_private_key(private_key_path(_bench_keys())), ttl_seconds=BENCH_TOKEN_SECONDS)


class SignedFor:
    """The principal header the gateway would send ``service`` for an admin caller: a token per
    request (method and path, ADR 0021), signed the first time a path is asked and then reused,
    so the load generator signs once per distinct path, not per request."""

    ADMIN = Principal(subject="bench:admin", partner="BENCH", scopes=frozenset({"admin"}))

    def __init__(self, service: str) -> None:
        self.service = service
        self._lines: dict[tuple[str, str], str] = {}

    def header_line(self, method: str, path: str) -> str:
        key = (method, request_path(path))
        line = self._lines.get(key)
        if line is None:
            token = _signer().sign(self.ADMIN, service=self.service, method=method, path=key[1])
            line = self._lines[key] = f"{HEADER}: {token}\r\n"
        return line


@functools.cache
def principal_for(service: str) -> SignedFor:
    """For a :class:`~bench._http.KeepAliveConnection` to ``service`` (``principal=``)."""
    return SignedFor(service)


def quiet_logging() -> None:
    """The libraries' own warnings still show; their info chatter does not."""
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="  %(name)s: %(message)s")


@dataclass
class Servers:
    postgres: EmbeddedPostgres
    broker: EmbeddedBroker

    @property
    def url(self) -> str:
        return self.postgres.url

    def settings(self, **overrides: object) -> Settings:
        """Settings as a service would load them, pointed at the embedded servers."""
        return load_settings(
            {},
            database_url=self.url,
            kafka_bootstrap=self.broker.bootstrap,
            kafka_enable_idempotence=Idempotence.OFF.value,
            **overrides,
        )


@contextlib.contextmanager
def embedded_servers(state: Path) -> Iterator[Servers]:
    postgres = EmbeddedPostgres(state / "pgdata")
    broker = EmbeddedBroker(state / "broker.log")
    postgres.start()
    try:
        broker.start()
        try:
            yield Servers(postgres, broker)
        finally:
            broker.stop()
    finally:
        postgres.stop()


async def migrated_pool(url: str, schema: str, *, max_size: int = 12) -> asyncpg.Pool:
    """A pool on ``url`` whose ``schema`` has the backbone tables (events, outbox progress...)."""
    conn = await asyncpg.connect(url)
    try:
        await apply_migrations(conn, backbone_migrations(schema))
    finally:
        await conn.close()
    return await create_pool(url, service=f"bench-{schema}", max_size=max_size, min_size=max_size)


# --- numbers -------------------------------------------------------------------------------


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100); NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def ratio(value: float, baseline: float) -> float:
    return value / baseline if baseline else math.nan


# --- CPU accounting ------------------------------------------------------------------------


class CpuMeter:
    """CPU seconds used by each named process tree while started, over one or more windows.

    A process tree is a pid and its children at the time of each reading (PostgreSQL's
    backends are children of the postmaster). Reported as % of one core over the windows,
    with ``other``: what the rest of the machine used meanwhile (another job on a shared
    machine makes every figure of that window lower, and says so here).
    """

    def __init__(self, pids: dict[str, int | None], *, solo: frozenset[str] = frozenset()) -> None:
        """Names in ``solo`` count their own process only (the bench process is the parent of
        the servers, so its tree would count them twice)."""
        self.pids = {name: pid for name, pid in pids.items() if pid is not None}
        self.solo = solo
        self._start: dict[str, dict[int, float]] = {}
        self._began = 0.0
        self._used: dict[str, float] = dict.fromkeys([*self.pids, "other"], 0.0)
        self._wall = 0.0
        self._busy_start = 0.0

    def _read(self) -> dict[str, dict[int, float]]:
        out: dict[str, dict[int, float]] = {}
        for name, pid in self.pids.items():
            seen: dict[int, float] = {}
            with contextlib.suppress(psutil.NoSuchProcess):
                root = psutil.Process(pid)
                family = [] if name in self.solo else root.children(recursive=True)
                for proc in [root, *family]:
                    with contextlib.suppress(psutil.NoSuchProcess):
                        t = proc.cpu_times()
                        seen[proc.pid] = t.user + t.system
                if name not in self.solo:  # children that exited meanwhile (a closed connection's backend)
                    t = root.cpu_times()
                    seen[-pid] = t.children_user + t.children_system
            out[name] = seen
        return out

    def start(self) -> None:
        self._start = self._read()
        self._busy_start = machine_busy_seconds()
        self._began = time.monotonic()

    def stop(self) -> None:
        end = self._read()
        busy = machine_busy_seconds() - self._busy_start
        self._wall += time.monotonic() - self._began
        ours = 0.0
        for name, procs in end.items():
            before = self._start.get(name, {})
            used = sum(cpu - before.get(pid, 0.0) for pid, cpu in procs.items())
            self._used[name] += used
            ours += used
        self._used["other"] += max(0.0, busy - ours)

    @property
    def seconds(self) -> dict[str, float]:
        """CPU seconds each name used over the windows (``other``: the rest of the machine)."""
        return dict(self._used)

    @property
    def percent(self) -> dict[str, float]:
        return {name: 100 * used / self._wall if self._wall else math.nan for name, used in self._used.items()}

    def describe(self) -> str:
        return ", ".join(f"{name} {pct:.0f}%" for name, pct in self.percent.items())


def machine_busy_seconds() -> float:
    """CPU seconds the machine's processes have used, summed over its cores: user and system
    time, and time stolen by the hypervisor. Interrupt time is left out: most of it is the
    kernel moving the benchmark's own loopback traffic, which no process is charged for."""
    t = psutil.cpu_times()
    return t.user + t.nice + t.system + getattr(t, "steal", 0.0)


# --- the report ----------------------------------------------------------------------------


@dataclass
class Row:
    figure: str
    value: float
    unit: str
    baseline: str = ""
    baseline_value: float | None = None
    ratio: float | None = None
    target: str = ""


@dataclass
class Report:
    rows: list[Row] = field(default_factory=list)
    figures: dict[str, object] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def add(self, row: Row) -> None:
        self.rows.append(row)

    def put(self, **figures: object) -> None:
        self.figures.update(figures)

    def render(self) -> str:
        header = ("figure", "value", "baseline", "baseline value", "ratio", "target")
        table = [header]
        table.extend(
            (
                r.figure,
                _fmt(r.value, r.unit),
                r.baseline,
                _fmt(r.baseline_value, r.unit) if r.baseline_value is not None else "",
                f"{r.ratio:.2f}" if r.ratio is not None and not math.isnan(r.ratio) else "",
                r.target,
            )
            for r in self.rows
        )
        widths = [max(len(line[i]) for line in table) for i in range(len(header))]
        lines = []
        for n, line in enumerate(table):
            cells = [cell.rjust(widths[i]) if i in (1, 3, 4) else cell.ljust(widths[i]) for i, cell in enumerate(line)]
            lines.append("  ".join(cells).rstrip())
            if n == 0:
                lines.append("  ".join("-" * w for w in widths))
        lines.extend(f"note: {note}" for note in self.notes)
        return "\n".join(lines)


def _fmt(value: float, unit: str) -> str:
    if math.isnan(value):
        return "n/a"
    if unit == "ms":
        return f"{value:,.1f} ms"
    if unit == "ms CPU":  # fractions of a millisecond per command
        return f"{value:,.2f} ms CPU"
    return f"{value:,.0f} {unit}"


def rounded(value: object) -> object:
    if isinstance(value, float):
        return None if math.isnan(value) else round(value, 3)
    return value


def cpu_count() -> int:
    return os.cpu_count() or 1


class ServiceProcess:
    """A service under test in its own process (so client and server do not share an event
    loop), its output in ``log_path``; started when its ``/health/live`` answers."""

    def __init__(self, argv: Sequence[str], env: dict[str, str], *, port: int, log_path: Path, label: str) -> None:
        self.argv = list(argv)
        self.env = env
        self.port = port
        self.log_path = log_path
        self.label = label
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    async def start(self, timeout: float = 60.0) -> None:
        with self.log_path.open("ab") as log:  # Popen returns at once: nothing here blocks the loop
            self.proc = subprocess.Popen(  # noqa: ASYNC220
                self.argv, env=self.env, stdout=log, stderr=subprocess.STDOUT, cwd=REPO
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.label} exited:\n{self.log_path.read_text()[-3000:]}")
            conn = KeepAliveConnection("127.0.0.1", self.port)
            try:
                status, _ = await conn.get("/health/live")
                if status == 200:
                    return
            except OSError:
                pass
            finally:
                await conn.close()
            await asyncio.sleep(0.1)
        raise TimeoutError(f"{self.label} did not answer:\n{self.log_path.read_text()[-3000:]}")

    def stop(self) -> None:
        if self.proc is not None:
            stop_process(self.proc, timeout=15)
            self.proc = None
