"""What broadcast's query routes answer: units by code checked, periods parsed, limits bounded,
each read on a connection of its own from the read models (``adapters.*_read``).

Built once by the composition root (``app.py``), on the service's pool; answers are the shapes
of ``contracts.api.broadcast_views``.
"""

from __future__ import annotations

import datetime

import asyncpg

from contracts.api.broadcast import (
    AlertKeys,
    AlertStationsQuery,
    ClusterKeys,
    OutreachKeys,
    ProgrammeKeys,
    SessionKeys,
    StationAirtimeQuery,
    StationKeys,
    UnitAirtimeQuery,
)
from contracts.api.broadcast_views import (
    AlertPage,
    AlertStationPage,
    AlertView,
    ClusterSignalView,
    Deliveries,
    DeliveryPage,
    DeliveryView,
    IncidentView,
    OutreachDayPage,
    OutreachPage,
    OutreachRecordView,
    OutreachReport,
    ProgrammePage,
    ProgrammeSummary,
    ProgrammeView,
    SessionPage,
    SessionView,
    StationAirtime,
    UnacknowledgedReport,
    UnitAirtime,
    UnitHealth,
)
from libs.common.errors import InvalidInputError, NotFoundError
from services.broadcast.adapters import (
    airtime_read,
    alert_stations_read,
    alerts_list_read,
    alerts_read,
    listings_read,
    outreach_read,
    programmes_read,
    signal_read,
)
from services.broadcast.adapters.registry_view import UnitRow
from services.broadcast.application.units import unit_on
from services.broadcast.domain.period import Period, local_midnight, utc_now

MAX_ALERT_MINUTES = 60 * 24 * 30


def _limit(limit: int, maximum: int = 500) -> int:
    if not 1 <= limit <= maximum:
        raise InvalidInputError(f"limit must be between 1 and {maximum}", code="invalid_limit")
    return limit


