"""The exported SDL is current, and nothing of the public contract has disappeared from it."""

from __future__ import annotations

from pathlib import Path

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    build_schema,
)

from services.gateway.graphql.export import SCHEMA_FILE, sdl

CONTRACT = Path(__file__).resolve().parents[3] / "contracts" / "api-contract.graphql"


def _members(schema: GraphQLSchema) -> dict[str, str]:
    """Every type, field, argument and enum value, with its type as printed (for comparison)."""
    found: dict[str, str] = {}
    for name, named in schema.type_map.items():
        if name.startswith("__"):
            continue
        found[name] = type(named).__name__
        found.update(_fields(name, named))
    return found


def _fields(name: str, named: GraphQLNamedType) -> dict[str, str]:
    found: dict[str, str] = {}
    if isinstance(named, (GraphQLObjectType, GraphQLInterfaceType)):
        for field_name, field in named.fields.items():
            found[f"{name}.{field_name}"] = str(field.type)
            for arg_name, arg in field.args.items():
                found[f"{name}.{field_name}({arg_name})"] = str(arg.type)
        for interface in named.interfaces:
            found[f"{name} implements {interface.name}"] = "interface"
    elif isinstance(named, GraphQLInputObjectType):
        for field_name, input_field in named.fields.items():
            found[f"{name}.{field_name}"] = str(input_field.type)
    elif isinstance(named, GraphQLEnumType):
        for value in named.values:
            found[f"{name}.{value}"] = "enum value"
    return found


def test_the_exported_schema_file_is_current() -> None:
    assert SCHEMA_FILE.read_text() == sdl(), "run: python -m services.gateway.graphql.export"


def test_every_type_field_and_argument_of_the_contract_is_in_the_schema_with_its_type() -> None:
    contract = _members(build_schema(CONTRACT.read_text()))
    ours = _members(build_schema(SCHEMA_FILE.read_text()))
    missing = sorted(k for k in contract if k not in ours)
    changed = sorted(f"{k}: {contract[k]} -> {ours[k]}" for k in contract if k in ours and ours[k] != contract[k])
    assert not missing, f"dropped from the contract: {missing}"
    assert not changed, f"changed in the contract: {changed}"


def test_the_comparison_notices_a_dropped_field() -> None:
    contract = _members(build_schema(CONTRACT.read_text()))
    trimmed = CONTRACT.read_text().replace("  lastSeenAt: DateTime\n", "")
    assert "SpeakerCluster.lastSeenAt" in contract
    assert "SpeakerCluster.lastSeenAt" not in _members(build_schema(trimmed))
