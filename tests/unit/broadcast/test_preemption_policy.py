"""What the pre-emption policy takes for an emergency bulletin: every alert dispatched to a
station, at the instant it went out, and a delivery aired only when its priority is
``emergency`` (a delivery stored without the field is a normal one)."""

from __future__ import annotations

import datetime
from typing import Any

import msgspec

from contracts.broadcast_events import CATALOGUE
from libs.common.projections.projection import Applied
from services.broadcast.domain.schedules import Interrupt
from services.broadcast.entrypoints.preemption_policy import bulletin
from tests.support.envelopes import forged_envelope

AIRED_AT = datetime.datetime(2026, 12, 7, 5, 30, tzinfo=datetime.UTC)


def applied(event_type: str, data: dict[str, Any]) -> Applied:
    envelope = forged_envelope(event_type, "s-1", "delivery", data, tx_id=1, position=1)
    event = CATALOGUE.decode(envelope.type, envelope.schema_version, envelope.data)
    return Applied(envelope=envelope, event=event)


def aired(**more: Any) -> Applied:
    data = {"programme_id": "pg-1", "station_id": "st-1", "unit_code": "00001", "aired_at": AIRED_AT.isoformat()}
    return applied("broadcast.programme_delivery_aired", {**data, **more})


def test_a_delivery_of_emergency_priority_interrupts_at_its_airing() -> None:
    assert bulletin(aired(priority="emergency")) == (
        "st-1",
        Interrupt(at=AIRED_AT, bulletin_kind="delivery", bulletin_id="pg-1"),
    )


def test_a_delivery_without_priority_or_of_another_priority_interrupts_nothing() -> None:
    assert bulletin(aired()) is None
    assert bulletin(aired(priority="priority")) is None
    assert bulletin(aired(priority="normal")) is None


def test_an_alert_dispatched_to_a_station_interrupts_when_it_went_out() -> None:
    expires = (AIRED_AT + datetime.timedelta(hours=6)).isoformat()
    data = {"alert_id": "al-1", "station_id": "st-2", "unit_code": "00002", "area_unit_code": "061",
            "priority": "critical", "expires_at": expires}  # fmt: skip
    item = applied("broadcast.emergency_alert_dispatched", data)
    found = bulletin(item)
    assert found == ("st-2", Interrupt(at=item.envelope.occurred_at, bulletin_kind="alert", bulletin_id="al-1"))
    assert msgspec.json.decode(item.envelope.data)["priority"] == "critical"  # an alert's own scale, not read
