"""Builds a service's Litestar app with what every service shares.

Health routes, the error mapping, OpenAPI at ``/docs`` (its page's assets served by the service
itself, ``explorers``) and the runtime's start/stop hooks; the service adds its own routes.
Litestar routes, guards and answers every request (ADR 0027).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from litestar import Litestar
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, Reference, SecurityScheme
from litestar.types import ControllerRouterHandler

from libs.common.http.admin import AdminController
from libs.common.http.auth import principal_middleware
from libs.common.http.errors import EXCEPTION_HANDLERS
from libs.common.http.explorers import assets_router, scalar_plugin
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
    security_schemes: dict[str, SecurityScheme | Reference] | None = None,
    metrics_scrapers: tuple[Network, ...] | None = None,
    **litestar_options: Any,
) -> Litestar:
    """``internal`` services accept only requests carrying the gateway's signed principal, signed
    for this service (``runtime.name``) and the request. ``security_schemes`` are declared in the
    OpenAPI document's components (routes name the ones they require). ``metrics_scrapers``: the
    only networks ``/metrics`` answers (the gateway's); ``None``: open, like ``/health``."""
    middleware = list(litestar_options.pop("middleware", []))
    backbone_only = runtime.settings.service_role is ServiceRole.BACKBONE
    if internal:
        verifier = PrincipalVerifier.from_settings(runtime.settings, service=runtime.name)
        middleware.insert(0, principal_middleware(verifier))

    async def provide_runtime() -> ServiceRuntime:
        return runtime

    app = Litestar(
        # A backbone process is asked only for its health and its /admin figures; partners'
        # requests go to the service's api process.
        route_handlers=[
            HealthController,
            metrics_controller(metrics_scrapers),
            AdminController,
            assets_router(),
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
            render_plugins=[scalar_plugin()],
            components=Components(security_schemes=security_schemes or None),
        ),
        request_max_body_size=litestar_options.pop("request_max_body_size", MAX_REQUEST_BODY),
        logging_config=None,  # the process configures logging once (libs.common.logs)
        middleware=middleware,
        **litestar_options,
    )
    app.state.runtime = runtime
    app.state.service = runtime.name  # the audience of the principal tokens it accepts (ADR 0021)
    return trace_requests(app, runtime.name, access_log=runtime.settings.access_log)
