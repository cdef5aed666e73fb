"""The public GraphQL schema and the registry's wire shapes cannot disagree unnoticed.

Each registry shape the gateway restates in GraphQL (a command body as a mutation's input, an
answer as an object type) is checked field by field against ``contracts/schema.graphql`` (which
``contracts.generate --check`` keeps equal to the code): every field of the contract shape
appears in the GraphQL type under its camelCase name with a compatible type, or under another
name listed here, or is listed as deliberately not exposed, with the reason. A field added to
a contract shape fails this test until it is exposed or listed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import graphql
import msgspec
import pytest

from contracts.api.registry import (
    CommissionBtsBody,
    MergeUnitsBody,
    RegisterRadioStationBody,
    RegisterSpeakerClusterBody,
    RegisterUnitBody,
)
from contracts.api.registry_views import BtsStationView, DigitalTeamView, RadioStationView, SpeakerClusterView, UnitView

SCHEMA = graphql.build_schema((Path(__file__).resolve().parents[3] / "contracts" / "schema.graphql").read_text("utf-8"))

SCALARS: dict[type[msgspec.inspect.Type], set[str]] = {
    msgspec.inspect.StrType: {"String", "ID"},
    msgspec.inspect.IntType: {"Int"},
    msgspec.inspect.FloatType: {"Float"},
    msgspec.inspect.BoolType: {"Boolean"},
    msgspec.inspect.DateType: {"Date"},
    msgspec.inspect.DateTimeType: {"DateTime"},
}


@dataclass(frozen=True)
class Pair:
    shape: type[msgspec.Struct]
    graphql_type: str
    renamed: dict[str, str] = field(default_factory=dict)
    """Contract field -> the GraphQL field that carries it under another name."""
    not_exposed: dict[str, str] = field(default_factory=dict)
    """Contract field -> why partners do not see it."""
    shown_non_null: dict[str, str] = field(default_factory=dict)
    """Answer field that may be null -> how the GraphQL type shows it when it is."""

    @property
    def is_input(self) -> bool:
        return isinstance(SCHEMA.get_type(self.graphql_type), graphql.GraphQLInputObjectType)


PAIRS = [
    Pair(RegisterUnitBody, "RegisterUnitInput"),
    Pair(
        MergeUnitsBody,
        "MergeUnitsInput",
        renamed={"effective_on": "effectiveDate"},
        not_exposed={"successor_code": "a merge into an existing unit is for the registry's own operators and import"},
    ),
    Pair(RegisterRadioStationBody, "RegisterRadioStationInput"),
    Pair(RegisterSpeakerClusterBody, "RegisterSpeakerClusterInput"),
    Pair(CommissionBtsBody, "RegisterBtsStationInput", renamed={"operator_code": "operator"}),
    Pair(
        UnitView,
        "AdministrativeUnit",
        renamed={"unit_id": "id", "parent_id": "parent", "successor_ids": "successors"},
        not_exposed={
            "unit_type": "xã, phường, thị trấn: a label partners do not query by",
            "status": "shown by validTo: null while the unit exists",
            "predecessor_ids": "lineage is read forwards (successors)",
        },
    ),
    Pair(
        RadioStationView,
        "RadioStation",
        renamed={"station_id": "id", "unit_id": "unit"},
        not_exposed={
            "funding_source": "internal budgeting",
            "operator_id": "partners name operators by code (operatorCode)",
        },
    ),
    Pair(
        SpeakerClusterView,
        "SpeakerCluster",
        renamed={"cluster_id": "id", "station_id": "station", "village_id": "village"},
        not_exposed={
            "operator_id": "partners name operators by code",
        },
    ),
    Pair(
        BtsStationView,
        "BtsStation",
        renamed={"bts_id": "id", "unit_id": "unit", "operator_code": "operator"},
        not_exposed={
            "operator_id": "partners name operators by code (operator)",
        },
        shown_non_null={"operator_code": "an empty string until the operator's registration is projected"},
    ),
    Pair(
        DigitalTeamView,
        "DigitalTeam",
        renamed={"team_id": "id", "unit_id": "unit"},
        not_exposed={
            "members": "people's names are personal data",
        },
    ),
]


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _nullable(t: msgspec.inspect.Type) -> tuple[bool, msgspec.inspect.Type]:
    if isinstance(t, msgspec.inspect.UnionType):
        others = [u for u in t.types if not isinstance(u, msgspec.inspect.NoneType)]
        if len(others) == 1:
            return len(others) < len(t.types), others[0]
    return False, t


def compatible(t: msgspec.inspect.Type, target: graphql.GraphQLType) -> bool:
    """Whether a GraphQL type carries a contract type (nullability aside)."""
    _, t = _nullable(t)
    if isinstance(target, graphql.GraphQLNonNull):
        target = target.of_type
    if isinstance(t, msgspec.inspect.ListType):
        return isinstance(target, graphql.GraphQLList) and compatible(t.item_type, target.of_type)
    named = graphql.get_named_type(target)
    if isinstance(t, msgspec.inspect.LiteralType):
        return isinstance(named, graphql.GraphQLEnumType) and len(named.values) == len(t.values)
    if isinstance(t, msgspec.inspect.StructType):
        return isinstance(named, graphql.GraphQLInputObjectType | graphql.GraphQLObjectType)
    if isinstance(t, msgspec.inspect.StrType) and isinstance(named, graphql.GraphQLObjectType):
        return True  # an id the GraphQL type resolves to the object it names
    return named.name in SCALARS.get(type(t), set())


def disagreements(pair: Pair) -> list[str]:
    """What is wrong between a contract shape and its GraphQL type; empty when they agree."""
    gql = SCHEMA.get_type(pair.graphql_type)
    assert isinstance(gql, graphql.GraphQLObjectType | graphql.GraphQLInputObjectType), pair.graphql_type
    info = msgspec.inspect.type_info(pair.shape)
    assert isinstance(info, msgspec.inspect.StructType)
    found: list[str] = []
    for f in info.fields:
        if f.name in pair.not_exposed:
            if camel(f.name) in gql.fields:
                found.append(f"{f.name}: listed as not exposed, but {pair.graphql_type}.{camel(f.name)} exists")
            continue
        name = pair.renamed.get(f.name, camel(f.name))
        target = gql.fields.get(name)
        if target is None:
            found.append(f"{f.name}: no {pair.graphql_type}.{name}; expose it or list it as not exposed")
            continue
        if not compatible(f.type, target.type):
            found.append(f"{f.name}: {pair.graphql_type}.{name} is {target.type}, not a {type(f.type).__name__}")
            continue
        nullable, _ = _nullable(f.type)
        non_null = isinstance(target.type, graphql.GraphQLNonNull)
        if pair.is_input and f.required and not nullable and not non_null:
            found.append(f"{f.name}: required by the registry, optional in {pair.graphql_type}.{name}")
        if not pair.is_input and nullable and non_null and f.name not in pair.shown_non_null:
            found.append(f"{f.name}: may be null, but {pair.graphql_type}.{name} is {target.type}")
    stale = (set(pair.renamed) | set(pair.not_exposed) | set(pair.shown_non_null)) - {f.name for f in info.fields}
    found.extend(f"{name}: listed here, but not a field of {pair.shape.__name__}" for name in sorted(stale))
    return found


@pytest.mark.parametrize("pair", PAIRS, ids=lambda p: f"{p.shape.__name__}-{p.graphql_type}")
def test_each_field_of_a_registry_shape_is_in_its_graphql_type_or_listed(pair: Pair) -> None:
    assert disagreements(pair) == []


def test_a_field_the_graphql_type_lacks_is_reported() -> None:
    """The check can fail: a body against another mutation's input names what is missing."""
    found = disagreements(Pair(RegisterUnitBody, "RegisterRadioStationInput"))
    assert "code: no RegisterRadioStationInput.code; expose it or list it as not exposed" in found
    assert any(line.startswith("valid_from:") for line in found)


def test_a_renamed_field_is_needed_where_the_names_differ() -> None:
    """``MergeUnitsInput.effectiveDate`` carries ``effective_on``: without the rename, reported."""
    found = disagreements(Pair(MergeUnitsBody, "MergeUnitsInput", not_exposed={"successor_code": "-"}))
    assert found == ["effective_on: no MergeUnitsInput.effectiveOn; expose it or list it as not exposed"]


def test_a_nullable_answer_shown_as_non_null_is_reported_unless_listed() -> None:
    [bts] = [p for p in PAIRS if p.graphql_type == "BtsStation"]
    unlisted = Pair(bts.shape, bts.graphql_type, renamed=bts.renamed, not_exposed=bts.not_exposed)
    assert disagreements(unlisted) == ["operator_code: may be null, but BtsStation.operator is String!"]
