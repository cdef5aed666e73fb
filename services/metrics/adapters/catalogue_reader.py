"""The current catalogue, folded from the ``catalogue`` stream and cached by its version.

Reads come straight from the event store (one small stream), so a definition is visible to the
next request on any replica without waiting for a projection.
"""

from __future__ import annotations

from contracts.metrics_events import CATALOGUE
from libs.common.db import Conn
from libs.common.eventstore.store import EventStore
from services.metrics.domain import catalogue

_store = EventStore("metrics")


class CatalogueReader:
    def __init__(self) -> None:
        self._version = -1
        self._state = catalogue.Catalogue()

    async def current(self, conn: Conn) -> catalogue.Catalogue:
        version = await _store.current_version(conn, catalogue.STREAM)
        if version != self._version:
            history = await _store.load(conn, catalogue.STREAM)
            self._state = catalogue.DECIDER.fold([CATALOGUE.decode(e.type, e.schema_version, e.data) for e in history])
            self._version = version
        return self._state


SHARED = CatalogueReader()
"""One per process: the cache is keyed by the stream's version, so sharing it is safe."""
