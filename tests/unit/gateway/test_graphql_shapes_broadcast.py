"""Each broadcast contract shape the GraphQL API restates agrees with it, field by field.

A field of the service's body or answer (``contracts.api.broadcast``/``broadcast_views``) is in
the GraphQL type under its camelCase name with a compatible type, or under another name
(``renamed``, type checked; ``translated``: another type, mapped by the gateway), or listed as
deliberately not exposed. So adding a field to a contract shape fails here until the GraphQL
type shows it or says why not, and a field named differently on the two sides is named here.
The public REST programme page (``rest/broadcast_shapes.py``) is checked the same way: a
subset of the service's answer, field for field.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from functools import cache

import msgspec
import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLType,
    build_schema,
)
from msgspec import inspect

from contracts.api import broadcast as api
from contracts.api import broadcast_views as views
from services.gateway.graphql.export import sdl
from services.gateway.rest import broadcast_shapes as rest


@dataclass(frozen=True)
class Shape:
    contract: type[msgspec.Struct]
    graphql: str
    renamed: dict[str, str] = field(default_factory=dict)
    """Contract field -> the GraphQL field carrying it under another name, same type."""
    translated: dict[str, str] = field(default_factory=dict)
    """Contract field -> the GraphQL field the gateway derives from it (another type)."""
    not_exposed: frozenset[str] = frozenset()


SHAPES = [
    Shape(
        api.RecordProgrammeBody,
        "RecordProgrammeInput",
        # The public input names the producer; the service names every unit a command is for
        # ``unit_code``.
        renamed={"unit_code": "producerCode"},
        # The public enum's names are the service's values, upper-cased.
        translated={"priority": "priority"},
        not_exposed=frozenset({"items", "audio"}),
    ),
    Shape(
        api.RelaySessionBody,
        "RecordRelayInput",
        not_exposed=frozenset({"programme_id", "note"}),
    ),
    Shape(
        api.SignalReportBody,
        "ReportClusterSignalInput",
        # The public SignalStatus, mapped to a report's kind (mutations.SIGNAL_REPORT_KINDS).
        translated={"kind": "signal"},
    ),
    Shape(
        views.ProgrammeView,
        "Programme",
        translated={
            "programme_id": "id",
            "unit_code": "producer",
            "priority": "priority",
            "approval": "approval",
            "approval_history": "approvalHistory",
        },
        not_exposed=frozenset({"items", "audio"}),
    ),
    Shape(
        views.DeliveryView,
        "Delivery",
        translated={
            "station_id": "station",
            "programme_id": "programme",
            "timeliness": "timeliness",
            "priority": "priority",
        },
    ),
    Shape(views.SourceAirtime, "Airtime", not_exposed=frozenset({"duration", "sessions"})),
    Shape(
        views.ClusterSignalView,
        "SpeakerCluster",
        renamed={"last_observed_at": "lastSeenAt"},
        # status and down_cause make the public SignalStatus (broadcast_api.signal_status).
        translated={"cluster_id": "id", "status": "signal", "down_cause": "signal"},
        not_exposed=frozenset({"station_id", "unit_code", "down_since", "open_incident_id", "reports", "out_of_order"}),
    ),
]

# The inputs of the broadcast mutations beyond the first ones: each the service's body.
SHAPES += [
    Shape(
        api.IssueAlertBody,
        "IssueEmergencyAlertInput",
        # The public enums' names are the service's values, upper-cased.
        translated={"category": "category", "priority": "priority"},
    ),
    Shape(api.AcknowledgeAlertBody, "AcknowledgeEmergencyAlertInput"),
    Shape(api.ReasonBody, "CancelEmergencyAlertInput"),
    Shape(api.ReasonBody, "CancelRelaySessionInput"),
    Shape(
        api.CorrectProgrammeBody,
        "CorrectProgrammeInput",
        translated={"priority": "priority"},
        not_exposed=frozenset({"items", "audio"}),
    ),
    Shape(api.SubmitProgrammeBody, "SubmitProgrammeInput"),
    Shape(api.ApproveProgrammeBody, "ApproveProgrammeInput"),
    Shape(api.RejectProgrammeBody, "RejectProgrammeInput"),
    Shape(api.SendProgrammeBody, "SendProgrammeInput"),
    Shape(api.DeliveryStepBody, "ReceiveDeliveryInput", not_exposed=frozenset({"reason"})),
    Shape(api.DeliveryStepBody, "AirDeliveryInput", not_exposed=frozenset({"reason", "content_hash"})),
    Shape(api.DeliveryStepBody, "FailDeliveryInput", not_exposed=frozenset({"content_hash"})),
    Shape(api.RecordOutreachSessionBody, "RecordOutreachSessionInput"),
    Shape(api.RecordVehicleTripBody, "RecordVehicleTripInput"),
]

SCALARS: dict[type[inspect.Type], set[str]] = {
    inspect.StrType: {"String", "ID"},
    inspect.IntType: {"Int"},
    inspect.FloatType: {"Float"},
    inspect.BoolType: {"Boolean"},
    inspect.DateType: {"Date"},
    inspect.DateTimeType: {"DateTime"},
}


@cache
def schema() -> GraphQLSchema:
    return build_schema(sdl())


def struct_fields(cls: type[msgspec.Struct]) -> tuple[inspect.Field, ...]:
    info = inspect.type_info(cls)
    assert isinstance(info, inspect.StructType)
    return info.fields


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


def _nullable(t: inspect.Type) -> tuple[inspect.Type, bool]:
    if isinstance(t, inspect.UnionType) and any(isinstance(x, inspect.NoneType) for x in t.types):
        others = [x for x in t.types if not isinstance(x, inspect.NoneType)]
        return (others[0] if len(others) == 1 else inspect.UnionType(tuple(others))), True
    return t, False


def mismatch(ours: inspect.Type, theirs: GraphQLType, *, required: bool, is_input: bool) -> str | None:
    """Why the contract's type and the GraphQL type disagree, or None."""
    ours, nullable = _nullable(ours)
    non_null = isinstance(theirs, GraphQLNonNull)
    inner = theirs.of_type if isinstance(theirs, GraphQLNonNull) else theirs
    if is_input and required and not nullable and not non_null:
        return f"the service requires it, GraphQL lets it out ({theirs})"
    if not is_input and nullable and non_null:
        return f"the service may answer null, GraphQL promises a value ({theirs})"
    if isinstance(ours, inspect.ListType):
        if not isinstance(inner, GraphQLList):
            return f"a list, GraphQL has {inner}"
        return mismatch(ours.item_type, inner.of_type, required=True, is_input=is_input)
    if isinstance(ours, inspect.LiteralType):
        if isinstance(inner, GraphQLEnumType):
            missing = {str(v) for v in ours.values} ^ {str(v.value) for v in inner.values.values()}
            return f"the enum's values differ by {sorted(missing)}" if missing else None
        return None if isinstance(inner, GraphQLScalarType) and inner.name == "String" else f"a literal, not {inner}"
    allowed = SCALARS.get(type(ours))
    if allowed is None:
        return f"no rule for {type(ours).__name__}"
    if isinstance(inner, GraphQLEnumType) and isinstance(ours, inspect.StrType):
        return None
    if not isinstance(inner, GraphQLScalarType) or inner.name not in allowed:
        return f"{type(ours).__name__} is not {inner}"
    return None


