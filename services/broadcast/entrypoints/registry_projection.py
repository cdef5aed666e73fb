"""The broadcast service's own read model of the registry (schema ``broadcast_registry``).

Commands validate against it (units and their hierarchy, stations, clusters and whether they
are decommissioned, the operators an incident can be assigned to) instead of calling the
registry: the registry may be down or slow, and a command path must not depend on it. It
follows the registry's topic, so it lags by the projection's latency; a command that names a
station the registry just created may be refused as unknown for that moment (the caller
retries).

Events of different registry streams arrive from different partitions in any relative order
(a cluster before its station, a commune before its district), so each event writes only its
own entity's row and relations are joined at query time (``adapters.registry_view``).
"""

from __future__ import annotations

from contracts import registry_events as r
from libs.common.projections.declared import ReadFields, read_model
from services.broadcast.adapters import registry_view_writer

READS: ReadFields = {
    r.UnitRegistered: ("code", "level", "name", "parent_id", "unit_id", "valid_from"),
    r.UnitRenamed: ("name", "unit_id"),
    r.UnitReparented: ("parent_id", "unit_id"),
    r.UnitMerged: ("effective_on", "unit_id"),
    r.UnitSplit: ("effective_on", "unit_id"),
    r.UnitDissolved: ("effective_on", "unit_id"),
    r.RadioStationRegistered: ("station_id", "technology", "unit_id"),
    r.RadioStationUpgraded: ("station_id", "technology"),
    r.RadioStationStatusChanged: ("station_id", "status"),
    r.SpeakerClusterRegistered: ("cluster_id", "station_id", "village_id"),
    r.SpeakerClusterDecommissioned: ("cluster_id",),
    r.OrganisationRegistered: ("code", "kind", "organisation_id"),
}
"""The events it applies and the fields of each it reads (checked against ``contracts``)."""

RegistryViewProjection = read_model(
    "broadcast_registry", READS, tables=registry_view_writer.tables_sql, apply=registry_view_writer.apply
)
