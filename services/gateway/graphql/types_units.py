# mypy: disallow-untyped-decorators=False
"""Units and the assets registered against them, resolved through DataLoaders."""

from __future__ import annotations

import datetime
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Annotated, Any, Generic, NoReturn, TypeVar

import strawberry
from strawberry.types import Info
from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField, Selection

from contracts.api.broadcast_views import ClusterSignalView
from contracts.api.registry_views import (
    BtsStationView,
    DigitalTeamView,
    RadioStationView,
    SpeakerClusterView,
    UnitPage,
    UnitView,
)
from contracts.registry_events import TEAM_ACTIVITY_WINDOW_DAYS
from services.gateway.adapters import registry_api
from services.gateway.adapters.broadcast_api import signal_status
from services.gateway.graphql.context import context_of
from services.gateway.graphql.contract_types import FromContract, contract_type
from services.gateway.graphql.ids import global_id
from services.gateway.graphql.pages import checked_first, unit_cursor
from services.gateway.graphql.registry_values import (
    TeamActivityStatus,
    TeamLevel,
    team_activity_status,
)
from services.gateway.graphql.scalars import (
    OperationalStatus,
    Period,
    RadioTech,
    SignalStatus,
    StationTechnology,
    UnitLevel,
    enum_value,
)

if TYPE_CHECKING:
    from services.gateway.graphql.types_broadcast import Airtime
    from services.gateway.graphql.types_metrics import IndicatorValue

Ctx = Info[Any, Any]
T = TypeVar("T")
R = TypeVar("R")


class Loaded(Generic[T]):
    """What a loader answered for one key, loaded ahead for a field: the value, or the error
    the field fails with. A failure is raised from an awaitable, as the field's own load would
    have, so a failed query reports the same errors at the same paths as before."""

    __slots__ = ("result",)

    def __init__(self, result: T | BaseException) -> None:
        self.result = result

    def then(self, fn: Callable[[T], R]) -> R | Awaitable[R]:
        if isinstance(self.result, BaseException):
            return _fail(self.result)
        return fn(self.result)


async def _fail(error: BaseException) -> NoReturn:
    raise error


async def load_group(group: Awaitable[list[T]], size: int) -> list[Loaded[T]]:
    """A batched load of several keys at once, as one ``Loaded`` per key: a failed load fails
    each of them with its error."""
    try:
        results: list[T] = await group
    except Exception as error:  # each field raises it again, as its own load would
        return [Loaded(error) for _ in range(size)]
    return [Loaded(r) for r in results]


def selected_names(info: Ctx) -> set[str]:
    """The names of the fields the query selects under the current field (through fragments,
    leaving out what @skip/@include leave out)."""
    names: set[str] = set()

    def included(selection: Selection) -> bool:
        skip = selection.directives.get("skip")
        include = selection.directives.get("include")
        return not (skip is not None and skip.get("if")) and not (include is not None and not include.get("if"))

    def walk(selections: list[Selection]) -> None:
        for selection in selections:
            if not included(selection):
                continue
            if isinstance(selection, SelectedField):
                names.add(selection.name)
            elif isinstance(selection, (InlineFragment, FragmentSpread)):
                walk(selection.selections)

    for field in info.selected_fields:
        if isinstance(field, SelectedField):
            walk(field.selections)
    return names


