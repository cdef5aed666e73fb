"""The broadcast schedules' reads, one row each (ADR 0053, ADR 0044): a station's schedule over a
period (slots, exceptions, interruptions by emergency bulletins, airtime against it) and a unit's
airtime against the schedule, rolled up over the units under it with the split by direct child.
The editing commands are ``rest/schedules_routes.py`` and ``graphql/mutations_schedules.py``."""

from __future__ import annotations

from typing import Annotated

import strawberry
from litestar.params import QueryParameter

from contracts.api.broadcast_schedules import StationSchedule, UnitScheduleAdherence
from services.gateway.adapters import schedules_api
from services.gateway.graphql import types_schedules as t
from services.gateway.graphql.arguments_tree import TreeAsOf
from services.gateway.graphql.ids import raw_id
from services.gateway.reads.metrics import PERIOD, UNIT_CODE
from services.gateway.reads.table import Answer, Arg, Field, Read, ReadTable, Route
from services.gateway.rest.unit_tree import AS_OF

STATION_ID = Arg(
    "station_id",
    graphql=strawberry.ID,
    rest=Annotated[str, QueryParameter(description="The radio station's id.")],
    from_graphql=lambda value: raw_id(value, "RadioStation", "stationId"),
)
TREE_AS_OF = Arg("as_of", graphql=TreeAsOf, rest=AS_OF, default=None)
"""The day whose unit tree ``unit_code`` is read in (ADR 0045)."""

SCHEDULE_READS = ReadTable(
    "ScheduleQuery",
    "broadcast schedules",
    (
        Read(
            "stationSchedule",
            schedules_api.station_schedule,
            (STATION_ID, PERIOD),
            Field(
                "station_schedule",
                Answer(t.StationSchedule, lambda found, _: t.StationSchedule.of(found)),
                "A station's broadcast schedule over a period: slots, exceptions, interruptions, planned vs aired.",
            ),
            Route(
                "/broadcast-schedules",
                Answer(StationSchedule, lambda found, _: found),
                "A station's broadcast schedule over a period",
            ),
        ),
        Read(
            "scheduleAdherence",
            schedules_api.unit_adherence,
            (UNIT_CODE, PERIOD, TREE_AS_OF),
            Field(
                "schedule_adherence",
                Answer(t.ScheduleAdherence, lambda found, _: t.ScheduleAdherence.of(found)),
                "Planned against aired minutes, relays outside the schedule and interruptions, per unit.",
            ),
            Route(
                "/broadcast-schedules/adherence",
                Answer(UnitScheduleAdherence, lambda found, _: found),
                "Airtime against the schedule at a unit's stations, by direct child",
            ),
        ),
    ),
)
