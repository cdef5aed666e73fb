"""The catalogue of the platform's services: the one place a service is declared.

Each entry says what the rest of the code needs to know of a service: its name, its default
port, whether it is event-sourced (it owns a topic and runs a backbone: outbox relay and
projections), the contract of that topic, the settings that place it and where its
projections are. ``tinhso`` (which processes to start, which migrations to run), the Kafka
topics, the gateway's clients, health checks and live consumer, and the generated contracts
derive their lists from it; what cannot import it (the README's tables, ``infra/``'s compose
file and Kubernetes manifests, the settings' fields) is checked against it by
``tests/unit/test_service_catalogue.py``.

It lives in ``contracts`` rather than ``libs.common`` because it names the topic contracts
(declared here) and because both ``libs`` and every service may import ``contracts`` while
``contracts`` imports neither (ADR 0001): ``libs.common.kafka`` and the services read it
without a cycle. It names a service's projections by module path, not by import, for the
same reason.
"""

from __future__ import annotations

from dataclasses import dataclass

from contracts import broadcast_events, metrics_events, registry_events
from contracts.topics import TopicContract


@dataclass(frozen=True, kw_only=True)
class Service:
    """One service of the platform."""

    name: str
    default_port: int
    """The default of its port setting (``TINHSO_<NAME>_PORT``)."""
    topic: TopicContract | None = None
    """The topic it owns; ``None`` for a service that keeps no events (the gateway)."""
    internal: bool = True
    """Reached by the gateway through ``TINHSO_<NAME>_URL``; the gateway itself is not."""

    @property
    def event_sourced(self) -> bool:
        """It has an event store, a topic, an outbox relay and projections: a backbone."""
        return self.topic is not None

    @property
    def port_setting(self) -> str:
        """The ``Settings`` field of its port (``Settings.port_of`` reads it)."""
        return f"{self.name}_port"

    @property
    def url_setting(self) -> str | None:
        """The ``Settings`` field the gateway reaches it through, if it is internal."""
        return f"{self.name}_url" if self.internal else None

    @property
    def package(self) -> str:
        """Its package, also what ``python -m`` runs."""
        return f"services.{self.name}"

    @property
    def projections_module(self) -> str | None:
        """The module whose ``PROJECTIONS`` lists its projections, if it is event-sourced."""
        return f"{self.package}.entrypoints.projections" if self.event_sourced else None


CATALOGUE: tuple[Service, ...] = (
    Service(
        name="registry",
        default_port=8001,
        topic=TopicContract(
            service="registry",
            description=(
                "Administrative units of the province (province, districts, communes, villages) and the "
                "assets registered against them: radio stations, loudspeaker clusters, base stations, "
                "information systems."
            ),
            catalogue=registry_events.CATALOGUE,
        ),
    ),
    Service(
        name="broadcast",
        default_port=8002,
        topic=TopicContract(
            service="broadcast",
            description=(
                "Operations of the grassroots radio network: relays, programmes and news items "
                "distributed to commune stations, outreach sessions, and the signal health of loudspeaker clusters."
            ),
            catalogue=broadcast_events.CATALOGUE,
        ),
    ),
    Service(
        name="metrics",
        default_port=8003,
        topic=TopicContract(
            service="metrics",
            description=(
                "Indicators of the digital-transformation programme (targets, reported values, DTI scores) "
                "per unit and period."
            ),
            catalogue=metrics_events.CATALOGUE,
        ),
    ),
    Service(name="gateway", default_port=8000, internal=False),
)
"""In start order: a service starts after those it reads (metrics reads the registry and
broadcast), the gateway last, once what it calls is up."""

SERVICES: tuple[str, ...] = tuple(s.name for s in CATALOGUE)
"""Every service's name, in start order."""

EVENT_SOURCED: tuple[str, ...] = tuple(s.name for s in CATALOGUE if s.event_sourced)
"""The services with a topic and a backbone (relay, projections), in start order."""

INTERNAL: tuple[str, ...] = tuple(s.name for s in CATALOGUE if s.internal)
"""The services the gateway calls and checks for its own readiness."""


def service(name: str) -> Service:
    """The catalogue's entry for ``name``; a ``KeyError`` names the known ones."""
    for entry in CATALOGUE:
        if entry.name == name:
            return entry
    raise KeyError(f"no service named {name!r} (known: {', '.join(SERVICES)})")


def all_topics() -> tuple[TopicContract, ...]:
    """Every service topic, in the catalogue's order (registry, broadcast, metrics)."""
    topics = tuple(s.topic for s in CATALOGUE if s.topic is not None)
    for entry in CATALOGUE:
        if entry.topic is not None and entry.topic.service != entry.name:
            raise ValueError(f"the {entry.name} service declares the {entry.topic.service} topic")
        if entry.topic is not None and entry.topic.catalogue.service != entry.name:
            raise ValueError(f"the {entry.name} topic holds the {entry.topic.catalogue.service} catalogue")
    return topics
