"""Read model of the registry's assets (schema ``registry_assets``): one table per kind.

Tables: ``organisations``, ``digital_teams`` (+ ``team_activities``), ``radio_stations``
(+ ``station_upgrades``), ``speaker_clusters``, ``bts_stations``, ``village_fibre``,
``postal_points``, ``video_endpoints``, ``wifi_hotspots``, ``information_systems``
(+ ``security_approvals``) and ``operator_history``.

Events of one stream arrive in order (the relay keys by stream), but streams land on
different partitions, so e.g. a cluster may be projected before its station, or a base
station before its operator. Every event therefore writes only rows of its own stream's
entity, and relations (cluster → station → commune, asset → operator code, unit → its
descendants in ``registry_units.closure``) are joined at query time, where whichever side
arrives last completes the answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from contracts.catalogue import EventCatalogue
from contracts.registry_events import ASSET_EVENTS, CATALOGUE
from libs.common.db import Conn
from libs.common.projections.projection import Applied, Projection
from services.registry.adapters import assets_writer
from services.registry.adapters.assets_tables import TABLES_SQL


class AssetsProjection(Projection):
    name: ClassVar[str] = "registry_assets"
    service: ClassVar[str] = "registry"
    sources: ClassVar[dict[str, EventCatalogue]] = {"registry": CATALOGUE}
    handles: ClassVar[frozenset[str]] = frozenset(cls.type_name() for cls in ASSET_EVENTS)

    def tables_sql(self, schema: str) -> str:
        return TABLES_SQL.format(s=schema)

    async def apply(self, conn: Conn, schema: str, batch: Sequence[Applied]) -> None:
        for item in batch:
            await assets_writer.write(conn, schema, item.event, item.envelope)
