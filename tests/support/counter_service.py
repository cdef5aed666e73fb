"""A service app around the counter aggregate: the backbone as a real service runs it."""

from __future__ import annotations

from litestar import Litestar, post
from litestar.params import FromPath, JSONBody

from libs.common.backbone import Backbone
from libs.common.eventstore.commands import CommandExecutor, CommandResult
from libs.common.http.app import build_service_app
from libs.common.http.context import Ctx, command_context
from libs.common.runtime import ServiceRuntime
from libs.common.settings import Settings
from tests.support.counter import CATALOGUE, COUNTER, Increment
from tests.support.counter_projection import CounterTotals


def counter_service(settings: Settings) -> tuple[Litestar, ServiceRuntime]:
    """Schema ``test`` must already hold the backbone tables."""
    runtime = ServiceRuntime("test", settings, Backbone("test", settings, [CounterTotals()]))

    @post(
        "/counters/{stream_id:str}/increment",
        operation_id="increment",
        dependencies={"ctx": command_context("counter:write")},
    )
    async def increment(stream_id: FromPath[str], data: JSONBody[Increment], ctx: Ctx) -> CommandResult:
        # The runtime's pool is made on the app's own event loop, so it is used from here.
        executor = CommandExecutor(runtime.pool, "test", CATALOGUE)
        return await executor.execute(COUNTER, stream_id, data, context=ctx, request=data)

    return build_service_app(runtime, [increment], title="counter"), runtime
