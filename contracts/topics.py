"""The service topics: which service publishes what, and under which name.

Each service owns exactly one topic, ``<prefix>.<service>.events``, fed by its outbox relay
in commit order and keyed by ``stream_id``. A topic's contract is its catalogue of event
types; ``python -m contracts.generate`` turns these contracts into JSON Schema files and the
AsyncAPI document. Each contract is declared with its service in the service catalogue
(``contracts.services``), which lists them all (``all_topics``).
"""

from __future__ import annotations

from dataclasses import dataclass

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
