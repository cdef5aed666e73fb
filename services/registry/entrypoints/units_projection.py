"""Read model of administrative units: current rows, name and parent history, closure table.

- ``units``: one row per unit with its current name, parent, validity and lineage;
  ``search_name`` is ``tinhso_search_text(name)`` (lower-case, unaccented) under a trigram index.
- ``unit_names`` / ``unit_parents``: validity intervals, for "as of" questions.
- ``lineage``: (predecessor, successor) of every merge and split.
- ``closure``: (ancestor, descendant, depth) over the current hierarchy, for "this unit and
  everything under it". Events of different units arrive from different partitions in any
  relative order, so a unit's closure rows are completed whichever of parent and child
  arrives first (see ``_link``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from contracts.catalogue import EventCatalogue
from contracts.reads import Reads, reads
from contracts.registry_events import (
    CATALOGUE,
    UnitDissolved,
    UnitMerged,
    UnitRegistered,
    UnitRenamed,
    UnitReparented,
    UnitSplit,
)
from libs.common.db import Conn
from libs.common.projections.projection import Applied, Projection
from services.registry.adapters.units_writer import UnitsWriter, tables_sql


class UnitsProjection(Projection):
    name: ClassVar[str] = "registry_units"
    service: ClassVar[str] = "registry"
    sources: ClassVar[dict[str, EventCatalogue]] = {"registry": CATALOGUE}
    reads: ClassVar[Reads] = reads(
        {
            UnitRegistered: (
                "code",
                "level",
                "name",
                "parent_id",
                "predecessor_ids",
                "unit_id",
                "unit_type",
                "valid_from",
            ),
            UnitRenamed: ("effective_on", "name", "unit_id"),
            UnitReparented: ("effective_on", "parent_id", "unit_id"),
            UnitMerged: ("effective_on", "successor_id", "unit_id"),
            UnitSplit: ("effective_on", "successor_ids", "unit_id"),
            UnitDissolved: ("effective_on", "unit_id"),
        }
    )

    def tables_sql(self, schema: str) -> str:
        return tables_sql(schema)

    async def apply(self, conn: Conn, schema: str, batch: Sequence[Applied]) -> None:
        for item in batch:
            await self._apply_one(conn, schema, item)

    async def _apply_one(self, conn: Conn, s: str, item: Applied) -> None:
        event, version = item.event, item.envelope.version
        writer = UnitsWriter(conn, s)
        match event:
            case UnitRegistered():
                await writer.registered(event, version)
            case UnitRenamed():
                await writer.renamed(event, version)
            case UnitReparented():
                await writer.reparented(event, version)
            case UnitMerged() | UnitSplit() | UnitDissolved():
                await writer.ended(event, version)
