"""What every service process holds while it runs: settings, Postgres pools, a producer.

Requests use the API pool, whose statements are bounded by ``TINHSO_DB_COMMAND_TIMEOUT_SECONDS``
(15 s): a request waits no longer. The backbone (projection runners) has a pool of its own with
``TINHSO_DB_BACKBONE_COMMAND_TIMEOUT_SECONDS`` (120 s): a batch of up to 5,000 events or a lock
wait may take longer than a request should, and a batch abandoned on a timeout is retried whole,
so under the API's bound it would be retried without end.

The producer connects in the background: a broker that is down must not stop the service
from taking commands (the outbox keeps the events until the relay can publish them). For the
same reason a process is ready when its database answers: the broker, the relay's backlog and
whatever else a process reports (``reported_checks``) are said in ``/health/ready``'s body and
in ``tinhso_dependency_up``, but do not fail it (``docs/operations.md``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

import asyncpg
import msgspec
from aiokafka import AIOKafkaProducer
from aiokafka.errors import UnknownError
from litestar.di import Provide

from libs.common.backbone import Backbone
from libs.common.cancellation import stop_tasks
from libs.common.db import create_pool, describe_db_error
from libs.common.kafka import make_producer
from libs.common.prometheus_metrics import Families
from libs.common.prometheus_metrics import track as track_metrics
from libs.common.prometheus_metrics import untrack as untrack_metrics
from libs.common.settings import Settings

T = TypeVar("T")

log = logging.getLogger(__name__)

SHUTDOWN_SECONDS = 10

Check = Callable[[], Awaitable[str]]
"""A readiness check: returns "ok" or a short reason."""

OK = "ok"


class Readiness(msgspec.Struct, frozen=True):
    """``required``: what the process needs to serve (its database); ready when all are "ok".
    ``reported``: the rest it uses (the broker, the relay, other services), said, not required."""

    required: dict[str, str]
    reported: dict[str, str]

    @property
    def ready(self) -> bool:
        return all(result == OK for result in self.required.values())


class ServiceRuntime:
    def __init__(self, name: str, settings: Settings, backbone: Backbone | None = None) -> None:
        self.name = name
        self.settings = settings
        self.backbone = backbone
        self._pool: asyncpg.Pool | None = None
        self._backbone_pool: asyncpg.Pool | None = None
        self._producer: AIOKafkaProducer | None = None
        self._producer_ready = asyncio.Event()
        self._producer_task: asyncio.Task[None] | None = None
        self._producer_problem = "connecting"
        self.reported_checks: dict[str, Check] = {}
        """Checks said in ``/health/ready``'s body without failing it (the gateway: each service)."""
        self.last_readiness: Readiness | None = None
        self.background: list[asyncio.Task[None]] = []

    @property
    def pool(self) -> asyncpg.Pool:
        if self._pool is None:
            raise RuntimeError(f"{self.name}: the database pool is used before start-up")
        return self._pool

    @property
    def producer(self) -> AIOKafkaProducer | None:
        """The started producer, or ``None`` while the broker is unreachable."""
        return self._producer if self._producer_ready.is_set() else None

    async def start(self) -> None:
        self._pool = await create_pool(
            self.settings.database_url,
            service=self.name,
            max_size=self.settings.db_pool_size,
            acquire_timeout=self.settings.db_acquire_timeout_seconds,
            command_timeout=self.settings.db_command_timeout_seconds,
        )
        track_metrics(self)
        self._producer_task = asyncio.create_task(self._connect_producer(), name=f"{self.name}-producer")
        if self.settings.runs_api_only:
            return  # the service's backbone process runs the relay, the projections and the rest
        if self.backbone is not None:
            self._backbone_pool = await create_pool(
                self.settings.database_url,
                service=f"{self.name}-backbone",
                # A runner holds one connection at a time; one more for what the backbone reads,
                # one for the expiry of old idempotency records.
                max_size=len(self.backbone.projections) + 2,
                acquire_timeout=self.settings.db_acquire_timeout_seconds,
                command_timeout=self.settings.db_backbone_command_timeout_seconds,
            )
            self.backbone.start(self._backbone_pool, lambda: self.producer)
        self.start_background()

    def start_background(self) -> None:
        """A service's own background work (a detector, a seed), started with the backbone."""

    @property
    def backbone_elsewhere(self) -> bool:
        """The service has a backbone, and another process of it runs it."""
        return self.backbone is not None and self.settings.runs_api_only

    async def stop(self) -> None:
        untrack_metrics(self)
        if self.backbone is not None:
            await self.backbone.stop()
        tasks = [*self.background, *([self._producer_task] if self._producer_task else [])]
        for task in await stop_tasks(tasks, within=SHUTDOWN_SECONDS):
            log.warning("%s: %s did not stop within %d s", self.name, task.get_name(), SHUTDOWN_SECONDS)
        if self._producer is not None:
            with contextlib.suppress(Exception):
                async with asyncio.timeout(SHUTDOWN_SECONDS):
                    await self._producer.stop()
        for pool in (self._backbone_pool, self._pool):
            if pool is None:
                continue
            try:
                # close() waits for every connection to be released; a stuck one must not hold
                # the process (and a supervisor's restart) hostage.
                async with asyncio.timeout(SHUTDOWN_SECONDS):
                    await pool.close()
            except TimeoutError:
                log.warning("%s: database connections still busy after %d s; closing them", self.name, SHUTDOWN_SECONDS)
                pool.terminate()

    async def _connect_producer(self) -> None:
        delay = 0.2
        while True:
            producer = make_producer(self.settings, client_id=f"tinhso-{self.name}")
            try:
                await producer.start()
            except BaseException as exc:
                # Whatever ended start(), close what it opened: a failure is retried below, and
                # a stop while connecting (a broker that does not answer) would otherwise leave
                # the producer open, reported unclosed at exit.
                with contextlib.suppress(Exception):
                    await producer.stop()
                if not isinstance(exc, Exception):
                    raise
                if self.settings.idempotent_producer and isinstance(exc, UnknownError):
                    # What a broker without InitProducerId (such as the embedded Tansu) answers.
                    self._producer_problem = (
                        "the broker refused an idempotent producer; set TINHSO_KAFKA_ENABLE_IDEMPOTENCE=off"
                    )
                else:
                    self._producer_problem = f"connecting ({type(exc).__name__})"
                log.warning("producer not started: %s; retrying in %.1f s", self._producer_problem, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)
                continue
            self._producer = producer
            self._producer_ready.set()
            return

    async def check_database(self) -> str:
        try:
            async with asyncio.timeout(2):
                await self.pool.fetchval("SELECT 1")
        except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            return describe_db_error(exc)
        return "ok"

    async def check_broker(self) -> str:
        producer = self.producer
        if producer is None:
            return self._producer_problem
        try:
            # Shorter than the gateway's probe of a service (3 s): a broker that does not answer
            # must not make the service itself look unreachable there.
            async with asyncio.timeout(1):
                await producer.client.fetch_all_metadata()
        except TimeoutError:
            return "no answer within 1 s"
        except Exception as exc:  # aiokafka raises a variety; any of them means not ready
            return f"{type(exc).__name__}: {exc}"
        return "ok"

    async def check_relay(self) -> str:
        """The outbox's backlog, read from the database wherever the relay runs."""
        if self.backbone is None:
            return OK
        try:
            async with asyncio.timeout(2), self.pool.acquire() as conn:
                backlog = await self.backbone.relay_backlog(conn)
        except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            return describe_db_error(exc)
        if backlog.events == 0:
            return OK
        return f"{backlog.events} events not yet published, the oldest for {backlog.oldest_seconds:.1f} s"

    async def readiness(self) -> Readiness:
        required: dict[str, Check] = {"database": self.check_database}
        reported: dict[str, Check] = {"broker": self.check_broker, **self.reported_checks}
        if self.backbone is not None:
            reported["relay"] = self.check_relay
        checks = {**required, **reported}
        results = dict(zip(checks, await asyncio.gather(*(check() for check in checks.values())), strict=True))
        answer = Readiness(
            required={name: results[name] for name in required}, reported={name: results[name] for name in reported}
        )
        self.last_readiness = answer
        return answer

    async def refresh_metrics(self) -> None:
        """Reads what only the database knows, before a scrape (the relay's backlog, dead letters)."""
        if self.backbone is None or self.backbone.relay is None:
            return
        with contextlib.suppress(OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError):
            async with asyncio.timeout(2), self.pool.acquire() as conn:
                await self.backbone.refresh_figures(conn)

    def report_metrics(self, families: Families) -> None:
        """Pool use, the last readiness probe's answers and the backbone's figures, at a scrape."""
        connections = families.gauge(
            "tinhso_db_pool_connections", "Database connections by state (used, idle, max).", ["service", "state"]
        )
        for name, pool in ((self.name, self._pool), (f"{self.name}-backbone", self._backbone_pool)):
            if pool is None:
                continue
            size, idle = pool.get_size(), pool.get_idle_size()
            connections.add_metric([name, "used"], size - idle)
            connections.add_metric([name, "idle"], idle)
            connections.add_metric([name, "max"], pool.get_max_size())
        if self.last_readiness is not None:
            up = families.gauge(
                "tinhso_dependency_up",
                "1 when a dependency answered the last /health/ready probe, 0 when not.",
                ["service", "dependency", "required"],
            )
            for required, results in ((True, self.last_readiness.required), (False, self.last_readiness.reported)):
                for dependency, result in results.items():
                    if dependency == "relay":  # a backlog, not a failure: it has metrics of its own
                        continue
                    up.add_metric([self.name, dependency, str(required).lower()], 1.0 if result == OK else 0.0)
        if self.backbone is not None:
            self.backbone.report_metrics(families)


class OnPool(Generic[T]):
    """What a composition root builds once on its runtime's pool: a service's command handlers
    and queries, given to every route as a dependency (``provide``).

    The pool exists only once the runtime has started, so the object is built at its first use
    after that, and again after a restart, which makes a new pool.
    """

    def __init__(self, runtime: ServiceRuntime, build: Callable[[asyncpg.Pool], T]) -> None:
        self._runtime = runtime
        self._build = build
        self._built: tuple[asyncpg.Pool, T] | None = None

    def __call__(self) -> T:
        pool = self._runtime.pool
        if self._built is None or self._built[0] is not pool:
            self._built = (pool, self._build(pool))
        return self._built[1]

    def provide(self) -> Provide:
        return Provide(self, sync_to_thread=False)
