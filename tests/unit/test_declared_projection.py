"""A projection declared in one call: what it declares by hand no more is derived from it."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from contracts import broadcast_events as b
from contracts import registry_events as r
from libs.common.db import Conn
from libs.common.projections.declared import ReadFields, read_model
from libs.common.projections.projection import Applied, Projection
from services.metrics.entrypoints.projections import PROJECTIONS as METRICS

APPLIED: list[tuple[str, int]] = []


async def apply(conn: Conn, schema: str, batch: Sequence[Applied]) -> None:
    APPLIED.append((schema, len(batch)))


READS: ReadFields = {r.UnitRenamed: ("name", "unit_id"), b.RelaySessionCancelled: ("session_id",)}
"""Registry first, broadcast second: the topics keep that order, though broadcast sorts first."""

Sessions = read_model("metrics_sessions", READS, tables=lambda s: f"CREATE TABLE {s}.x ()", apply=apply)


def test_the_service_topics_and_handled_types_come_from_the_name_and_the_reads() -> None:
    projection = Sessions()
    assert isinstance(projection, Projection)
    assert (projection.name, projection.service) == ("metrics_sessions", "metrics")
    assert list(projection.sources.items()) == [("registry", r.CATALOGUE), ("broadcast", b.CATALOGUE)]
    assert projection.handles == {"registry.unit_renamed", "broadcast.relay_session_cancelled"}
    assert projection.reads["registry.unit_renamed"] == {"name", "unit_id"}


async def test_its_tables_and_apply_are_the_declared_ones() -> None:
    APPLIED.clear()
    projection = Sessions()
    assert projection.tables_sql("next") == "CREATE TABLE next.x ()"
    await projection.apply(None, "next", [])  # type: ignore[arg-type]
    assert APPLIED == [("next", 0)]


@pytest.mark.parametrize("name", ["sessions", "Metrics_sessions", "metrics_"])
def test_a_name_that_is_not_service_then_what_is_refused(name: str) -> None:
    with pytest.raises(ValueError, match="<service>_<what>"):
        read_model(name, READS, tables=str, apply=apply)


def test_the_services_projections_keep_their_names_and_topics_in_their_order() -> None:
    """Failed before the fix: the topics were sorted, so a rebuild of the facts replayed
    broadcast's store before the registry's units (ADR 0034)."""
    assert {(p.name, p.service, tuple(p.sources)) for p in METRICS} == {
        ("metrics_values", "metrics", ("metrics",)),
        ("metrics_facts", "metrics", ("registry", "broadcast")),
    }
