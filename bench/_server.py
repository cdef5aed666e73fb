"""A service process for the HTTP benchmarks: the counter aggregate behind a command API.

Wired the way a tinhso service is (compare ``tests/support/counter_service.py`` and
``libs/common/serve.py``): tracing set up as ``run_service`` does, a :class:`ServiceRuntime`
(pool, producer, optionally a :class:`Backbone`), ``build_service_app`` (health and admin
routes, error mapping, server spans), served by uvicorn (uvloop, httptools) in one process.

``POST /streams/{stream_id}/increment`` takes the command's metadata from the request
(``command_metadata``: correlation id, traceparent) and runs
``CommandExecutor.execute(COUNTER, ...)``: load, fold, decide, append with the expected
version, in one transaction.

With ``BENCH_BACKBONE=1`` the runtime also has the service's backbone: the outbox relay
publishing schema ``test`` to ``<prefix>.test.events`` and a projection runner applying that
topic to a folded read model that NOTIFYs ``BENCH_NOTIFY_CHANNEL`` at each commit.
``BENCH_ROLE`` is the process's ``TINHSO_SERVICE_ROLE``: ``api`` (commands only) and
``backbone`` (relay and projection) split the service in two processes, as ``tinhso up`` does.

``BENCH_STACK`` picks the route's shape (``bench/http_stack.py`` compares them): ``service`` (the
default: the services' own command route, a row of a ``CommandTable``: the scope checked by its
one dependency, ``ctx``, the handler built once, ADR 0034), ``plain`` (the executor as the
route's one dependency, no scope), ``guarded`` (plus a scope guard and a
context dependency, principal and metadata, beside the executor's: Litestar resolves two
independent dependencies of a route concurrently, in a task group per request), ``chained``
(the guard, and one dependency, the context, which holds the executor).

Run by ``bench/backbone.py`` as ``python bench/_server.py`` with ``BENCH_*`` variables.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

if __name__ == "__main__":  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import msgspec
import uvicorn
from litestar import Litestar, Request, post
from litestar.connection import ASGIConnection
from litestar.di import Provide
from litestar.handlers.base import BaseRouteHandler

from bench._common import recording_spans
from bench._projections import TotalsFolded
from contracts.envelope import Metadata
from libs.common.backbone import Backbone
from libs.common.errors import ForbiddenError
from libs.common.eventstore.commands import CommandExecutor, CommandResult
from libs.common.eventstore.context import CommandContext as ServiceContext
from libs.common.http.app import build_service_app
from libs.common.http.auth import request_principal
from libs.common.http.commands import command_metadata
from libs.common.http.routes import CommandRoute, CommandTable
from libs.common.logs import configure_logging
from libs.common.principal import Principal
from libs.common.runtime import OnPool, ServiceRuntime
from libs.common.settings import Idempotence, load_settings
from libs.common.tracing import setup_tracing
from tests.support.counter import CATALOGUE, COUNTER, Increment

SERVICE = "test"
SCOPE = "counter:write"
"""The counter's events are ``test.*``: its store schema and topic carry that name."""


class IncrementRequest(msgspec.Struct, frozen=True):
    by: int = 1


@post("/streams/{stream_id:str}/increment", operation_id="incrementCounter", tags=["bench"])
async def increment(
    stream_id: str,
    data: IncrementRequest,
    request: Request[Any, Any, Any],
    executor: CommandExecutor,
) -> CommandResult:
    return await executor.execute(COUNTER, stream_id, Increment(by=data.by), metadata=command_metadata(request))


class CommandContext(msgspec.Struct, frozen=True):
    """What a command route's dependency builds from the request: who, and why."""

    principal: Principal
    metadata: Metadata


async def provide_context(request: Request[Any, Any, Any]) -> CommandContext:
    return CommandContext(request_principal(request), command_metadata(request))


