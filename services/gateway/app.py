"""Composition root of the gateway: GraphQL at /graphql, public REST under /api/v1.

Its readiness also reports each internal service, so one URL tells an operator whether
the whole platform is up.
"""

from __future__ import annotations

import functools

import httpx
from litestar import Litestar

from libs.common.http.app import build_service_app
from libs.common.runtime import ServiceRuntime
from libs.common.settings import Settings
from services.gateway.adapters.service_health import INTERNAL_SERVICES, service_readiness
from services.gateway.entrypoints.graphql import GraphQLController

NAME = "gateway"


def create_app(settings: Settings) -> Litestar:
    runtime = ServiceRuntime(NAME, settings)
    client = httpx.AsyncClient()
    for service in INTERNAL_SERVICES:
        runtime.extra_checks[service] = functools.partial(service_readiness, client, settings, service)

    async def close_client() -> None:
        await client.aclose()

    return build_service_app(
        runtime,
        [GraphQLController],
        title="tinhso public API",
        description="Public REST API for partners (VNPT, Viettel, the post, district offices).",
        openapi_path="/api/v1/docs",
        on_shutdown_extra=[close_client],
        internal=False,  # partners authenticate here; it is the gateway that signs principals
    )
