"""Unit and organisation snapshots the asset aggregates' tests decide against."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import TypeVar

from contracts.base import Event
from libs.common.eventstore.decider import Decider
from services.registry.domain.organisations import Organisation
from services.registry.domain.units import Unit

C = TypeVar("C")
S = TypeVar("S")
T = TypeVar("T")
D = datetime.date
START = D(2020, 1, 1)

PROVINCE = Unit(unit_id="p", status="active", code="06", name="Tỉnh Bắc Kạn", level="province", valid_from=START)
DISTRICT = Unit(
    unit_id="d", status="active", code="061", name="Huyện Ba Bể", level="district", parent_id="p", valid_from=START
)
COMMUNE = Unit(
    unit_id="c", status="active", code="01864", name="Xã Bành Trạch", level="commune", parent_id="d", valid_from=START
)
OTHER_COMMUNE = Unit(
    unit_id="c2", status="active", code="01867", name="Xã Phúc Lộc", level="commune", parent_id="d", valid_from=START
)
VILLAGE = Unit(
    unit_id="v", status="active", code="01864-T01", name="Thôn 01", level="village", parent_id="c", valid_from=START
)
OTHER_VILLAGE = Unit(
    unit_id="v2", status="active", code="01867-T01", name="Thôn 01", level="village", parent_id="c2", valid_from=START
)
MERGED_COMMUNE = Unit(
    unit_id="c3",
    status="merged",
    code="01870",
    name="Xã Cũ",
    level="commune",
    parent_id="d",
    valid_from=START,
    valid_to=D(2025, 7, 1),
)

VIETTEL = Organisation(organisation_id="o-viettel", code="VIETTEL", name="Viettel Bắc Kạn", kind="telecom")
VNPT = Organisation(organisation_id="o-vnpt", code="VNPT", name="VNPT Bắc Kạn", kind="telecom")
CENTRE = Organisation(
    organisation_id="o-centre", code="TTVH-BABE", name="Trung tâm VHTT&TT Ba Bể", kind="district_centre", unit_id="d"
)
UNKNOWN_ORGANISATION = Organisation()


def history(decider: Decider[C, S], *commands: C) -> S:
    """The state after deciding ``commands`` in order, each against the state before it."""
    state = decider.initial()
    for command in commands:
        for event in decider.decide(command, state):
            assert isinstance(event, Event)
            state = decider.evolve(state, event)
    return state


def only(events: Sequence[T]) -> T:
    assert len(events) == 1, events
    return events[0]