def disagreements(shape: Shape, graphql: GraphQLSchema) -> list[str]:
    target = graphql.type_map.get(shape.graphql)
    if not isinstance(target, (GraphQLObjectType, GraphQLInputObjectType)):
        return [f"{shape.graphql} is not a GraphQL type or input"]
    is_input = isinstance(target, GraphQLInputObjectType)
    found: list[str] = []
    for f in struct_fields(shape.contract):
        where = f"{shape.contract.__name__}.{f.name}"
        if f.name in shape.not_exposed:
            if camel(f.name) in target.fields:
                found.append(f"{where} is listed as not exposed, but {shape.graphql}.{camel(f.name)} exists")
            continue
        name = shape.translated.get(f.name) or shape.renamed.get(f.name) or camel(f.name)
        if name not in target.fields:
            found.append(f"{where}: {shape.graphql} has no field {name}")
            continue
        if f.name in shape.translated:
            continue
        why = mismatch(f.type, target.fields[name].type, required=f.required, is_input=is_input)
        if why:
            found.append(f"{where} vs {shape.graphql}.{name}: {why}")
    return found


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: f"{s.contract.__name__}-{s.graphql}")
def test_each_field_of_the_contract_shape_is_in_the_graphql_type_or_listed(shape: Shape) -> None:
    assert disagreements(shape, schema()) == []


def test_the_lists_name_only_fields_the_contract_shape_has() -> None:
    for shape in SHAPES:
        fields = set(shape.contract.__struct_fields__)
        listed = set(shape.renamed) | set(shape.translated) | shape.not_exposed
        assert listed <= fields, f"{shape.contract.__name__}: {sorted(listed - fields)}"


def test_a_field_missing_renamed_or_of_another_type_is_told() -> None:
    class Probe(msgspec.Struct, kw_only=True):
        unit_code: str
        title: int
        """GraphQL's is a String."""
        air_date: datetime.date | None = None
        """GraphQL's is required: fine for an input, the service has a default."""
        colour: str = ""

    found = disagreements(Shape(Probe, "RecordProgrammeInput"), schema())
    assert found == [
        "Probe.unit_code: RecordProgrammeInput has no field unitCode",
        "Probe.title vs RecordProgrammeInput.title: IntType is not String",
        "Probe.colour: RecordProgrammeInput has no field colour",
    ]


def test_the_public_rest_programme_is_the_services_answer_field_for_field() -> None:
    for public, service in ((rest.ProgrammeView, views.ProgrammeView), (rest.ProgrammePage, views.ProgrammePage)):
        ours = {f.name: f.type for f in struct_fields(public)}
        theirs = {f.name: f.type for f in struct_fields(service)}
        assert set(ours) <= set(theirs), f"{public.__name__}: {sorted(set(ours) - set(theirs))}"
        for name, t in ours.items():
            if isinstance(t, inspect.ListType) and isinstance(t.item_type, inspect.StructType):
                continue  # the page's programmes: checked as ProgrammeView itself
            assert t == theirs[name], f"{public.__name__}.{name}: {t} vs {theirs[name]}"
