"""The services the platform runs, in start order, and where their migrations live.

The services themselves are declared once, in ``contracts.services``; this module adds what
only ``tinhso`` needs of them (migrations, every projection by name).
"""

from __future__ import annotations

import importlib

from contracts.services import CATALOGUE, EVENT_SOURCED, SERVICES
from libs.common.eventstore.schema import backbone_migrations
from libs.common.migrations import Migration, discover
from libs.common.projections.projection import Projection

__all__ = ["EVENT_SOURCED", "SERVICES", "all_migrations", "all_projections", "migrations_for"]


def migrations_for(service: str) -> list[Migration]:
    """The backbone's tables first (event store, relay, dead letters), then the service's own."""
    backbone = backbone_migrations(service) if service in EVENT_SOURCED else []
    return [*backbone, *discover(service, f"services.{service}.migrations")]


def all_migrations() -> list[Migration]:
    return [m for service in SERVICES for m in migrations_for(service)]


def all_projections() -> dict[str, Projection]:
    """Every projection of every service, by name."""
    found: dict[str, Projection] = {}
    for service in CATALOGUE:
        if service.projections_module is None:
            continue
        module = importlib.import_module(service.projections_module)
        for projection in module.PROJECTIONS:
            found[projection.name] = projection
    return found
