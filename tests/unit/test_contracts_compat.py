"""The released-contracts check: breaking changes to events, GraphQL and /api/v1 are refused,
compatible ones (an optional field, a new version with an upcaster) pass."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from contracts.compat import (
    CONTRACTS_DIR,
    OPENAPI,
    RELEASED,
    SCHEMAS,
    SDL,
    catalogue_lifts,
    event_breaks,
    main,
    openapi_breaks,
)
from contracts.services import all_topics
from contracts.upcasting import Upcasters

RENAMED = "registry.unit_renamed.v1.json"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A copy of the current contracts, released as they are."""
    shutil.copytree(CONTRACTS_DIR / SCHEMAS, tmp_path / SCHEMAS)
    shutil.copy(CONTRACTS_DIR / SDL, tmp_path / SDL)
    shutil.copy(CONTRACTS_DIR / OPENAPI, tmp_path / OPENAPI)
    assert main(["--release"], root=tmp_path) == 0
    return tmp_path


def _edit_json(path: Path, edit: Any) -> None:
    document = json.loads(path.read_text(encoding="utf-8"))
    edit(document)
    path.write_text(json.dumps(document), encoding="utf-8")


def _breaks(root: Path, capsys: pytest.CaptureFixture[str]) -> list[str]:
    capsys.readouterr()
    code = main([], root=root)
    lines = capsys.readouterr().out.splitlines()
    assert (code == 1) == bool(lines)
    return lines


def test_the_real_tree_is_compatible_with_its_released_contracts() -> None:
    assert main([]) == 0