async def scope_guard(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    """The scope the route names in its ``opt``, checked before the body is read. A coroutine:
    Litestar runs a plain function guard in a worker thread, at several times the cost of the
    whole request."""
    scope = handler.opt["scope"]
    if not request_principal(connection).allows(scope):  # type: ignore[arg-type]
        raise ForbiddenError(f"this needs the scope {scope!r}", code="forbidden", details={"scope": scope})


@post(
    "/streams/{stream_id:str}/increment",
    operation_id="incrementCounter",
    tags=["bench"],
    guards=[scope_guard],
    opt={"scope": "counter:write"},
    dependencies={"context": Provide(provide_context)},
)
async def increment_guarded(
    stream_id: str, data: IncrementRequest, context: CommandContext, executor: CommandExecutor
) -> CommandResult:
    return await executor.execute(COUNTER, stream_id, Increment(by=data.by), metadata=context.metadata)


class ExecutingContext(msgspec.Struct, frozen=True):
    """The context with the executor in it: the route takes one dependency, not two."""

    principal: Principal
    metadata: Metadata
    executor: CommandExecutor


async def provide_executing_context(request: Request[Any, Any, Any], executor: CommandExecutor) -> ExecutingContext:
    return ExecutingContext(request_principal(request), command_metadata(request), executor)


@post(
    "/streams/{stream_id:str}/increment",
    operation_id="incrementCounter",
    tags=["bench"],
    guards=[scope_guard],
    opt={"scope": "counter:write"},
    dependencies={"context": Provide(provide_executing_context)},
)
async def increment_chained(stream_id: str, data: IncrementRequest, context: ExecutingContext) -> CommandResult:
    return await context.executor.execute(COUNTER, stream_id, Increment(by=data.by), metadata=context.metadata)


class IncrementInput(msgspec.Struct, frozen=True, kw_only=True):
    stream_id: str
    body: IncrementRequest


class CounterHandlers:
    """The counter's one command handler, with the services' signature (ADR 0031)."""

    def __init__(self, executor: CommandExecutor) -> None:
        self.executor = executor

    async def increment(self, cmd: IncrementInput, ctx: ServiceContext) -> CommandResult:
        increment = Increment(by=cmd.body.by)
        return await self.executor.execute(COUNTER, cmd.stream_id, increment, context=ctx, request=cmd)


COMMANDS = CommandTable[CounterHandlers](
    "/streams",
    "bench",
    [
        CommandRoute(
            "POST", "/{stream_id:str}/increment", "incrementCounter", IncrementInput, SCOPE, lambda h: h.increment
        )
    ],
)

ROUTES = {"guarded": increment_guarded, "chained": increment_chained, "plain": increment}
"""``BENCH_STACK`` -> the route; any other: the ``COMMANDS`` table's."""


def create_app(env: dict[str, str], executor: CommandExecutor | None = None) -> Litestar:
    """``executor``: one to use instead of the service's (the app called without a database)."""
    settings = load_settings(
        {},
        database_url=env["BENCH_DATABASE_URL"],
        kafka_bootstrap=env["BENCH_BOOTSTRAP"],
        kafka_enable_idempotence=Idempotence.OFF.value,
        topic_prefix=env.get("BENCH_TOPIC_PREFIX", "bench"),
        db_pool_size=int(env.get("BENCH_POOL_SIZE", "10")),
        principal_public_key_file=env["BENCH_PUBLIC_KEY_FILE"],
        event_keys_dir=env["BENCH_EVENT_KEYS_DIR"],
        service_role=env.get("BENCH_ROLE", "all"),
    )
    backbone = None
    if env.get("BENCH_BACKBONE") == "1":
        projection = TotalsFolded(
            env["BENCH_PROJECTION"], store_schema=SERVICE, notify_channel=env.get("BENCH_NOTIFY_CHANNEL")
        )
        backbone = Backbone(SERVICE, settings, [projection])
    runtime = ServiceRuntime(SERVICE, settings, backbone)
    executors: list[CommandExecutor] = [] if executor is None else [executor]

    async def provide_executor() -> CommandExecutor:
        if not executors:  # the pool exists only after start-up
            executors.append(CommandExecutor(runtime.pool, SERVICE, CATALOGUE))
        return executors[0]

    # As a composition root builds a service's handlers: once, on the runtime's pool.
    handlers: Callable[[], CounterHandlers] = OnPool(
        runtime, lambda pool: CounterHandlers(CommandExecutor(pool, SERVICE, CATALOGUE))
    )
    if executor is not None:  # no database, no pool: the handlers are built now
        answering = CounterHandlers(executor)
        handlers = lambda: answering  # noqa: E731
    route = ROUTES.get(env.get("BENCH_STACK", "service")) or COMMANDS.router(handlers)
    return build_service_app(
        runtime,
        [route],
        title="tinhso bench counter",
        dependencies={"executor": Provide(provide_executor)},
    )


def _tracing(env: dict[str, str]) -> None:
    tracing = env.get("BENCH_TRACING", "1")
    if tracing == "1":  # as run_service does with no OTLP endpoint: ids carried, spans not recorded
        setup_tracing("bench")
    elif tracing == "record":  # as with an OTLP endpoint, minus the collector
        setup_tracing("bench", span_processors=recording_spans())


def main() -> None:
    env = dict(os.environ)
    configure_logging("warning")
    _tracing(env)
    config = uvicorn.Config(
        create_app(env),
        host="127.0.0.1",
        port=int(env["BENCH_PORT"]),
        log_config=None,
        log_level="warning",
        access_log=False,
        lifespan="on",
        timeout_graceful_shutdown=5,
    )
    uvicorn.Server(config).run()


if __name__ == "__main__":
    main()