@strawberry.interface(description="An object with a global id (``<Type>:<id>``), fetchable with node(id).")
class Node:
    id: strawberry.ID


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@contract_type(
    UnitView,
    fields=("code", "name", "level", "valid_from", "valid_to"),
    descriptions={"code": "Official statistics-office code.", "valid_to": "Null while the unit exists."},
    description="An administrative unit (province, district, commune, village) as of a day.",
)
class AdministrativeUnit(Node, FromContract[UnitView]):
    id: strawberry.ID
    level: UnitLevel
    as_of: strawberry.Private[datetime.date | None]

    @classmethod
    def of(cls, view: UnitView, as_of: datetime.date | None = None, /, **extra: Any) -> AdministrativeUnit:
        return cls.from_view(view, id=global_id("AdministrativeUnit", view.unit_id), as_of=as_of, **extra)

    @strawberry.field
    async def parent(self, info: Ctx) -> AdministrativeUnit | None:
        if self.view.parent_id is None:
            return None
        return await unit_by_id(info, self.view.parent_id, self.as_of)

    @strawberry.field(description="Units directly under this one, in code order.")
    async def children(
        self, info: Ctx, first: int | None = 50, after: str | None = None
    ) -> AdministrativeUnitConnection:
        size = checked_first(first)
        if after is None:
            # The usual case, a query level asking the first page of many units' children: one
            # batched call for all of them.
            page = await context_of(info).loaders.children.load((self.view.unit_id, self.as_of, size))
        else:
            # A cursor belongs to one parent's list: paging on is a call of its own.
            page = await registry_api.list_units(
                context_of(info).caller(),
                level=None,
                parent_code=self.view.code,
                search=None,
                as_of=self.as_of,
                first=size,
                after=after,
            )
        return AdministrativeUnitConnection.of(page, self.as_of)

    @strawberry.field(description="The units that took over after a merge or split.")
    async def successors(self, info: Ctx) -> list[AdministrativeUnit]:
        loaded = await context_of(info).loaders.unit_by_id.load_many([(i, None) for i in self.view.successor_ids])
        return [AdministrativeUnit.of(u) for u in loaded if u is not None]

    @strawberry.field
    async def radio_station(self, info: Ctx) -> RadioStation | None:
        view = await context_of(info).loaders.station_by_unit.load(self.view.unit_id)
        return RadioStation.of(view) if view else None

    @strawberry.field
    async def digital_team(self, info: Ctx) -> DigitalTeam | None:
        view = await context_of(info).loaders.team_by_unit.load(self.view.unit_id)
        return DigitalTeam.of(view) if view else None

    @strawberry.field(description="Indicator values of this unit for a period (all indicators without codes).")
    async def indicators(
        self, info: Ctx, period: Period, codes: list[str] | None = None
    ) -> list[Annotated[IndicatorValue, strawberry.lazy("services.gateway.graphql.types_metrics")]]:
        from services.gateway.graphql.types_metrics import IndicatorValue  # noqa: PLC0415 - cycle

        key = (self.view.code, str(period), tuple(sorted(set(codes))) if codes is not None else None)
        values = await context_of(info).loaders.indicator_values.load(key)
        return [IndicatorValue.of(v) for v in values]


@strawberry.type
class AdministrativeUnitEdge:
    node: AdministrativeUnit
    cursor: str


@strawberry.type
class AdministrativeUnitConnection:
    edges: list[AdministrativeUnitEdge]
    page_info: PageInfo
    total_count: int

    @classmethod
    def of(cls, page: UnitPage, as_of: datetime.date | None) -> AdministrativeUnitConnection:
        return cls(
            edges=[
                AdministrativeUnitEdge(node=AdministrativeUnit.of(u, as_of), cursor=unit_cursor(u.code, u.unit_id))
                for u in page.items
            ],
            page_info=PageInfo(has_next_page=page.has_next_page, end_cursor=page.end_cursor),
            total_count=page.total_count,
        )