def test_an_unchanged_copy_passes(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _breaks(root, capsys) == []


def test_a_removed_event_field_is_refused(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def drop_name(schema: dict[str, Any]) -> None:
        del schema["properties"]["previous_name"]
        schema["required"].remove("previous_name")

    _edit_json(root / SCHEMAS / RENAMED, drop_name)

    assert _breaks(root, capsys) == ["event registry.unit_renamed v1: field previous_name removed"]


def test_a_changed_field_type_and_a_new_required_field_are_refused(
    root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def change(schema: dict[str, Any]) -> None:
        schema["properties"]["effective_on"] = {"type": "integer"}
        schema["properties"]["reason"] = {"type": "string"}
        schema["required"].append("reason")

    _edit_json(root / SCHEMAS / RENAMED, change)

    assert _breaks(root, capsys) == [
        "event registry.unit_renamed v1.effective_on: type changed",
        "event registry.unit_renamed v1: new required field reason (give it a default)",
    ]


def test_a_removed_event_type_is_refused(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (root / SCHEMAS / RENAMED).unlink()

    assert _breaks(root, capsys) == ["event registry.unit_renamed: removed (released as v1)"]


def test_a_new_optional_event_field_passes(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _edit_json(root / SCHEMAS / RENAMED, lambda schema: schema["properties"].update(reason={"type": "string"}))

    assert _breaks(root, capsys) == []


def _with_items(item_fields: dict[str, Any], required: list[str]) -> str:
    item = {"type": "object", "properties": item_fields, "required": required}
    listed = {"anyOf": [{"type": "array", "items": {"$ref": "#/$defs/Item"}}, {"type": "null"}]}
    return json.dumps({"type": "object", "properties": {"items": listed}, "$defs": {"Item": item}})


def test_a_list_elements_new_optional_field_passes_and_a_removed_one_is_refused() -> None:
    """Failed before the check compared a list's elements field by field: a programme's items
    gaining an optional ``priority`` read as the list's type changed."""
    name = "broadcast.programme_corrected.v1.json"
    released = {name: _with_items({"kind": {"type": "string"}, "title": {"type": "string"}}, ["kind", "title"])}
    grown = _with_items(
        {"kind": {"type": "string"}, "title": {"type": "string"}, "priority": {"type": "string"}}, ["kind", "title"]
    )
    shrunk = _with_items({"kind": {"type": "string"}}, ["kind"])
    retyped = _with_items({"kind": {"type": "integer"}, "title": {"type": "string"}}, ["kind", "title"])

    assert event_breaks(released, {name: grown}, Upcasters().lifts) == []
    assert event_breaks(released, {name: shrunk}, Upcasters().lifts) == [
        "event broadcast.programme_corrected v1.items[]: field title removed"
    ]
    assert event_breaks(released, {name: retyped}, Upcasters().lifts) == [
        "event broadcast.programme_corrected v1.items[].kind: type changed"
    ]


def test_a_new_schema_version_passes_only_with_an_upcaster_from_the_released_one(root: Path) -> None:
    released = {RENAMED: (root / RELEASED / SCHEMAS / RENAMED).read_text(encoding="utf-8")}
    current = {"registry.unit_renamed.v2.json": '{"type": "object", "properties": {"label": {"type": "string"}}}'}
    upcasters = Upcasters()

    assert event_breaks(released, current, upcasters.lifts) == [
        "event registry.unit_renamed: v1 -> v2 has no upcaster chain"
    ]

    upcasters.register("registry.unit_renamed", 1)(lambda data: {**data, "label": data.pop("name")})
    assert event_breaks(released, current, upcasters.lifts) == []


def test_the_registered_unit_registered_upcaster_allows_its_version_2() -> None:
    # registry.unit_registered was released as v1 once; its v1 -> v2 upcaster is registered.
    current = (CONTRACTS_DIR / SCHEMAS / "registry.unit_registered.v2.json").read_text(encoding="utf-8")
    released = {"registry.unit_registered.v1.json": '{"type": "object", "properties": {"ten": {"type": "string"}}}'}
    lifts = catalogue_lifts(topic.catalogue for topic in all_topics())

    assert event_breaks(released, {"registry.unit_registered.v2.json": current}, lifts) == []


def test_a_removed_graphql_field_is_refused(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sdl = (root / SDL).read_text(encoding="utf-8")
    (root / SDL).write_text(sdl.replace("  unitCode: String\n  data: JSON!\n", "  data: JSON!\n", 1), encoding="utf-8")

    assert _breaks(root, capsys) == ["GraphQL: Field Event.unitCode was removed."]


def test_a_removed_openapi_path_is_refused(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _edit_json(root / OPENAPI, lambda document: document["paths"].pop("/api/v1/units"))

    assert _breaks(root, capsys) == ["OpenAPI: path /api/v1/units removed"]


def test_a_removed_response_property_is_refused(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _edit_json(
        root / OPENAPI, lambda document: document["components"]["schemas"]["UnitView"]["properties"].pop("status")
    )

    assert "OpenAPI: GET /api/v1/units/{code}: response property status removed (200 application/json)" in _breaks(
        root, capsys
    )


def _api(body: dict[str, Any], parameters: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    operation = {
        "parameters": parameters or [],
        "requestBody": {"content": {"application/json": {"schema": body}}},
        "responses": {"200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Out"}}}}},
    }
    out = {"type": "object", "properties": {"id": {"type": "string"}}}
    return {"paths": {"/api/v1/things": {"post": operation}}, "components": {"schemas": {"Out": out}}}


def test_a_new_required_request_property_or_parameter_is_refused_and_an_optional_one_passes() -> None:
    released = _api({"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]})
    optional = _api({"type": "object", "properties": {"name": {"type": "string"}, "note": {"type": "string"}}})
    required = _api(
        {"type": "object", "properties": {"name": {}, "note": {}}, "required": ["name", "note"]},
        [{"in": "query", "name": "unit", "required": True}],
    )

    assert openapi_breaks(released, optional) == []
    assert openapi_breaks(released, required) == [
        "OpenAPI: POST /api/v1/things: new required query parameter unit",
        "OpenAPI: POST /api/v1/things: new required request property note (application/json)",
    ]


def test_a_removed_operation_is_refused() -> None:
    released = _api({})
    current: dict[str, Any] = {"paths": {"/api/v1/things": {"get": {}}}}

    assert openapi_breaks(released, current) == ["OpenAPI: POST /api/v1/things: operation removed"]


def test_without_a_release_the_check_says_how_to_make_one(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copytree(CONTRACTS_DIR / SCHEMAS, tmp_path / SCHEMAS)
    shutil.copy(CONTRACTS_DIR / SDL, tmp_path / SDL)
    shutil.copy(CONTRACTS_DIR / OPENAPI, tmp_path / OPENAPI)

    assert main([], root=tmp_path) == 1
    assert "python -m contracts.compat --release" in capsys.readouterr().err
