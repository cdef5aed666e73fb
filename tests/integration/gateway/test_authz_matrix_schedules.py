"""The broadcast schedules table of the authorization matrix (``authz-matrix-schedules`` in
docs/services/gateway-security.md), cell by cell, through /graphql (``authz_support``).

Every cell edits the schedule of VNPT's station in Bành Trạch: each column adds its slots at an
hour of its own (so no allowed cell overlaps another's), and removes or cancels a weekly slot the
admin added for it beforehand."""

from __future__ import annotations

import datetime

from tests.integration.gateway.api_platform import Platform
from tests.integration.gateway.authz_support import (
    CALLERS,
    Cell,
    Targets,
    build_targets,
    check_table,
    matrix_platform,
)

__all__ = ["matrix_platform"]

ROW = "schedule slot"
MUTATION = "mutation($input: {0}Input!) {{ {1}(input: $input) {{ period plannedMinutes }} }}"
ADD = MUTATION.format("AddScheduleSlot", "addScheduleSlot")
MONDAY = "2026-11-30"
"""A Monday: the weekly slots are valid from it, the one-day slots and cancellations fall on it."""
MONTH = "2026-11"


def _hour(i: int, part: int) -> tuple[str, str]:
    """Column ``i``'s own quarter of an hour: ``part`` 0 a weekly slot, 1 a one-day slot, 2 the
    admin's slot the column removes, 3 the one it cancels."""
    start = (i + 1) * 60 + part * 15
    return f"{start // 60:02d}:{start % 60:02d}", f"{(start + 15) // 60:02d}:{(start + 15) % 60:02d}"


def _slot(t: Targets, i: int, part: int) -> dict[str, object]:
    starts, ends = _hour(i, part)
    return {"stationId": t.station, "weekday": 1, "starts": starts, "ends": ends, "kind": "RELAY", "source": "VOV1",
            "validFrom": MONDAY}  # fmt: skip


CELLS: dict[str, Cell] = {
    "addScheduleSlot (VNPT's station in Bành Trạch)": lambda i, t: (ADD, {"input": _slot(t, i, 0)}),
    "addScheduleDaySlot (VNPT's station in Bành Trạch)": lambda i, t: (
        MUTATION.format("AddScheduleDaySlot", "addScheduleDaySlot"),
        {
            "input": {
                "stationId": t.station,
                "on": MONDAY,
                "starts": _hour(i, 1)[0],
                "ends": _hour(i, 1)[1],
                "kind": "LOCAL",
                "reason": "Họp dân",
            }
        },
    ),
    "removeScheduleSlot (one at VNPT's station in Bành Trạch)": lambda i, t: (
        MUTATION.format("RemoveScheduleSlot", "removeScheduleSlot"),
        {"input": {"stationId": t.station, "slotId": t.per_caller[f"{ROW} 2"][i], "validFrom": MONDAY}},
    ),
    "cancelScheduleSlotOn (one at VNPT's station in Bành Trạch)": lambda i, t: (
        MUTATION.format("CancelScheduleSlotOn", "cancelScheduleSlotOn"),
        {"input": {"stationId": t.station, "slotId": t.per_caller[f"{ROW} 3"][i], "on": MONDAY, "reason": "Bão"}},
    ),
    "stationSchedule (VNPT's station in Bành Trạch, with the station)": lambda i, t: (
        'query($id: ID!) { stationSchedule(stationId: $id, period: "' + MONTH + '") '
        "{ plannedMinutes slots { slotId kind source } interruptions { bulletinKind } station { id } } }",
        {"id": t.station},
    ),
    "scheduleAdherence (Ba Bể's as of 2023, per child)": lambda i, t: (
        f'{{ scheduleAdherence(unitCode: "061", period: "{datetime.date.today().year}", asOf: "2023-01-01") '
        "{ plannedMinutes airedMinutes children { unitCode sessionsOutsideSchedule } } }",
        {},
    ),
}


async def build_area_targets(platform: Platform, targets: Targets) -> None:
    """Per column, two weekly slots the admin adds: one the column removes, one it cancels."""
    for part in (2, 3):
        slots = {}
        for i in range(len(CALLERS)):
            answer = await platform.data(ADD.replace("period plannedMinutes", "slots { slotId starts }"),
                                         {"input": _slot(targets, i, part)})  # fmt: skip
            starts = _hour(i, part)[0]
            slots[i] = next(s["slotId"] for s in answer["addScheduleSlot"]["slots"] if s["starts"] == starts)
        targets.per_caller[f"{ROW} {part}"] = slots


# --- what a mutation's result shows a writer without ``read`` (test_authz_matrix.py) ---------

NESTED: dict[str, dict[str, str]] = {"StationSchedule": {"station": "station { id }"}}
"""Every field of a result type that reaches past the written row: each needs ``read``."""

DIRECT = {"StationSchedule": "period plannedMinutes slots { slotId } interruptions { slotId }"}

OWN = {("StationSchedule", "slots"), ("StationSchedule", "interruptions")}
"""A schedule's slots and interruptions are the schedule's own, shown to its writer."""


async def test_every_schedule_operation_is_allowed_or_refused_as_the_matrix_specifies(
    matrix_platform: Platform,
) -> None:
    targets = await build_targets(matrix_platform)
    await build_area_targets(matrix_platform, targets)
    await check_table(matrix_platform, "authz-matrix-schedules", CELLS, targets)
