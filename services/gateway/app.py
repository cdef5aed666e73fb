"""Composition root of the gateway: GraphQL at /graphql, public REST under /api/v1.

It builds what the API needs once per process: the pooled client for the internal services
(which signs the caller's principal onto every call), the watch on the read models' commits
that mutations wait on (ADR 0047), the live-event consumer with its hub and unit directory,
the response cache the consumer and the client invalidate (ADR 0048), the persisted-query
store, and the partners' authentication and rate limits. Its readiness body also reports each
internal service, so one URL tells an operator whether the whole platform is up, without
requiring them: a service with no ready pod must not
take every gateway pod out of its load balancer.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import AsyncIterator

from litestar import Litestar

from contracts.services import INTERNAL
from libs.common import prometheus_metrics
from libs.common.cancellation import stop_tasks
from libs.common.http.app import build_service_app
from libs.common.http.metrics import scraper_networks
from libs.common.principal import PrincipalSigner
from libs.common.runtime import ServiceRuntime
from libs.common.settings import Settings
from services.gateway.adapters.applied_watch import AppliedWatch
from services.gateway.adapters.internal import InternalServices
from services.gateway.adapters.persisted_queries import PersistedQueries
from services.gateway.adapters.service_health import service_readiness
from services.gateway.cache.answers import AnswerCache
from services.gateway.cache.invalidation import Invalidation
from services.gateway.entrypoints.graphql import graphql_controller
from services.gateway.events.consumer import GatewayConsumer
from services.gateway.events.directory import UnitDirectory
from services.gateway.events.hub import EventHub
from services.gateway.events.replay import FeedReplay
from services.gateway.graphql.context import Gateway
from services.gateway.graphql.credentials import CredentialWatch
from services.gateway.graphql.limits import Limits
from services.gateway.graphql.schema import build_schema
from services.gateway.ioc import console_router
from services.gateway.reads.metrics import METRICS_READS
from services.gateway.reads.registry import REGISTRY_READS
from services.gateway.reads.rest_routes import read_router
from services.gateway.reads.schedules import SCHEDULE_READS
from services.gateway.rest.alerts_routes import AlertRoutes
from services.gateway.rest.bulk_routes import bulk_controllers
from services.gateway.rest.callers import Callers
from services.gateway.rest.incidents_routes import IncidentRoutes
from services.gateway.rest.metrics_routes import metrics_controllers
from services.gateway.rest.operations_routes import OutreachRoutes, RelaySessionRoutes
from services.gateway.rest.programmes_routes import DeliveryRoutes, FigureRoutes, ProgrammeRoutes
from services.gateway.rest.registry_routes import registry_router
from services.gateway.rest.routes import SECURITY_SCHEMES, rest_controllers
from services.gateway.rest.schedules_routes import ScheduleRoutes
from services.gateway.rest.signal_routes import SignalRoutes
from services.gateway.rest.source_link_routes import SourceLinkRoutes
from services.gateway.security.cors import cors_config
from services.gateway.security.edge import edge_middleware
from services.gateway.security.wiring import build_security

NAME = "gateway"

log = logging.getLogger(__name__)


def create_app(settings: Settings, limits: Limits | None = None) -> Litestar:
    runtime = ServiceRuntime(NAME, settings)
    watch = AppliedWatch(settings.database_url)
    services = InternalServices(settings, PrincipalSigner.from_settings(settings), watch=watch)
    for service in INTERNAL:
        runtime.reported_checks[service] = functools.partial(service_readiness, services.client, settings, service)
    hub, directory = EventHub(queue_size=settings.gateway_live_queue_size), UnitDirectory()
    answers = response_cache(settings)
    invalidation = Invalidation(answers, directory) if answers is not None else None
    if invalidation is not None:
        services.write_listeners.append(invalidation.write)
    consumer = GatewayConsumer(settings, hub, directory, invalidation)
    replay = FeedReplay(settings, hub, directory)
    gateway_limits = limits or Limits.from_settings(settings)
    security = build_security(runtime, gateway_limits.max_concurrent_operations)
    credentials = CredentialWatch(security.authenticator.authenticate, interval_seconds=settings.ws_recheck_seconds)
    security.authenticator.refusal_listeners.append(credentials.refused)
    gateway = Gateway(
        services=services, hub=hub, directory=directory, limits=gateway_limits, credentials=credentials, replay=replay
    )
    # /graphql's own limit, never above the gateway's: an operator lowering the latter means every route.
    graphql_body = min(settings.gateway_graphql_max_body_bytes, settings.gateway_max_body_bytes)
    schema = build_schema(
        gateway.limits,
        PersistedQueries(lambda: runtime.pool),
        # Until the registry's history is folded in, a level's count is not known (None).
        lambda level: directory.units_at(level) if consumer.ready.is_set() else None,
        answers,
    )

    @contextlib.asynccontextmanager
    async def live_events(_: Litestar) -> AsyncIterator[None]:
        tasks = [
            asyncio.create_task(consumer.run(), name="gateway-live-events"),
            asyncio.create_task(watch.run(), name="gateway-read-model-notices"),
        ]
        prometheus_metrics.track(hub)
        if answers is not None:
            prometheus_metrics.track(answers)
        try:
            yield
        finally:
            prometheus_metrics.untrack(hub)
            if answers is not None:
                prometheus_metrics.untrack(answers)
            for stuck in await stop_tasks(tasks, within=10):
                log.warning("%s did not stop within 10 s", stuck.get_name())

    app = build_service_app(
        runtime,
        [
            graphql_controller(schema, gateway, security, max_body_bytes=graphql_body),
            *rest_controllers(gateway, security),
            registry_router(gateway, security),
            read_router(REGISTRY_READS),
            read_router(METRICS_READS, *metrics_controllers(gateway, security)),
            read_router(SCHEDULE_READS, ScheduleRoutes),
            AlertRoutes,
            SignalRoutes,
            IncidentRoutes,
            ProgrammeRoutes,
            DeliveryRoutes,
            FigureRoutes,
            RelaySessionRoutes,
            OutreachRoutes,
            SourceLinkRoutes,
            *bulk_controllers(gateway, security),
            console_router(),  # the operations centre's console at /ioc (docs/ioc.md)
        ],
        title="tinhso public API",
        description="Public REST API for partners (VNPT, Viettel, the post, district offices).",
        openapi_path="/api/v1/docs",
        on_shutdown_extra=[services.close],
        internal=False,  # partners authenticate here; it is the gateway that signs principals
        security_schemes=SECURITY_SCHEMES,
        metrics_scrapers=scraper_networks(settings.gateway_metrics_networks, "TINHSO_GATEWAY_METRICS_NETWORKS"),
        lifespan=[live_events],
        request_max_body_size=settings.gateway_max_body_bytes,  # 413 beyond it (/graphql: its own, smaller)
        middleware=[edge_middleware(settings.gateway_body_timeout_seconds)],  # 408, RateLimit-* headers
        cors_config=cors_config(settings.gateway_cors_origins),  # browsers' cross-origin calls
    )
    app.state.gateway = gateway
    app.state.callers = Callers(gateway, security)
    app.state.consumer = consumer
    app.state.applied_watch = watch
    app.state.answers = answers
    return app


def response_cache(settings: Settings) -> AnswerCache | None:
    if not settings.gateway_response_cache:
        return None
    return AnswerCache(
        max_entries=settings.gateway_response_cache_entries,
        max_bytes=settings.gateway_response_cache_bytes,
        ttl_seconds=settings.gateway_response_cache_ttl_seconds,
        settle_seconds=settings.gateway_response_cache_settle_seconds,
    )
