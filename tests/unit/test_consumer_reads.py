"""Every consumer's declared reads are published: each type is in the topics' catalogues and
each field is on its event type. A projection reads exactly the types it handles."""

from __future__ import annotations

from collections.abc import Sequence

import msgspec
import pytest

from contracts.base import Event
from contracts.reads import Reads, problems, reads
from contracts.registry_events import CATALOGUE as REGISTRY
from contracts.registry_events import UnitRenamed
from contracts.services import all_topics
from libs.common.db import Conn
from libs.common.projections.projection import Applied, Projection
from services.broadcast.entrypoints.projections import PROJECTIONS as BROADCAST
from services.gateway.events import directory
from services.gateway.graphql import subscriptions
from services.metrics.entrypoints.projections import PROJECTIONS as METRICS
from services.registry.entrypoints.projections import PROJECTIONS as REGISTRY_PROJECTIONS

PROJECTIONS: list[Projection] = [*REGISTRY_PROJECTIONS, *BROADCAST, *METRICS]
CATALOGUES = [topic.catalogue for topic in all_topics()]
GATEWAY: dict[str, Reads] = {
    "gateway live feed: unit directory": directory.READS,
    "gateway live feed: indicatorChanged": subscriptions.READS,
}


def _fields(cls: type[Event]) -> set[str]:
    return {info.name for info in msgspec.structs.fields(cls)}


@pytest.mark.parametrize("projection", PROJECTIONS, ids=lambda p: p.name)
def test_a_projection_reads_only_published_types_and_fields_of_its_sources(projection: Projection) -> None:
    assert projection.reads, f"{projection.name} declares no reads"
    assert problems(projection.reads, projection.sources.values()) == []


def test_a_projection_applies_exactly_the_types_it_declares_reads_of() -> None:
    """``handles`` is derived from ``reads``; naming both is refused, so they cannot disagree."""

    class Declared(Projection):
        name = "test_declared"
        reads = Reads({"registry.unit_registered": frozenset({"code"})})

        def tables_sql(self, schema: str) -> str:
            return ""

        async def apply(self, conn: Conn, schema: str, batch: Sequence[Applied]) -> None:
            return None

    assert Declared.handles == frozenset({"registry.unit_registered"})
    with pytest.raises(TypeError, match="declare reads only"):

        class Both(Declared):
            reads = Reads({"registry.unit_renamed": frozenset({"name"})})
            handles = frozenset({"registry.unit_registered"})


@pytest.mark.parametrize("consumer", sorted(GATEWAY))
def test_the_gateway_live_feed_reads_only_published_types_and_fields(consumer: str) -> None:
    assert problems(GATEWAY[consumer], CATALOGUES) == []


def test_the_unit_directory_declares_every_registry_event_that_places_an_asset() -> None:
    # ``UnitDirectory.apply`` folds any registry event carrying ``unit_id`` and an asset key.
    asset_keys = set(directory.LOCATES_BY) - {"unit_id", "village_id", "unit_code", "cluster_id"}
    placing = {name for name, cls in REGISTRY.types.items() if "unit_id" in _fields(cls) and _fields(cls) & asset_keys}
    assert sorted(placing - directory.READS.types()) == []


def test_every_field_the_live_feed_locates_events_by_is_on_some_event_type() -> None:
    published = set().union(*(_fields(cls) for catalogue in CATALOGUES for cls in catalogue.types.values()))
    assert sorted(set(directory.LOCATES_BY) - published) == []


def test_a_removed_field_or_an_unknown_type_is_named() -> None:
    declared = reads({UnitRenamed: ("unit_id", "old_name")}) | {"registry.unit_renumbered": frozenset({"code"})}

    assert problems(declared, [REGISTRY]) == [
        "registry.unit_renamed.old_name: no such field",
        "registry.unit_renumbered: no such event type in the consumed topics",
    ]


def test_fields_given_as_one_string_are_refused() -> None:
    with pytest.raises(TypeError, match="tuple of names"):
        reads({UnitRenamed: "unit_id"})
