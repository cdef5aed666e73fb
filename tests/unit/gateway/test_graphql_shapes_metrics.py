"""The GraphQL types and inputs that restate a metrics wire shape (``contracts.api.metrics``)
agree with it: each field of the contract's Struct is in the GraphQL type under its camelCase
name with a compatible type, or is listed here as deliberately shown another way or not at all.
A field added to one side and not the other fails here, not in front of a partner."""

from __future__ import annotations

import datetime
import types
from typing import Any, Literal, Union, get_args, get_origin, get_type_hints

import msgspec
import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    build_schema,
    get_named_type,
)

from contracts.api.metrics import (
    ApprovalStepName,
    ApprovalStepView,
    ApprovalView,
    ApproveData,
    IndicatorDefinition,
    IndicatorValueView,
    LateUnit,
    RankingView,
    ReopenData,
    ReportValue,
    RetireIndicator,
    SetTarget,
    SetThreshold,
    SubmitData,
)
from contracts.metrics_events import (
    Aggregate,
    AlertLevel,
    ApprovalLevel,
    ApprovalStatus,
    Component,
    IndicatorKind,
    Method,
    Rollup,
    Severity,
    ThresholdOperator,
)
from services.gateway.graphql import inputs_metrics, types_metrics_approval
from services.gateway.graphql.export import sdl
from services.gateway.graphql.inputs_metrics import IndicatorAggregate, IndicatorRollup

SCALARS: dict[Any, set[str]] = {
    str: {"String", "ID", "Period"},
    float: {"Float"},
    int: {"Int"},
    bool: {"Boolean"},
    datetime.datetime: {"DateTime"},
    datetime.date: {"Date"},
}

# contract Struct, GraphQL type, {contract field: why it is not a field of that name}
PAIRS: list[tuple[type[msgspec.Struct], str, dict[str, str]]] = [
    (ReportValue, "ReportIndicatorValueInput", {"comment": "not offered to partners: a report's comment is internal"}),
    (SetTarget, "SetIndicatorTargetInput", {}),
    (
        IndicatorValueView,
        "IndicatorValue",
        {
            "indicator_code": "shown as `indicator`, resolved to the catalogue's Indicator",
            "unit_id": "shown as `unit`, resolved to the AdministrativeUnit",
            "unit_code": "shown as `unit`, resolved to the AdministrativeUnit",
        },
    ),
    (
        IndicatorDefinition,
        "Indicator",
        {
            "name_vi": "shown as `name`: the programme's documents name indicators in Vietnamese",
            **dict.fromkeys(
                ("kind", "rollup", "method", "group", "formula", "components", "fact", "aggregate"),
                "how the service computes it: not part of the public contract",
            ),
            **dict.fromkeys(("minimum", "maximum", "higher_is_better"), "bounds the service checks reports against"),
        },
    ),
    (RankingView, "Ranking", {"value": "shown as `unit`: a ranking row names its unit, the score is the value"}),
    (SetThreshold, "SetAlertThresholdInput", {}),
    (RetireIndicator, "RetireIndicatorInput", {}),
    (Component, "IndicatorComponentInput", {}),
    (
        IndicatorDefinition,
        "IndicatorDefinitionInput",
        {},
    ),
    (LateUnit, "LateReport", dict.fromkeys(("unit_id", "unit_code", "unit_name"), "shown as `unit`")),
    (ApprovalView, "DataApproval", {"unit_id": "the registry's id: partners name units by code"}),
    (ApprovalStepView, "DataApprovalStep", {}),
    (SubmitData, "SubmitDataInput", {}),
    (ApproveData, "ApproveDataInput", {}),
    (ReopenData, "ReopenDataInput", {}),
]

PAIRED = {(struct, name) for struct, name, _ in PAIRS}

ENUMS = [
    (IndicatorKind, "IndicatorKind"),
    (Rollup, "IndicatorRollup"),
    (Method, "IndicatorMethod"),
    (Aggregate, "IndicatorAggregate"),
    (ThresholdOperator, "ThresholdOperator"),
    (Severity, "AlertSeverity"),
    (AlertLevel, "AlertLevel"),
    (ApprovalStatus, "DataApprovalStatus"),
    (ApprovalStepName, "DataApprovalStepName"),
    (ApprovalLevel, "DataApprovalLevel"),
]
"""The contract's Literals and the GraphQL enums that offer them."""

NARROWED = {("Ranking", "score"): "the resolver leaves out units without a score"}
"""Output fields GraphQL declares non-null although the contract allows null, and why that holds."""


