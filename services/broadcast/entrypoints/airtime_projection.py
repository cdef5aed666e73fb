"""Read model of relay sessions and airtime (schema ``broadcast_airtime``).

- ``sessions``: every session as recorded, with ``cancelled`` once it is withdrawn;
- ``airtime_daily``: seconds on air per (station, source, local day). A session is split at
  the province's midnight, so any period (whole days) is an exact sum of days, and a session
  from 23:00 to 01:00 counts one hour on each day (and on each side of a month, quarter or
  year boundary).
"""

from __future__ import annotations

from contracts import broadcast_events as b
from libs.common.projections.declared import ReadFields, read_model
from services.broadcast.adapters import airtime_writer

READS: ReadFields = {
    b.RelaySessionRecorded: (
        "ended_at",
        "note",
        "programme_id",
        "session_id",
        "source",
        "started_at",
        "station_id",
        "unit_code",
    ),
    b.RelaySessionCancelled: ("session_id",),
}
"""The events it applies and the fields of each it reads (checked against ``contracts``)."""

AirtimeProjection = read_model("broadcast_airtime", READS, tables=airtime_writer.tables_sql, apply=airtime_writer.apply)
