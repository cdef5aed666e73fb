"""Which incidents a caller may handle or assign, as the console is told (``mayHandle``,
``mayAssign``): the broadcast service's rule, read from the principal and the unit directory."""

from __future__ import annotations

import datetime

import msgspec

from contracts.api.broadcast_views import IncidentView
from libs.common.principal import Principal
from services.gateway.events.directory import UnitDirectory
from services.gateway.graphql.incident_rights import may_assign, may_handle

WRITE = frozenset({"read", "broadcast:write"})
AT = datetime.datetime(2026, 12, 7, tzinfo=datetime.UTC)
INCIDENT = IncidentView(
    incident_id="inc", cluster_id="cl", station_id="st", unit_code="00001", down_since=AT, opened_at=AT,
    closed_at=None, cause="SILENT", threshold_seconds=300,
)  # fmt: skip


def directory() -> UnitDirectory:
    """06 > 061 > 00001, and 06 > 062 > 00003."""
    units = UnitDirectory()
    for unit_id, code, parent in (("p", "06", None), ("d1", "061", "p"), ("c1", "00001", "d1"), ("d2", "062", "p"),
                                  ("c3", "00003", "d2")):  # fmt: skip
        units.apply("registry.unit_registered", {"unit_id": unit_id, "code": code, "parent_id": parent})
    return units


def caller(**fields: object) -> Principal:
    return Principal(subject="s", scopes=WRITE, **fields)  # type: ignore[arg-type]


def test_a_unit_handles_its_own_incidents_and_those_under_it_and_one_assigned_to_it() -> None:
    units = directory()
    assert may_handle(caller(unit_code="061"), units, INCIDENT)
    assert may_handle(caller(unit_code="00001"), units, INCIDENT)
    assert not may_handle(caller(unit_code="062"), units, INCIDENT)
    handed = msgspec.structs.replace(INCIDENT, assignee_kind="unit", assignee_code="062")
    assert may_handle(caller(unit_code="062"), units, handed)
    assert may_assign(caller(unit_code="061"), units, INCIDENT)


def test_an_operator_handles_only_what_is_assigned_to_it_and_never_assigns() -> None:
    units = directory()
    vnpt = caller(organisation="VNPT")
    assert not may_handle(vnpt, units, INCIDENT)
    handed = msgspec.structs.replace(INCIDENT, assignee_kind="operator", assignee_code="VNPT")
    assert may_handle(vnpt, units, handed)
    assert not may_assign(vnpt, units, handed)
    assert not may_handle(caller(organisation="VIETTEL"), units, handed)


def test_a_reader_an_anonymous_caller_and_a_resolved_incident_get_no_button() -> None:
    units = directory()
    assert not may_handle(Principal(subject="r", scopes=frozenset({"read"})), units, INCIDENT)
    assert not may_handle(None, units, INCIDENT)
    resolved = msgspec.structs.replace(INCIDENT, resolved_at=AT)
    assert not may_handle(Principal(subject="a", scopes=frozenset({"admin"})), units, resolved)
    assert may_assign(Principal(subject="a", scopes=frozenset({"admin"})), units, INCIDENT)
