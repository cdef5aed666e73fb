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

from contracts import registry_events as r
from libs.common.db import Conn
from libs.common.projections.declared import ReadFields, read_model
from libs.common.projections.projection import Applied
from services.registry.adapters.units_writer import UnitsWriter, tables_sql


async def apply(conn: Conn, schema: str, batch: Sequence[Applied]) -> None:
    for item in batch:
        event, version = item.event, item.envelope.version
        writer = UnitsWriter(conn, schema)
        match event:
            case r.UnitRegistered():
                await writer.registered(event, version)
            case r.UnitRenamed():
                await writer.renamed(event, version)
            case r.UnitReparented():
                await writer.reparented(event, version)
            case r.UnitMerged() | r.UnitSplit() | r.UnitDissolved():
                await writer.ended(event, version)


READS: ReadFields = {
    r.UnitRegistered: ("code", "level", "name", "parent_id", "predecessor_ids", "unit_id", "unit_type", "valid_from"),
    r.UnitRenamed: ("effective_on", "name", "unit_id"),
    r.UnitReparented: ("effective_on", "parent_id", "unit_id"),
    r.UnitMerged: ("effective_on", "successor_id", "unit_id"),
    r.UnitSplit: ("effective_on", "successor_ids", "unit_id"),
    r.UnitDissolved: ("effective_on", "unit_id"),
}
"""The events it applies and the fields of each it reads (checked against ``contracts``)."""

UnitsProjection = read_model("registry_units", READS, tables=tables_sql, apply=apply)
