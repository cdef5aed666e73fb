"""What tells the response cache that something changed: the gateway's event consumer, for
every event on the topics, and the internal client, for every command sent through this
gateway and every call that reads its write back (ADR 0048)."""

from __future__ import annotations

from typing import Any

from services.gateway.cache.answers import AnswerCache
from services.gateway.cache.scope import event_keys, write_keys
from services.gateway.events.directory import UnitDirectory


class Invalidation:
    def __init__(self, cache: AnswerCache, directory: UnitDirectory) -> None:
        self.cache = cache
        self.directory = directory

    def event(self, stream_id: str, data: dict[str, Any]) -> None:
        """An event was read from a topic (after the directory folded it in)."""
        self.cache.invalidate(event_keys(stream_id, data, self.directory))

    def write(self, path: str, content: bytes | None) -> None:
        """A command went to ``path`` with ``content``, or a call after it returned. Its event
        may reach the consumer after the writer reads its own write back, so what it may touch
        is dropped now, and settles as an event's keys do."""
        keys = write_keys(path, content, self.directory)
        if keys is None:
            self.cache.fence(settle=True)
        else:
            self.cache.invalidate(keys)
