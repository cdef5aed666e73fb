"""DataLoaders: every item a query level asks of a service goes out as one batched call.

Resolvers never call a service directly; they ``load`` from here. Keys asked in the same tick
of the event loop (one level of a query) are gathered into one request per loader, and each
batched internal route answers in the order asked, leaving out unknown ids.

Every load, and every direct call through ``caller``, needs the ``read`` scope (``reading``):
this is where the nested fields of any result, a mutation's included, are refused to a
caller without it. Only ``writer`` skips the check, for a mutation reading back its own write.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Awaitable, Callable, Hashable, Sequence
from typing import TypeVar

from strawberry.dataloader import DataLoader

from contracts.api.broadcast import AlertStationsAsk
from contracts.api.broadcast_views import (
    AlertStationPage,
    AlertView,
    ClusterSignalView,
    DeliveryView,
    ProgrammeView,
    SourceAirtime,
)
from contracts.api.metrics import IndicatorDefinition, IndicatorValueView
from contracts.api.registry_views import (
    DigitalTeamView,
    OrganisationView,
    RadioStationView,
    SpeakerClusterView,
    UnitPage,
    UnitView,
    VillageFibreView,
)
from libs.common.principal import Principal
from services.gateway.adapters import broadcast_api, metrics_api, registry_api
from services.gateway.adapters.internal import ServiceCaller
from services.gateway.adapters.metrics_api import ValuesKey
from services.gateway.graphql.reading import read_refusal

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

MAX_BATCH = 500
"""Below the services' own limit of 1,000 ids per call."""

UnitKey = tuple[str, datetime.date | None]
"""An id or a code, and the day asked about (None: today's state)."""

ChildrenKey = tuple[str, datetime.date | None, int]
"""A parent's id, the day asked about and the page size: the first page of its children."""

AlertStationsKey = tuple[str, str | None, int]
"""An alert's id, a cursor and a page size: that page of the stations it went to."""


def _chunks(groups: Sequence[tuple[str, ...]]) -> list[list[str]]:
    """The groups' ids, each once, in calls of at most ``MAX_BATCH``."""
    ids = list(dict.fromkeys(i for group in groups for i in group))
    return [ids[start : start + MAX_BATCH] for start in range(0, len(ids), MAX_BATCH)]


def _by_date(keys: Sequence[UnitKey]) -> dict[datetime.date | None, list[str]]:
    groups: dict[datetime.date | None, list[str]] = defaultdict(list)
    for value, as_of in keys:
        groups[as_of].append(value)
    return groups