class BroadcastQueries:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def _unit(self, code: str, as_of: datetime.date | None = None) -> UnitRow:
        return await unit_on(self.pool, code, as_of)

    # --- programmes and deliveries ---

    async def programmes(  # noqa: PLR0917 - the route's query parameters
        self,
        unit_code: str | None,
        from_date: datetime.date | None,
        to_date: datetime.date | None,
        cursor: str | None,
        limit: int,
        as_of: datetime.date | None = None,
    ) -> ProgrammePage:
        """Programmes of a producer unit and the units under it, in the tree of ``as_of``."""
        unit = await self._unit(unit_code, as_of) if unit_code else None
        async with self.pool.acquire() as conn:
            return await programmes_read.list_programmes(
                conn, unit, first_day=from_date, last_day=to_date, cursor=cursor, limit=_limit(limit), as_of=as_of
            )

    async def programme_summary(
        self, unit_code: str, period: str, as_of: datetime.date | None = None
    ) -> ProgrammeSummary:
        parsed = Period.parse(period)
        unit = await self._unit(unit_code, as_of)
        async with self.pool.acquire() as conn:
            return await programmes_read.programme_summary(conn, unit, parsed, as_of)

    async def programmes_by_ids(self, keys: ProgrammeKeys) -> list[ProgrammeView]:
        async with self.pool.acquire() as conn:
            return await programmes_read.programmes_by_ids(conn, keys.programme_ids)

    async def deliveries_of(self, keys: ProgrammeKeys) -> list[Deliveries]:
        async with self.pool.acquire() as conn:
            found = await programmes_read.deliveries_of(conn, keys.programme_ids, utc_now())
        return _keyed(found)

    async def deliveries_at(self, keys: StationKeys) -> list[Deliveries]:
        async with self.pool.acquire() as conn:
            found = await programmes_read.deliveries_at(conn, keys.station_ids, utc_now(), keys.problems_only)
        return _keyed(found)

    # --- airtime ---

    async def stations_airtime(self, query: StationAirtimeQuery) -> list[StationAirtime]:
        period = Period.parse(query.period)
        async with self.pool.acquire() as conn:
            return await airtime_read.stations_airtime(conn, query.station_ids, period)

    async def units_airtime(self, query: UnitAirtimeQuery) -> list[UnitAirtime]:
        return [await self.unit_airtime(code, query.period) for code in dict.fromkeys(query.unit_codes)]

    async def unit_airtime(self, unit_code: str, period: str, as_of: datetime.date | None = None) -> UnitAirtime:
        parsed = Period.parse(period)
        unit = await self._unit(unit_code, as_of)
        async with self.pool.acquire() as conn:
            return await airtime_read.unit_airtime(conn, unit, parsed, as_of)

    async def station_sessions(self, station_id: str, period: str, limit: int) -> list[SessionView]:
        parsed = Period.parse(period)
        async with self.pool.acquire() as conn:
            return await airtime_read.station_sessions(conn, station_id, parsed, _limit(limit, 5000))

    # --- signal health ---

    async def cluster_signal(self, keys: ClusterKeys) -> list[ClusterSignalView]:
        async with self.pool.acquire() as conn:
            return await signal_read.cluster_states(conn, keys.cluster_ids)

    async def signal_health(self, unit_code: str, period: str, as_of: datetime.date | None = None) -> UnitHealth:
        parsed = Period.parse(period)
        unit = await self._unit(unit_code, as_of)
        async with self.pool.acquire() as conn:
            return await signal_read.unit_health(conn, unit, parsed, utc_now(), as_of)

    async def signal_incidents(
        self, unit_code: str, period: str | None, open_only: bool, limit: int
    ) -> list[IncidentView]:
        parsed = Period.parse(period) if period else None
        unit = await self._unit(unit_code)
        async with self.pool.acquire() as conn:
            return await signal_read.incidents(conn, unit, parsed, open_only, _limit(limit, 5000))

    # --- alerts and outreach ---

    async def alert(self, alert_id: str) -> AlertView:
        async with self.pool.acquire() as conn:
            found = await alerts_read.alert(conn, alert_id, utc_now())
        if found is None:
            raise NotFoundError("no such alert", code="unknown_alert")
        return found

    async def unacknowledged(self, alert_id: str, after_minutes: float) -> UnacknowledgedReport:
        if not 0 <= after_minutes <= MAX_ALERT_MINUTES:
            raise InvalidInputError(
                f"after_minutes must be between 0 and {MAX_ALERT_MINUTES:,}", code="invalid_minutes"
            )
        async with self.pool.acquire() as conn:
            found = await alerts_read.unacknowledged(conn, alert_id, after_minutes, utc_now())
        if found is None:
            raise NotFoundError("no such alert", code="unknown_alert")
        return found

    async def alerts(  # noqa: PLR0917 - the route's query parameters
        self,
        unit_code: str | None,
        from_date: datetime.date | None,
        to_date: datetime.date | None,
        awaiting_only: bool,
        cursor: str | None,
        limit: int,
        as_of: datetime.date | None = None,
    ) -> AlertPage:
        """Alerts issued in the province's days ``from_date`` to ``to_date`` (inclusive)."""
        unit = await self._unit(unit_code, as_of) if unit_code else None
        issued_from = local_midnight(from_date) if from_date else None
        issued_to = local_midnight(to_date + datetime.timedelta(days=1)) if to_date else None
        async with self.pool.acquire() as conn:
            return await alerts_list_read.list_alerts(
                conn, unit, issued_from, issued_to, awaiting_only, utc_now(), cursor, _limit(limit), as_of
            )

    async def alerts_by_ids(self, keys: AlertKeys) -> list[AlertView]:
        async with self.pool.acquire() as conn:
            return await alerts_list_read.alerts_by_ids(conn, keys.alert_ids, utc_now())

    async def alert_station_pages(self, query: AlertStationsQuery) -> list[AlertStationPage]:
        async with self.pool.acquire() as conn:
            return await alert_stations_read.alert_station_pages(conn, query.pages)

    # --- listings of a unit's rows, paged ---

    async def deliveries(  # noqa: PLR0917 - the route's query parameters
        self,
        unit_code: str | None,
        from_date: datetime.date | None,
        to_date: datetime.date | None,
        station_id: str | None,
        problems_only: bool,
        cursor: str | None,
        limit: int,
        as_of: datetime.date | None = None,
    ) -> DeliveryPage:
        """Deliveries due in the province's days ``from_date`` to ``to_date`` (inclusive)."""
        unit = await self._unit(unit_code, as_of) if unit_code else None
        start, end = _days(from_date, to_date)
        async with self.pool.acquire() as conn:
            return await listings_read.deliveries(
                conn, unit, start, end, station_id, problems_only, utc_now(), cursor, _limit(limit), as_of
            )

    async def relay_sessions(  # noqa: PLR0917 - the route's query parameters
        self,
        unit_code: str | None,
        from_date: datetime.date | None,
        to_date: datetime.date | None,
        station_id: str | None,
        cursor: str | None,
        limit: int,
        as_of: datetime.date | None = None,
    ) -> SessionPage:
        """Sessions overlapping the province's days ``from_date`` to ``to_date`` (inclusive)."""
        unit = await self._unit(unit_code, as_of) if unit_code else None
        start, end = _days(from_date, to_date)
        async with self.pool.acquire() as conn:
            return await listings_read.sessions(conn, unit, start, end, station_id, cursor, _limit(limit), as_of)

    async def relay_sessions_by_ids(self, keys: SessionKeys) -> list[SessionView]:
        async with self.pool.acquire() as conn:
            return await listings_read.sessions_by_ids(conn, keys.session_ids)

    async def outreach_records(  # noqa: PLR0917 - the route's query parameters
        self,
        unit_code: str | None,
        from_date: datetime.date | None,
        to_date: datetime.date | None,
        kind: str | None,
        cursor: str | None,
        limit: int,
        as_of: datetime.date | None = None,
    ) -> OutreachPage:
        unit = await self._unit(unit_code, as_of) if unit_code else None
        async with self.pool.acquire() as conn:
            return await listings_read.outreach_records(
                conn, unit, from_date, to_date, kind, cursor, _limit(limit), as_of
            )

    async def outreach_by_ids(self, keys: OutreachKeys) -> list[OutreachRecordView]:
        async with self.pool.acquire() as conn:
            return await listings_read.outreach_by_ids(conn, keys.outreach_ids)

    async def outreach(self, unit_code: str, period: str, as_of: datetime.date | None = None) -> OutreachReport:
        parsed = Period.parse(period)
        unit = await self._unit(unit_code, as_of)
        async with self.pool.acquire() as conn:
            return await outreach_read.outreach(conn, unit, parsed, as_of)

    async def outreach_days(
        self, unit_code: str, period: str, as_of: datetime.date | None, cursor: str | None, limit: int
    ) -> OutreachDayPage:
        """``outreach``'s days, paged."""
        parsed = Period.parse(period)
        unit = await self._unit(unit_code, as_of)
        async with self.pool.acquire() as conn:
            return await listings_read.outreach_days(
                conn, unit, parsed.first_day, parsed.last_day, cursor, _limit(limit), as_of
            )


def _days(
    first: datetime.date | None, last: datetime.date | None
) -> tuple[datetime.datetime | None, datetime.datetime | None]:
    """The instants a range of the province's days covers (``last`` inclusive)."""
    return (
        local_midnight(first) if first else None,
        local_midnight(last + datetime.timedelta(days=1)) if last else None,
    )


def _keyed(found: dict[str, list[DeliveryView]]) -> list[Deliveries]:
    return [Deliveries(key=k, deliveries=v) for k, v in found.items()]
