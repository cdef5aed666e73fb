"""Builds a service's Litestar app with what every service shares.

Health routes, the error mapping, OpenAPI at ``/docs``, the runtime's start/stop hooks and
the direct calls of simple handlers (``direct_calls``, ADR 0015); the service adds its own routes.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from litestar import Litestar
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import ScalarRenderPlugin
from litestar.types import ControllerRouterHandler

from libs.common.http.admin import AdminController
from libs.common.http.auth import principal_middleware
from libs.common.http.direct_calls import Plans, direct_calls_middleware, plan_handlers
from libs.common.http.errors import EXCEPTION_HANDLERS
from libs.common.http.health import HealthController
from libs.common.http.metrics import Network, metrics_controller
from libs.common.http.server_spans import trace_requests
from libs.common.principal import PrincipalVerifier
from libs.common.runtime import ServiceRuntime
from libs.common.settings import ServiceRole

MAX_REQUEST_BODY = 32 * 1024 * 1024


def build_service_app(
    runtime: ServiceRuntime,
    route_handlers: Sequence[ControllerRouterHandler] = (),
    *,
    title: str,
    description: str = "",
    dependencies: dict[str, Provide] | None = None,
    openapi_path: str = "/docs",
    on_shutdown_extra: Sequence[Callable[[], Awaitable[None]]] = (),
    internal: bool = True,
    metrics_scrapers: tuple[Network, ...] | None = None,
    **litestar_options: Any,
) -> Litestar:
    """``internal`` services accept only requests carrying the gateway's signed principal, signed
    for this service (``runtime.name``) and the request. ``metrics_scrapers``: the only networks
    ``/metrics`` answers (the gateway's); ``None``: open, like ``/health``."""
    middleware = list(litestar_options.pop("middleware", []))
    backbone_only = runtime.settings.service_role is ServiceRole.BACKBONE
    if internal:
        verifier = PrincipalVerifier.from_settings(runtime.settings, service=runtime.name)
        middleware.insert(0, principal_middleware(verifier))
    plans: list[Plans] = []
    # Innermost, so that it runs after every other middleware, as a handler would.
    middleware.append(direct_calls_middleware(lambda: plans[0].direct))

    async def provide_runtime() -> ServiceRuntime:
        return runtime

    app = Litestar(
        # A backbone process is asked only for its health and its /admin figures; partners'
        # requests go to the service's api process.
        route_handlers=[
            HealthController,
            metrics_controller(metrics_scrapers),
            AdminController,
            *(() if backbone_only else route_handlers),
        ],
        dependencies={"runtime": Provide(provide_runtime), **(dependencies or {})},
        exception_handlers=EXCEPTION_HANDLERS,
        on_startup=[runtime.start],
        on_shutdown=[runtime.stop, *on_shutdown_extra],
        openapi_config=OpenAPIConfig(
            title=title,
            version="0.1.0",
            description=description,
            path=openapi_path,
            render_plugins=[ScalarRenderPlugin()],
        ),
        request_max_body_size=litestar_options.pop("request_max_body_size", MAX_REQUEST_BODY),
        logging_config=None,  # the process configures logging once (libs.common.logs)
        middleware=middleware,
        **litestar_options,
    )
    app.state.runtime = runtime
    app.state.service = runtime.name  # the audience of the principal tokens it accepts (ADR 0021)
    plans.append(plan_handlers(app))
    return trace_requests(app, runtime.name, access_log=runtime.settings.access_log)
