"""The services the platform runs, in start order, and where their migrations live."""

from __future__ import annotations

from libs.common.migrations import Migration, discover

SERVICES = ("registry", "broadcast", "metrics", "gateway")


def migrations_for(service: str) -> list[Migration]:
    return discover(service, f"services.{service}.migrations")


def all_migrations() -> list[Migration]:
    return [m for service in SERVICES for m in migrations_for(service)]
