"""A projection in one declaration: its name, what it reads, its tables and its apply.

    READS: ReadFields = {
        RelaySessionRecorded: ("ended_at", "session_id", ...),
        RelaySessionCancelled: ("session_id",),
    }
    AirtimeProjection = read_model("broadcast_airtime", READS, tables=writer.tables_sql, apply=writer.apply)

What the projection does lives in its adapter (the table SQL and the writer, ADR 0026); the
declaration names them once, and :func:`read_model` makes the ``Projection`` class the backbone
runs. What a projection declared by hand besides is derived: the service that runs it (its
name's prefix), the topics it consumes (those of the events it reads, with their catalogues
from ``contracts.services``) and ``handles`` (the types of its reads). The class is called as
before (``AirtimeProjection()``), so a runner, a rebuild or a test makes one as it makes any
other.
"""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from typing import Any

from contracts.base import Event
from contracts.catalogue import EventCatalogue
from contracts.reads import reads as declare_reads
from contracts.services import service as catalogued
from libs.common.db import Conn
from libs.common.projections.projection import Applied, Projection

__all__ = ["ApplyBatch", "ReadFields", "read_model"]

ReadFields = Mapping[type[Event], tuple[str, ...]]
"""Each event type a projection applies, with the fields of its data it reads."""

ApplyBatch = Callable[[Conn, str, Sequence[Applied]], Awaitable[None]]
"""``apply(conn, schema, batch)``: in the batch's transaction, without committing; ``schema`` is
the projection's name when it writes the live read model, another when a rebuild fills a fresh one."""


def read_model(
    name: str,
    reads: ReadFields,
    *,
    tables: Callable[[str], str],
    apply: ApplyBatch,
) -> type[Projection]:
    """``name`` is ``<service>_<what>``, also its schema's; the service before the ``_`` runs it.
    ``reads``: each event type it applies, with the fields of its data it reads."""
    service, _, what = name.partition("_")
    if not (service and what and name.islower()):
        raise ValueError(f"a projection's name is <service>_<what> in lower case, not {name!r}")
    declared = declare_reads(reads)

    def tables_sql(self: Projection, schema: str) -> str:
        return tables(schema)

    async def apply_batch(self: Projection, conn: Conn, schema: str, batch: Sequence[Applied]) -> None:
        await apply(conn, schema, batch)

    namespace: dict[str, Any] = {
        # Where it is declared, as collections.namedtuple names its classes' module.
        "__module__": sys._getframe(1).f_globals.get("__name__", __name__),
        "__doc__": f"The {name} read model (a :func:`read_model` declaration).",
        "name": name,
        "service": service,
        "sources": _sources(declared),
        "reads": declared,
        "tables_sql": tables_sql,
        "apply": apply_batch,
    }
    return type("".join(part.title() for part in name.split("_")) + "Projection", (Projection,), namespace)


def _sources(types: Iterable[str]) -> dict[str, EventCatalogue]:
    """The topics of the event types read (named for the service whose events they carry), in
    the order the reads first name them: a rebuild replays the sources' stores in this order,
    so the metrics facts read the registry's units before broadcast's events about them."""
    sources: dict[str, EventCatalogue] = {}
    for type_name in types:
        owner = type_name.split(".", 1)[0]
        topic = catalogued(owner).topic
        if topic is None:
            raise ValueError(f"{type_name}: the {owner} service publishes no events")
        sources[owner] = topic.catalogue
    return sources
