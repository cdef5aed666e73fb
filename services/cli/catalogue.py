"""The services the platform runs, in start order, and where their migrations live."""

from __future__ import annotations

from libs.common.eventstore.schema import backbone_migrations
from libs.common.migrations import Migration, discover

SERVICES = ("registry", "broadcast", "metrics", "gateway")
EVENT_SOURCED = ("registry", "broadcast", "metrics")


def migrations_for(service: str) -> list[Migration]:
    """The backbone's tables first (event store, relay, dead letters), then the service's own."""
    backbone = backbone_migrations(service) if service in EVENT_SOURCED else []
    return [*backbone, *discover(service, f"services.{service}.migrations")]


def all_migrations() -> list[Migration]:
    return [m for service in SERVICES for m in migrations_for(service)]
