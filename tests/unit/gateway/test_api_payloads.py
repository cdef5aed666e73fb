"""What of a live event a subscriber may see, tested on events of the contracts' own types,
encoded as the relay puts them on the log and decoded as the gateway's consumer reads them."""

from __future__ import annotations

import datetime
from typing import Any

import msgspec
import pytest

from contracts import broadcast_events, metrics_events, registry_events
from contracts.base import Event
from contracts.registry_events import DigitalTeamEstablished, DigitalTeamMembersChanged, TeamMember, UnitRegistered
from libs.common.principal import SCOPES, Principal
from services.gateway.events.directory import UnitDirectory
from services.gateway.events.hub import LiveEvent
from services.gateway.events.payloads import PERSONAL_FIELDS, visible_data, within_reach
from services.gateway.security.partners import normalise_scopes

NOW = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
EVENT_TYPES = [
    cls
    for catalogue in (registry_events.CATALOGUE, broadcast_events.CATALOGUE, metrics_events.CATALOGUE)
    for cls in catalogue.types.values()
]
READER = Principal(subject="partner:r", scopes=frozenset({"read"}))
PERSONAL = Principal(subject="partner:p", scopes=frozenset({"read", "personal-data"}))
ADMIN = Principal(subject="partner:a", scopes=frozenset({"admin"}))
MEMBERS = (TeamMember(name="Nguyễn Thị Hoa", role="tổ trưởng"), TeamMember(name="Hoàng Văn Nam"))


def live(event: Event, unit_id: str | None = None) -> LiveEvent:
    data: dict[str, Any] = msgspec.json.decode(msgspec.json.encode(event))
    return LiveEvent("e1", event.type_name(), "s", NOW, NOW, unit_id, None, data)


def established(unit_id: str = "commune") -> DigitalTeamEstablished:
    return DigitalTeamEstablished(
        team_id="t1",
        unit_id=unit_id,
        level="commune",
        established_on=datetime.date(2023, 1, 1),
        member_count=2,
        members=list(MEMBERS),
    )


@pytest.mark.parametrize("cls", EVENT_TYPES, ids=lambda cls: cls.type_name())
def test_every_field_that_names_people_is_declared_personal(cls: type[Event]) -> None:
    """A field holding team members, on any event type, must be in the type's PERSONAL_DATA;
    and what PERSONAL_DATA names must be a field of the type (no typo hides a field)."""
    fields = {f.encode_name: f for f in msgspec.structs.fields(cls)}
    assert set(fields) >= cls.PERSONAL_DATA, cls.PERSONAL_DATA - set(fields)
    naming_people = {name for name, f in fields.items() if "TeamMember" in repr(f.type)}
    assert naming_people <= cls.PERSONAL_DATA


def test_the_team_events_declare_their_members_personal() -> None:
    for cls in (DigitalTeamEstablished, DigitalTeamMembersChanged):
        assert PERSONAL_FIELDS[cls.type_name()] == {"members"}


def test_a_reader_without_personal_data_gets_the_team_event_without_its_members() -> None:
    """Failed before the fix: the subscription passed ``data`` whole, names and roles included."""
    event = live(established())
    assert event.data["members"][0]["name"] == "Nguyễn Thị Hoa"
    shown = visible_data(event, READER)
    assert "members" not in shown
    assert shown["member_count"] == 2
    assert shown["team_id"] == "t1"
    assert event.data["members"], "the hub's copy stays whole for the other subscribers"


@pytest.mark.parametrize("principal", [PERSONAL, ADMIN], ids=["personal-data", "admin"])
def test_personal_data_or_admin_gets_the_members(principal: Principal) -> None:
    event = live(established())
    assert visible_data(event, principal)["members"] == [
        {"name": "Nguyễn Thị Hoa", "role": "tổ trưởng"},
        {"name": "Hoàng Văn Nam", "role": None},
    ]


def test_an_event_without_personal_fields_is_passed_as_it_is() -> None:
    event = live(established())
    other = LiveEvent("e2", "registry.unit_renamed", "s", NOW, NOW, None, None, event.data)
    assert visible_data(other, READER) is other.data


def test_personal_data_is_a_scope_partners_and_tokens_may_hold() -> None:
    assert "personal-data" in SCOPES
    assert normalise_scopes(["read", "personal-data"]) == {"read", "personal-data"}


def _unit(unit_id: str, code: str, parent: str | None) -> UnitRegistered:
    return UnitRegistered(
        unit_id=unit_id, code=code, name=code, level="commune", parent_id=parent, valid_from=datetime.date(2020, 1, 1)
    )


def test_a_caller_bound_to_a_unit_receives_only_its_units_events() -> None:
    directory = UnitDirectory()
    for unit in (_unit("province", "06", None), _unit("ba-be", "061", "province"), _unit("pac-nam", "062", "province")):
        directory.apply(unit.type_name(), msgspec.to_builtins(unit))
    directory.apply("registry.unit_registered", msgspec.to_builtins(_unit("commune", "06100", "ba-be")))
    centre = Principal(subject="partner:c", scopes=frozenset({"read"}), unit_code="061")
    reaches = within_reach(centre, directory)
    assert reaches(live(established("commune"), unit_id="commune"))
    assert reaches(live(established("ba-be"), unit_id="ba-be"))
    assert not reaches(live(established("pac-nam"), unit_id="pac-nam"))
    assert not reaches(live(established("province"), unit_id="province"))
    assert not reaches(live(established("nowhere"), unit_id=None))
    assert within_reach(READER, directory)(live(established("pac-nam"), unit_id="pac-nam"))


def test_a_caller_bound_to_an_unknown_unit_receives_nothing() -> None:
    centre = Principal(subject="partner:c", scopes=frozenset({"read"}), unit_code="099")
    assert not within_reach(centre, UnitDirectory())(live(established(), unit_id="commune"))