@contract_type(
    DigitalTeamView,
    fields=(
        "level",
        "member_count",
        "established_on",
        "active",
        "disbanded_on",
        "last_activity_on",
        "activity_reports",
    ),
    descriptions={
        "active": "False once disbanded.",
        "last_activity_on": "The day of the latest activity report.",
        "activity_reports": "Activity reports received.",
    },
    description="A community digital technology team (tổ công nghệ số cộng đồng).",
)
class DigitalTeam(Node, FromContract[DigitalTeamView]):
    id: strawberry.ID
    level: TeamLevel
    established_on: datetime.date | None

    @classmethod
    def of(cls, view: DigitalTeamView, /, **extra: Any) -> DigitalTeam:
        return cls.from_view(view, id=global_id("DigitalTeam", view.team_id), **extra)

    @strawberry.field(
        description=(
            "From its activity reports, on asOf (today without it): ACTIVE with a report in the "
            f"{TEAM_ACTIVITY_WINDOW_DAYS} days before, DORMANT with an older one, NEVER_REPORTED, or DISBANDED."
        )
    )
    def activity_status(self, as_of: datetime.date | None = None) -> TeamActivityStatus:
        return team_activity_status(self.view, as_of or datetime.date.today())

    @strawberry.field
    async def unit(self, info: Ctx) -> AdministrativeUnit:
        return await required_unit(info, self.view.unit_id)


@contract_type(
    RadioStationView,
    fields=("technology", "status", "installed_on", "operator_code", "upgraded_on", "status_since"),
    descriptions={
        "upgraded_on": "The day of its last technology upgrade.",
        "status_since": "The day its status last changed.",
    },
    description="A commune's grassroots radio station (đài truyền thanh cơ sở).",
)
class RadioStation(Node, FromContract[RadioStationView]):
    id: strawberry.ID
    technology: StationTechnology
    status: OperationalStatus

    @classmethod
    def of(cls, view: RadioStationView, /, **extra: Any) -> RadioStation:
        return cls.from_view(view, id=global_id("RadioStation", view.station_id), **extra)

    @strawberry.field
    async def unit(self, info: Ctx) -> AdministrativeUnit:
        return await required_unit(info, self.view.unit_id)

    @strawberry.field(description="The station's loudspeaker clusters (cụm loa).")
    async def clusters(self, info: Ctx) -> list[SpeakerCluster]:
        loaders = context_of(info).loaders
        views = await loaders.clusters_by_station.load(self.view.station_id)
        clusters = [SpeakerCluster.of(v) for v in views]
        # What the clusters' own fields will ask for is loaded here, for all of them, as one key
        # of a batched loader per station (the same batched call for every station of the
        # level): their fields then resolve at once instead of as an awaited task each, and
        # the level costs one future per station, not one per cluster.
        wanted = selected_names(info)
        with_village = [c for c in clusters if c.view.village_id is not None]
        signals = (
            loaders.signals_of.load(tuple(c.view.cluster_id for c in clusters))
            if clusters and ("signal" in wanted or "lastSeenAt" in wanted)
            else None
        )
        villages = (
            loaders.units_of.load(tuple(c.view.village_id for c in with_village if c.view.village_id))
            if with_village and "village" in wanted
            else None
        )
        if signals is not None:
            for cluster, health in zip(clusters, await load_group(signals, len(clusters)), strict=True):
                cluster.health = health
        if villages is not None:
            for cluster, village in zip(with_village, await load_group(villages, len(with_village)), strict=True):
                cluster.village_view = village
        return clusters

    @strawberry.field(description="Seconds on air per source in a period.")
    async def airtime(
        self, info: Ctx, period: Period
    ) -> list[Annotated[Airtime, strawberry.lazy("services.gateway.graphql.types_broadcast")]]:
        from services.gateway.graphql.types_broadcast import Airtime  # noqa: PLC0415 - cycle

        rows = await context_of(info).loaders.airtime.load((self.view.station_id, str(period)))
        return [Airtime.of(r) for r in rows]


