"""The services the platform runs, in start order, and where their migrations live."""

from __future__ import annotations

import importlib

from libs.common.eventstore.schema import backbone_migrations
from libs.common.migrations import Migration, discover
from libs.common.projections.projection import Projection

SERVICES = ("registry", "broadcast", "metrics", "gateway")
EVENT_SOURCED = ("registry", "broadcast", "metrics")


def migrations_for(service: str) -> list[Migration]:
    """The backbone's tables first (event store, relay, dead letters), then the service's own."""
    backbone = backbone_migrations(service) if service in EVENT_SOURCED else []
    return [*backbone, *discover(service, f"services.{service}.migrations")]


def all_migrations() -> list[Migration]:
    return [m for service in SERVICES for m in migrations_for(service)]


def all_projections() -> dict[str, Projection]:
    """Every projection of every service, by name."""
    found: dict[str, Projection] = {}
    for service in EVENT_SOURCED:
        module = importlib.import_module(f"services.{service}.entrypoints.projections")
        for projection in module.PROJECTIONS:
            found[projection.name] = projection
    return found
