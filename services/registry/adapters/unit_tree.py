"""The administrative tree as the registry's event store holds it: the registry's
:class:`libs.common.reach.UnitTree`, which ``require_within`` walks up.

A unit's parent is read from its own stream, the truth the command decides on, never from the
units read model, which may lag behind a registration or a move made a moment earlier.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from contracts.catalogue import EventCatalogue
from libs.common.db import Conn
from libs.common.eventstore.store import EventStore
from services.registry.adapters import unit_lookup
from services.registry.domain.names import clean_code
from services.registry.domain.unit_commands import UNIT
from services.registry.domain.units import stream_id


class EventStoreUnitTree:
    def __init__(self, store: EventStore, catalogue: EventCatalogue) -> None:
        self._store = store
        self._catalogue = catalogue

    async def unit_id(self, conn: Conn, code: str) -> str | None:
        """The unit that holds (or last held) the code: a centre's unit keeps its code."""
        return await unit_lookup.latest_unit_id_for_code(conn, clean_code(code))

    async def parents(self, conn: Conn, unit_ids: Sequence[str]) -> Mapping[str, str | None]:
        found: dict[str, str | None] = {}
        for unit_id in unit_ids:
            history = await self._store.load(conn, stream_id(unit_id))
            if history:
                decoded = [self._catalogue.decode(e.type, e.schema_version, e.data) for e in history]
                found[unit_id] = UNIT.fold(decoded).parent_id
        return found
