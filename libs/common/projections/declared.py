"""A projection in one declaration: its name, what it reads, its tables and its apply.

    AirtimeProjection = read_model(
        "broadcast_airtime",
        sources={"broadcast": CATALOGUE},
        reads=reads({RelaySessionRecorded: ("session_id", ...), ...}),
        tables=airtime_writer.tables_sql,
        apply=airtime_writer.apply,
    )

What the projection does lives in its adapter (the table SQL and the writer, ADR 0026); the
declaration names them once, and :func:`read_model` makes the ``Projection`` class the backbone
runs, ``handles`` derived from ``reads`` as for any projection. The class is called as before
(``AirtimeProjection()``), so a runner, a rebuild or a test makes one as it makes any other.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from contracts.catalogue import EventCatalogue
from contracts.reads import Reads
from libs.common.db import Conn
from libs.common.projections.projection import Applied, Projection

__all__ = ["ApplyBatch", "read_model"]

ApplyBatch = Callable[[Conn, str, Sequence[Applied]], Awaitable[None]]
"""``apply(conn, schema, batch)``: in the batch's transaction, without committing; ``schema`` is
the projection's name when it writes the live read model, another when a rebuild fills a fresh one."""


def read_model(
    name: str,
    *,
    sources: Mapping[str, EventCatalogue],
    reads: Reads,
    tables: Callable[[str], str],
    apply: ApplyBatch,
) -> type[Projection]:
    """``name`` is ``<service>_<what>``, also its schema's; the service before the ``_`` runs it."""
    service, _, what = name.partition("_")
    if not (service and what and name.islower()):
        raise ValueError(f"a projection's name is <service>_<what> in lower case, not {name!r}")

    def tables_sql(self: Projection, schema: str) -> str:
        return tables(schema)

    async def apply_batch(self: Projection, conn: Conn, schema: str, batch: Sequence[Applied]) -> None:
        await apply(conn, schema, batch)

    namespace: dict[str, Any] = {
        "__module__": getattr(apply, "__module__", __name__),
        "__doc__": f"The {name} read model (a :func:`read_model` declaration).",
        "name": name,
        "service": service,
        "sources": dict(sources),
        "reads": reads,
        "tables_sql": tables_sql,
        "apply": apply_batch,
    }
    return type("".join(part.title() for part in name.split("_")) + "Projection", (Projection,), namespace)
