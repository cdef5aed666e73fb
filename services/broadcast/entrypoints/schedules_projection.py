"""Read model of broadcast schedules (schema ``broadcast_schedules``, ADR 0053).

- ``slots``: every slot as added (weekly, or for one day: ``on_day``), in minutes of the local
  day, with ``valid_until`` once it is removed;
- ``cancellations``: the days a slot does not run (exceptions);
- ``interruptions``: which slot each emergency bulletin pre-empted, when, and by what.
What was planned on a day (and so planned against aired, and relays outside the schedule) is
read from these at query time (``adapters.schedules_read``): a later exception changes the
answer for its day without replaying anything.
"""

from __future__ import annotations

from contracts import broadcast_events as b
from libs.common.projections.declared import ReadFields, read_model
from services.broadcast.adapters import schedules_writer

READS: ReadFields = {
    b.ScheduleSlotAdded: (
        "ends", "kind", "on", "slot_id", "source", "starts", "station_id", "title", "unit_code", "valid_from",
        "weekday",
    ),
    b.ScheduleSlotRemoved: ("slot_id", "valid_from"),
    b.ScheduleSlotDayCancelled: ("on", "reason", "slot_id"),
    b.ScheduleInterrupted: (
        "bulletin_id", "bulletin_kind", "interrupted_at", "on", "slot_id", "station_id", "unit_code",
    ),
}  # fmt: skip
"""The events it applies and the fields of each it reads (checked against ``contracts``)."""

SchedulesProjection = read_model(
    "broadcast_schedules", READS, tables=schedules_writer.tables_sql, apply=schedules_writer.apply
)
