"""``GET /metrics``: the process's Prometheus exposition (``libs.common.prometheus_metrics``).

Open like ``/health`` on the internal services, which only the gateway and the cluster reach.
The gateway is the public surface, so there a scrape is answered only to a direct caller in
``TINHSO_GATEWAY_METRICS_NETWORKS`` (loopback unless an operator names the scrapers' network)
and never through a proxy: a request carrying a forwarding header came through an ingress or a
load balancer, that is from partners, and is told 404, as if there were nothing there.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import Any

from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.types import Scope
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest

from libs.common.runtime import ServiceRuntime
from libs.common.settings import SettingsError

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
FORWARDING_HEADERS = frozenset({b"forwarded", b"x-forwarded-for", b"x-real-ip"})


def scraper_networks(value: str, setting: str) -> tuple[Network, ...]:
    """Comma-separated IPs and CIDRs; ``SettingsError`` names a wrong one."""
    networks: list[Network] = []
    for item in (part.strip() for part in value.split(",")):
        if not item:
            continue
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise SettingsError(f"{setting}: {item!r} is neither an IP address nor a CIDR") from None
    return tuple(networks)


def direct_scrape(scope: Scope, networks: Iterable[Network]) -> bool:
    """A request from one of ``networks`` that came through no proxy."""
    if any(name in FORWARDING_HEADERS for name, _ in scope["headers"]):
        return False
    client = scope.get("client")
    try:
        peer = ipaddress.ip_address(str(client[0])) if client else None
    except ValueError:
        return False
    return peer is not None and any(peer in network for network in networks)


def metrics_controller(scrapers: tuple[Network, ...] | None) -> type[Controller]:
    """``scrapers``: the networks a scrape may come from; ``None``: anyone who reaches the port."""

    class MetricsController(Controller):
        path = "/metrics"
        tags = ["health"]  # noqa: RUF012 - Litestar declares it as an instance attribute
        include_in_schema = False

        @get("/", operation_id="metrics", media_type=CONTENT_TYPE_LATEST)
        async def metrics(
            self, request: Request[Any, Any, Any], runtime: NamedDependency[ServiceRuntime]
        ) -> Response[bytes]:
            if scrapers is not None and not direct_scrape(request.scope, scrapers):
                raise NotFoundException()
            await runtime.refresh_metrics()
            return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)

    return MetricsController
