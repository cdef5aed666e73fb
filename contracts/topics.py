"""The service topics: which service publishes what, and under which name.

Each service owns exactly one topic, ``<prefix>.<service>.events``, fed by its outbox relay
in commit order and keyed by ``stream_id``. A topic's contract is its catalogue of event
types; ``python -m contracts.generate`` turns these contracts into JSON Schema files and the
AsyncAPI document, so this list is the one place a new topic is declared.
"""

from __future__ import annotations

from dataclasses import dataclass

from contracts import broadcast_events, metrics_events, registry_events
from contracts.base import Event
from contracts.catalogue import EventCatalogue

# Matches ``Settings.topic_prefix``'s default; a deployment may choose another prefix
# (TINHSO_TOPIC_PREFIX), the contracts describe the default one.
DEFAULT_TOPIC_PREFIX = "tinhso"


@dataclass(frozen=True)
class TopicContract:
    """One service's topic: its owner, what it carries and the event types on it."""

    service: str
    description: str
    catalogue: EventCatalogue

    def topic(self, prefix: str = DEFAULT_TOPIC_PREFIX) -> str:
        return f"{prefix}.{self.service}.events"

    def event_types(self) -> list[type[Event]]:
        """The event classes of this topic, sorted by wire name."""
        return [self.catalogue.types[name] for name in sorted(self.catalogue.types)]


_TOPICS = (
    TopicContract(
        service="registry",
        description=(
            "Administrative units of the province (province, districts, communes, villages) and the "
            "assets registered against them: radio stations, loudspeaker clusters, base stations, "
            "information systems."
        ),
        catalogue=registry_events.CATALOGUE,
    ),
    TopicContract(
        service="broadcast",
        description=(
            "Operations of the grassroots radio network: relays, programmes and news items "
            "distributed to commune stations, outreach sessions, and the signal health of loudspeaker clusters."
        ),
        catalogue=broadcast_events.CATALOGUE,
    ),
    TopicContract(
        service="metrics",
        description=(
            "Indicators of the digital-transformation programme (targets, reported values, DTI scores) "
            "per unit and period."
        ),
        catalogue=metrics_events.CATALOGUE,
    ),
)


def all_topics() -> tuple[TopicContract, ...]:
    """Every service topic, in a fixed order (registry, broadcast, metrics)."""
    for contract in _TOPICS:
        if contract.catalogue.service != contract.service:
            raise ValueError(f"the {contract.service} topic holds the {contract.catalogue.service} catalogue")
    return _TOPICS
