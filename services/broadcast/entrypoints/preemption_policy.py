"""The pre-emption policy (ADR 0053): emergency bulletins interrupt the stations' schedules.

A policy, not a read model: it consumes the broadcast topic like a projection (its checkpoint in
schema ``broadcast_preemption``) and, for each emergency bulletin that reached a station, records
the interruption on the station's schedule stream (``application.preemption``) in the same
transaction as its checkpoint, the tracking record of a process application. Its one table keeps,
per bulletin and station, what it did (interrupted a slot, found it recorded before, met no slot
on air): what an operator looks at to see what the policy made of an event. The bulletins:

- an emergency alert dispatched to the station (``emergency_alert_dispatched``), at the instant
  the alert went out;
- a programme of emergency priority the station aired (``programme_delivery_aired`` with
  ``priority`` ``emergency``), at ``aired_at``. A delivery event stored without ``priority`` is a
  normal one.
"""

from __future__ import annotations

from collections.abc import Sequence

from contracts import broadcast_events as b
from contracts.envelope import Metadata
from libs.common.db import Conn
from libs.common.projections.declared import ReadFields, read_model
from libs.common.projections.projection import Applied
from services.broadcast.adapters import preemption_log
from services.broadcast.application.preemption import preempt
from services.broadcast.domain.schedules import Interrupt

POLICY_ACTOR = "system:preemption"

READS: ReadFields = {
    b.EmergencyAlertDispatched: ("alert_id", "station_id"),
    b.ProgrammeDeliveryAired: ("aired_at", "priority", "programme_id", "station_id"),
}
"""The events it applies and the fields of each it reads (checked against ``contracts``)."""


def bulletin(item: Applied) -> tuple[str, Interrupt] | None:
    """The station and the interruption an event asks for, if it is an emergency bulletin."""
    event = item.event
    if isinstance(event, b.EmergencyAlertDispatched):
        at = item.envelope.occurred_at
        return event.station_id, Interrupt(at=at, bulletin_kind="alert", bulletin_id=event.alert_id)
    if isinstance(event, b.ProgrammeDeliveryAired) and event.priority == "emergency":
        return event.station_id, Interrupt(at=event.aired_at, bulletin_kind="delivery", bulletin_id=event.programme_id)
    return None


async def apply(conn: Conn, schema: str, batch: Sequence[Applied]) -> None:
    for item in batch:
        found = bulletin(item)
        if found is None:
            continue
        station_id, command = found
        envelope = item.envelope
        metadata = Metadata(
            actor=POLICY_ACTOR, correlation_id=envelope.correlation_id or envelope.event_id,
            causation_id=envelope.event_id, traceparent=envelope.traceparent,
        )  # fmt: skip
        outcome = await preempt(conn, station_id, command, metadata)
        await preemption_log.record(conn, schema, envelope.event_id, station_id, command, outcome=outcome)


PreemptionPolicy = read_model("broadcast_preemption", READS, tables=preemption_log.tables_sql, apply=apply)