@contract_type(
    SpeakerClusterView,
    fields=("location", "installed_on", "status", "decommissioned_on"),
    descriptions={"location": "Where the loudspeakers stand, when surveyed.", "status": "active or decommissioned."},
    description="A loudspeaker cluster of a station, in a village.",
)
class SpeakerCluster(Node, FromContract[SpeakerClusterView]):
    id: strawberry.ID
    health: strawberry.Private[Loaded[ClusterSignalView | None] | None] = None
    """Loaded ahead by ``RadioStation.clusters``; None: ``signal``/``lastSeenAt`` load it."""
    village_view: strawberry.Private[Loaded[UnitView | None] | None] = None
    """Likewise for ``village``."""

    @classmethod
    def of(cls, view: SpeakerClusterView, /, **extra: Any) -> SpeakerCluster:
        return cls.from_view(view, id=global_id("SpeakerCluster", view.cluster_id), **extra)

    @strawberry.field
    async def station(self, info: Ctx) -> RadioStation:
        view = await context_of(info).loaders.station_by_id.load(self.view.station_id)
        if view is None:
            raise LookupError(
                f"station {self.view.station_id} of cluster {self.view.cluster_id} is not in the registry"
            )
        return RadioStation.of(view)

    # These three are plain functions, not coroutines: what was loaded ahead is answered at
    # once, and only a cluster reached otherwise (node, a mutation) returns an awaitable.

    @strawberry.field(graphql_type=AdministrativeUnit | None)
    def village(self, info: Ctx) -> AdministrativeUnit | Awaitable[AdministrativeUnit | None] | None:
        if self.view.village_id is None:
            return None
        if self.village_view is not None:
            return self.village_view.then(_village)
        return unit_by_id(info, self.view.village_id, None)

    @strawberry.field(description="Signal health as the broadcast service last saw it.", graphql_type=SignalStatus)
    def signal(self, info: Ctx) -> SignalStatus | Awaitable[SignalStatus]:
        if self.health is not None:
            return self.health.then(_signal_status)
        return self._load_signal(info)

    async def _load_signal(self, info: Ctx) -> SignalStatus:
        return _signal_status(await context_of(info).loaders.signal_by_cluster.load(self.view.cluster_id))

    @strawberry.field(graphql_type=datetime.datetime | None)
    def last_seen_at(self, info: Ctx) -> datetime.datetime | Awaitable[datetime.datetime | None] | None:
        if self.health is not None:
            return self.health.then(_last_seen_at)
        return self._load_last_seen_at(info)

    async def _load_last_seen_at(self, info: Ctx) -> datetime.datetime | None:
        return _last_seen_at(await context_of(info).loaders.signal_by_cluster.load(self.view.cluster_id))


def _village(view: UnitView | None) -> AdministrativeUnit | None:
    return AdministrativeUnit.of(view, None) if view else None


def _last_seen_at(health: ClusterSignalView | None) -> datetime.datetime | None:
    return health.last_observed_at if health else None


def _signal_status(health: ClusterSignalView | None) -> SignalStatus:
    return enum_value(SignalStatus, signal_status(health), SignalStatus.UNKNOWN) if health else SignalStatus.UNKNOWN


@contract_type(
    BtsStationView,
    fields=("technologies", "commissioned_on", "location", "decommissioned_on", "status"),
    renamed={"operator": "operator_code"},
    convert={"operator": lambda code: code or ""},
    descriptions={"status": "active or decommissioned."},
    description="A base transceiver station of a telecom operator.",
)
class BtsStation(Node, FromContract[BtsStationView]):
    id: strawberry.ID
    operator: str
    technologies: list[RadioTech]

    @classmethod
    def of(cls, view: BtsStationView, /, **extra: Any) -> BtsStation:
        return cls.from_view(view, id=global_id("BtsStation", view.bts_id), **extra)

    @strawberry.field
    async def unit(self, info: Ctx) -> AdministrativeUnit:
        return await required_unit(info, self.view.unit_id)


async def unit_by_id(info: Ctx, unit_id: str, as_of: datetime.date | None) -> AdministrativeUnit | None:
    view = await context_of(info).loaders.unit_by_id.load((unit_id, as_of))
    return AdministrativeUnit.of(view, as_of) if view else None


async def required_unit(info: Ctx, unit_id: str) -> AdministrativeUnit:
    unit = await unit_by_id(info, unit_id, None)
    if unit is None:
        raise LookupError(f"unit {unit_id} is not in the registry's read model")
    return unit