class Loaders:
    def __init__(self, caller: ServiceCaller, principal: Principal | None, *, cache: bool = True) -> None:
        self.writer = caller
        """The caller unchecked: only for a mutation's command and the read-back of its result."""
        self._refusal = read_refusal(principal)
        self._catalogue: list[IndicatorDefinition] | None = None

        def loader(fn: Callable[[list[K]], Awaitable[Sequence[V]]]) -> DataLoader[K, V]:
            async def checked(keys: list[K]) -> Sequence[V]:
                # Refused here, the whole batch fails with the error, and each field with it.
                self.check_read()
                return await fn(keys)

            return DataLoader(checked, max_batch_size=MAX_BATCH, cache=cache)

        self.unit_by_id: DataLoader[UnitKey, UnitView | None] = loader(self._units_by_id)
        self.unit_by_code: DataLoader[UnitKey, UnitView | None] = loader(self._units_by_code)
        self.children: DataLoader[ChildrenKey, UnitPage] = loader(self._children)
        self.station_by_id: DataLoader[str, RadioStationView | None] = loader(self._stations_by_id)
        self.station_by_unit: DataLoader[str, RadioStationView | None] = loader(self._stations_by_unit)
        self.clusters_by_station: DataLoader[str, list[SpeakerClusterView]] = loader(self._clusters_by_station)
        self.cluster_by_id: DataLoader[str, SpeakerClusterView | None] = loader(self._clusters_by_id)
        self.team_by_unit: DataLoader[str, DigitalTeamView | None] = loader(self._teams_by_unit)
        self.signal_by_cluster: DataLoader[str, ClusterSignalView | None] = loader(self._signals)
        # One key per parent for a whole list of children (a station's clusters): a level of a
        # nested query costs one future per parent instead of one per child.
        self.signals_of: DataLoader[tuple[str, ...], list[ClusterSignalView | None]] = loader(self._signals_of)
        self.units_of: DataLoader[tuple[str, ...], list[UnitView | None]] = loader(self._units_of)
        self.indicator_values: DataLoader[ValuesKey, list[IndicatorValueView]] = loader(self._indicator_values)
        self.indicator_by_code: DataLoader[str, IndicatorDefinition | None] = loader(self._indicators)
        self.airtime: DataLoader[tuple[str, str], list[SourceAirtime]] = loader(self._airtime)
        self.deliveries_by_programme: DataLoader[str, list[DeliveryView]] = loader(self._deliveries)
        self.organisation_by_id: DataLoader[str, OrganisationView | None] = loader(self._organisations)
        self.fibre_by_village: DataLoader[str, list[VillageFibreView]] = loader(self._fibre_by_village)
        self.alert_by_id: DataLoader[str, AlertView | None] = loader(self._alerts)
        self.alert_stations: DataLoader[AlertStationsKey, AlertStationPage] = loader(self._alert_stations)
        self.programme_by_id: DataLoader[str, ProgrammeView | None] = loader(self._programmes)

    def check_read(self) -> None:
        if self._refusal is not None:
            raise self._refusal()

    @property
    def caller(self) -> ServiceCaller:
        """The caller for a read that is not a batched load (a page of children after a cursor)."""
        self.check_read()
        return self.writer

    async def _units_by_id(self, keys: list[UnitKey]) -> list[UnitView | None]:
        found: dict[UnitKey, UnitView] = {}
        for as_of, ids in _by_date(keys).items():
            for unit in await registry_api.units_by_ids(self.caller, ids, as_of):
                found[(unit.unit_id, as_of)] = unit
        return [found.get(key) for key in keys]

    async def _units_by_code(self, keys: list[UnitKey]) -> list[UnitView | None]:
        found: dict[UnitKey, UnitView] = {}
        for as_of, codes in _by_date(keys).items():
            for unit in await registry_api.units_by_codes(self.caller, codes, as_of):
                found[(unit.code, as_of)] = unit
        return [found.get(key) for key in keys]

    async def _children(self, keys: list[ChildrenKey]) -> list[UnitPage]:
        groups: dict[tuple[datetime.date | None, int], list[str]] = defaultdict(list)
        for parent_id, as_of, first in keys:
            groups[(as_of, first)].append(parent_id)
        found: dict[ChildrenKey, UnitPage] = {}
        for (as_of, first), parent_ids in groups.items():
            for answer in await registry_api.children_pages(self.caller, list(dict.fromkeys(parent_ids)), as_of, first):
                found[(answer.parent_id, as_of, first)] = answer.page
        return [found[key] for key in keys]

    async def _stations_by_id(self, ids: list[str]) -> list[RadioStationView | None]:
        found = {s.station_id: s for s in await registry_api.stations_by_ids(self.caller, ids)}
        return [found.get(i) for i in ids]

    async def _stations_by_unit(self, unit_ids: list[str]) -> list[RadioStationView | None]:
        found = {s.unit_id: s for s in await registry_api.stations_by_units(self.caller, unit_ids)}
        return [found.get(i) for i in unit_ids]

    async def _clusters_by_station(self, station_ids: list[str]) -> list[list[SpeakerClusterView]]:
        grouped: dict[str, list[SpeakerClusterView]] = defaultdict(list)
        for cluster in await registry_api.clusters_by_stations(self.caller, station_ids):
            grouped[cluster.station_id].append(cluster)
        return [grouped.get(i, []) for i in station_ids]

    async def _clusters_by_id(self, ids: list[str]) -> list[SpeakerClusterView | None]:
        found = {c.cluster_id: c for c in await registry_api.clusters_by_ids(self.caller, ids)}
        return [found.get(i) for i in ids]

    async def _teams_by_unit(self, unit_ids: list[str]) -> list[DigitalTeamView | None]:
        found = {t.unit_id: t for t in await registry_api.teams_by_units(self.caller, unit_ids)}
        return [found.get(i) for i in unit_ids]

    async def _organisations(self, ids: list[str]) -> list[OrganisationView | None]:
        found = {o.organisation_id: o for o in await registry_api.organisations_by_ids(self.caller, ids)}
        return [found.get(i) for i in ids]

    async def _fibre_by_village(self, village_ids: list[str]) -> list[list[VillageFibreView]]:
        grouped: dict[str, list[VillageFibreView]] = defaultdict(list)
        for fibre in await registry_api.fibre_by_villages(self.caller, village_ids):
            grouped[fibre.village_id].append(fibre)
        return [grouped.get(i, []) for i in village_ids]

    async def _signals(self, cluster_ids: list[str]) -> list[ClusterSignalView | None]:
        found = {s.cluster_id: s for s in await broadcast_api.cluster_signals(self.caller, cluster_ids)}
        return [found.get(i) for i in cluster_ids]

    async def _signals_of(self, groups: list[tuple[str, ...]]) -> list[list[ClusterSignalView | None]]:
        found: dict[str, ClusterSignalView] = {}
        for chunk in _chunks(groups):
            found.update((s.cluster_id, s) for s in await broadcast_api.cluster_signals(self.caller, chunk))
        return [[found.get(i) for i in group] for group in groups]

    async def _units_of(self, groups: list[tuple[str, ...]]) -> list[list[UnitView | None]]:
        found: dict[str, UnitView] = {}
        for chunk in _chunks(groups):
            found.update((u.unit_id, u) for u in await registry_api.units_by_ids(self.caller, chunk, None))
        return [[found.get(i) for i in group] for group in groups]

    async def _indicator_values(self, keys: list[ValuesKey]) -> list[list[IndicatorValueView]]:
        all_codes: list[str] = []
        if any(codes is None for _, _, codes in keys):
            # "every indicator": the catalogue's codes, asked once per request.
            all_codes = [i.code for i in await self.catalogue()]
        return await metrics_api.values_for(self.caller, keys, all_codes)

    async def catalogue(self) -> list[IndicatorDefinition]:
        if self._catalogue is None:
            self._catalogue = await metrics_api.indicators(self.caller)
        return self._catalogue

    async def _indicators(self, codes: list[str]) -> list[IndicatorDefinition | None]:
        found = {i.code: i for i in await metrics_api.indicators(self.caller, codes)}
        return [found.get(c) for c in codes]

    async def _airtime(self, keys: list[tuple[str, str]]) -> list[list[SourceAirtime]]:
        by_period: dict[str, list[str]] = defaultdict(list)
        for station_id, period in keys:
            by_period[period].append(station_id)
        found: dict[tuple[str, str], list[SourceAirtime]] = {}
        for period, station_ids in by_period.items():
            for row in await broadcast_api.airtime(self.caller, list(dict.fromkeys(station_ids)), period):
                found[(row.station_id, period)] = row.sources
        return [found.get(key, []) for key in keys]

    async def _deliveries(self, programme_ids: list[str]) -> list[list[DeliveryView]]:
        found = await broadcast_api.deliveries(self.caller, programme_ids)
        return [found.get(i, []) for i in programme_ids]

    async def _alerts(self, alert_ids: list[str]) -> list[AlertView | None]:
        found = {a.alert_id: a for a in await broadcast_api.alerts_by_ids(self.caller, alert_ids)}
        return [found.get(i) for i in alert_ids]

    async def _alert_stations(self, keys: list[AlertStationsKey]) -> list[AlertStationPage]:
        asks = [AlertStationsAsk(alert_id=alert_id, after=after, limit=first) for alert_id, after, first in keys]
        return await broadcast_api.alert_station_pages(self.caller, asks)

    async def _programmes(self, programme_ids: list[str]) -> list[ProgrammeView | None]:
        found = {p.programme_id: p for p in await broadcast_api.programmes_by_ids(self.caller, programme_ids)}
        return [found.get(i) for i in programme_ids]