@pytest.fixture(scope="module")
def schema() -> GraphQLSchema:
    return build_schema(sdl())


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def unwrap(annotation: Any) -> tuple[Any, bool]:
    """The annotation without ``| None``, and whether it allowed ``None``."""
    if get_origin(annotation) in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        return (args[0] if len(args) == 1 else annotation), len(args) < len(get_args(annotation))
    return annotation, False


@pytest.mark.parametrize(("struct", "graphql_name", "not_fields"), PAIRS, ids=[p[1] for p in PAIRS])
def test_each_contract_field_is_in_the_graphql_type_or_listed(
    schema: GraphQLSchema, struct: type[msgspec.Struct], graphql_name: str, not_fields: dict[str, str]
) -> None:
    named: GraphQLNamedType | None = schema.type_map.get(graphql_name)
    assert isinstance(named, (GraphQLObjectType, GraphQLInputObjectType)), graphql_name
    is_input = isinstance(named, GraphQLInputObjectType)
    hints = get_type_hints(struct)
    fields = {f.name: f for f in msgspec.structs.fields(struct)}
    assert not set(not_fields) - set(fields), f"listed fields {graphql_name} no longer has in the contract"
    problems: list[str] = []
    for name, info in fields.items():
        if name in not_fields:
            assert camel(name) not in named.fields, f"{graphql_name}.{camel(name)} exists: drop it from the list"
            continue
        field = named.fields.get(camel(name))
        if field is None:
            problems.append(f"{name}: no field {camel(name)}")
            continue
        annotation, nullable = unwrap(hints[name])
        nested = isinstance(annotation, type) and issubclass(annotation, msgspec.Struct)
        if get_origin(annotation) is Literal:
            offered = get_named_type(field.type)
            wanted = {str(value).upper() for value in get_args(annotation)}
            if not isinstance(offered, GraphQLEnumType) or set(offered.values) != wanted:
                problems.append(f"{name}: one of {sorted(wanted)} in the contract, {offered.name} in GraphQL")
        elif get_origin(annotation) is list and (get_args(annotation)[0], get_named_type(field.type).name) in PAIRED:
            pass  # a list of a nested shape compared as a pair of its own
        elif get_origin(annotation) is not None or nested:
            problems.append(f"{name}: a nested shape; compare it as a pair of its own")
            continue
        elif get_named_type(field.type).name not in SCALARS.get(annotation, {annotation.__name__}):
            graphql_type = get_named_type(field.type).name
            problems.append(f"{name}: {annotation.__name__} in the contract, {graphql_type} in GraphQL")
        non_null = isinstance(field.type, GraphQLNonNull)
        required = info.required
        # A non-null input field with a default may be left out, like a contract field with one.
        defaulted = getattr(field.ast_node, "default_value", None) is not None
        if is_input and (non_null and not defaulted) != required:
            problems.append(f"{name}: required {required} in the contract, non-null {non_null} in GraphQL")
        if not is_input and non_null and nullable and (graphql_name, camel(name)) not in NARROWED:
            problems.append(f"{name}: may be null in the contract, non-null in GraphQL")
    assert not problems, f"{graphql_name} disagrees with {struct.__name__}: {problems}"


def test_a_disagreement_is_found(schema: GraphQLSchema) -> None:
    """The check above can fail: a shape whose field GraphQL names otherwise is reported."""

    class Renamed(msgspec.Struct, kw_only=True):
        indicator_code: str
        unit: str
        year: int
        target: float

    with pytest.raises(AssertionError, match="unit: no field unit"):
        test_each_contract_field_is_in_the_graphql_type_or_listed(schema, Renamed, "SetIndicatorTargetInput", {})


@pytest.mark.parametrize(("literal", "graphql_name"), ENUMS, ids=[e[1] for e in ENUMS])
def test_each_enum_holds_the_contracts_values(schema: GraphQLSchema, literal: Any, graphql_name: str) -> None:
    """The enum's values (as the resolvers send them: the members' values) are the Literal's."""
    enum_class = getattr(inputs_metrics, graphql_name, None) or getattr(types_metrics_approval, graphql_name)
    assert graphql_name in schema.type_map
    assert sorted(member.value for member in enum_class) == sorted(get_args(literal))


def test_an_enum_missing_a_value_is_found(schema: GraphQLSchema) -> None:
    with pytest.raises(AssertionError):
        test_each_enum_holds_the_contracts_values(schema, Literal["sum", "average"], IndicatorRollup.__name__)
    assert IndicatorAggregate.SUM.value == "sum"
