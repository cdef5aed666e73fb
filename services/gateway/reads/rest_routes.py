"""The REST side of a read table: one ``GET /api/v1<path>`` a row, tagged as its area, under a
Router that carries the bearer scheme and the services' refusals (ADR 0044).

Each route has one dependency, ``ctx``: the caller admitted (authenticated and charged to its
rate limit, as ``/graphql`` does) and refused without the row's scope, before the route's
handler runs. The handler's query parameters are the row's REST arguments, declared on its
signature as a hand-written route's would be, so Litestar parses and documents them alike.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import Any

from litestar import Request, Router, get
from litestar.di import NamedDependency, Provide
from litestar.handlers import HTTPRouteHandler
from litestar.types import ControllerRouterHandler

from libs.common.http.routes import snake_name
from services.gateway.adapters.internal import ServiceError, ServiceUnavailableError
from services.gateway.graphql.context import GatewayContext
from services.gateway.reads.table import Asked, Read, ReadTable, signed
from services.gateway.rest.callers import Callers
from services.gateway.rest.routes import BEARER, service_error, service_unavailable

Req = Request[Any, Any, Any]


def read_router(table: ReadTable, *also: ControllerRouterHandler) -> Router:
    """The rows with a REST route, under ``/api/v1`` and the table's tag, and ``also`` the area's
    other routes (its commands' controller, its path relative): a path that has both a read and
    a command (``GET`` and ``POST /indicators``) must be registered in one router, which keeps
    one ``OPTIONS``."""
    return Router(
        path="/api/v1",
        route_handlers=[*(_route(row, table.tag) for row in table.rows if row.route is not None), *also],
        security=[{BEARER: []}],
        exception_handlers={ServiceError: service_error, ServiceUnavailableError: service_unavailable},
    )


def _admitted(scope: str) -> Callable[[Req], Awaitable[GatewayContext]]:
    async def admitted(request: Req) -> GatewayContext:
        callers = request.app.state.callers
        assert isinstance(callers, Callers)
        context = await callers.context(request)
        context.require(scope)
        return context

    return admitted


def _route(row: Read, tag: str) -> HTTPRouteHandler:
    assert row.route is not None
    route, args = row.route, row.rest_args()

    async def handler(ctx: GatewayContext, **query: Any) -> Any:
        asked = Asked(ctx.authenticated(), {arg.name: arg.from_rest(query[arg.name]) for arg in args})
        return route.answer.build(await row.call(ctx.caller(), **row.call_arguments(asked)), asked)

    context = inspect.Parameter("ctx", inspect.Parameter.KEYWORD_ONLY, annotation=NamedDependency[GatewayContext])
    parameters = [context, *(arg.parameter(arg.name, arg.rest) for arg in args)]
    signed(handler, parameters, route.answer.type, snake_name(row.operation_id))
    return get(
        route.path,
        operation_id=row.operation_id,
        summary=route.summary,
        description=route.description,
        media_type=route.media_type,
        tags=[route.tag or tag],
        dependencies={"ctx": Provide(_admitted(row.scope))},
    )(handler)
