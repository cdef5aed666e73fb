"""Refuses a contract change that breaks what was last released: events, GraphQL, ``/api/v1``.

    python -m contracts.compat            # compare contracts/ with contracts/released/; exit 1 on a break
    python -m contracts.compat --release  # take the current contracts as the released ones

``contracts/released/`` holds the last released version of every event type's JSON Schema
(``schemas/``), the GraphQL SDL (``schema.graphql``) and the ``/api/v1`` OpenAPI document
(``openapi.json``), copied from the current ones by ``--release``. The current ones are the
files next to it, which their generators keep fresh (``contracts.generate``,
``services.gateway.graphql.export``, ``services.gateway.rest.export``; ``make lint`` and the
unit tests check that). What is a break (ADR 0025):

- events: a released type removed; within one schema version a field removed, its type
  changed, or a required field (one without a default) added. A new schema version is
  allowed when the type's catalogue registers upcasters from the released version to it.
- GraphQL: whatever graphql-core's ``find_breaking_changes`` reports.
- OpenAPI: a path or operation removed, a required parameter or request property added, a
  response property removed.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graphql import build_schema, find_breaking_changes

from contracts.catalogue import EventCatalogue
from contracts.services import all_topics

JsonObject = dict[str, Any]

CONTRACTS_DIR = Path(__file__).resolve().parent
RELEASED = "released"
SCHEMAS = "schemas"
SDL = "schema.graphql"
OPENAPI = "openapi.json"
_SCHEMA_NAME = re.compile(r"^(?P<type>.+)\.v(?P<version>\d+)\.json$")
_DOCS = frozenset({"description", "title", "examples", "example", "$comment", "$id", "$schema"})
_HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")


@dataclass(frozen=True)
class Contracts:
    """One set of contract texts: event schemas by file name, the SDL, the OpenAPI document."""

    schemas: dict[str, str]
    sdl: str
    openapi: str

    @classmethod
    def read(cls, root: Path) -> Contracts:
        schemas = root / SCHEMAS
        return cls(
            schemas={path.name: path.read_text(encoding="utf-8") for path in sorted(schemas.glob("*.json"))},
            sdl=(root / SDL).read_text(encoding="utf-8"),
            openapi=(root / OPENAPI).read_text(encoding="utf-8"),
        )

    def write(self, root: Path) -> None:
        if (root / SCHEMAS).is_dir():
            shutil.rmtree(root / SCHEMAS)
        (root / SCHEMAS).mkdir(parents=True)
        for name, text in self.schemas.items():
            (root / SCHEMAS / name).write_text(text, encoding="utf-8", newline="\n")
        (root / SDL).write_text(self.sdl, encoding="utf-8", newline="\n")
        (root / OPENAPI).write_text(self.openapi, encoding="utf-8", newline="\n")


Lifts = Callable[[str, int, int], bool]
"""Whether an event type's data of one version can be upcast to another."""


def catalogue_lifts(catalogues: Iterable[EventCatalogue]) -> Lifts:
    by_type = {name: catalogue for catalogue in catalogues for name in catalogue.types}

    def lifts(type_name: str, version: int, current: int) -> bool:
        catalogue = by_type.get(type_name)
        return catalogue is not None and catalogue.upcasters.lifts(type_name, version, current)

    return lifts


def breaking_changes(released: Contracts, current: Contracts, lifts: Lifts) -> list[str]:
    """Every break of ``released`` in ``current``, one line each; empty when compatible."""
    return [
        *event_breaks(released.schemas, current.schemas, lifts),
        *graphql_breaks(released.sdl, current.sdl),
        *openapi_breaks(json.loads(released.openapi), json.loads(current.openapi)),
    ]


# --- events ---------------------------------------------------------------------------------


def _versions(schemas: dict[str, str]) -> dict[str, tuple[int, JsonObject]]:
    """Event type (or ``envelope``) → its schema version and JSON Schema."""
    found: dict[str, tuple[int, JsonObject]] = {}
    for name, text in schemas.items():
        match = _SCHEMA_NAME.match(name)
        type_name, version = (match["type"], int(match["version"])) if match else (name.removesuffix(".json"), 0)
        if type_name not in found or version > found[type_name][0]:
            found[type_name] = (version, json.loads(text))
    return found


def event_breaks(released: dict[str, str], current: dict[str, str], lifts: Lifts) -> list[str]:
    now = _versions(current)
    breaks: list[str] = []
    for type_name, (version, old) in sorted(_versions(released).items()):
        if type_name not in now:
            breaks.append(f"event {type_name}: removed (released as v{version})")
            continue
        new_version, new = now[type_name]
        if new_version < version:
            breaks.append(f"event {type_name}: v{new_version} is older than the released v{version}")
        elif new_version > version:
            if not lifts(type_name, version, new_version):
                breaks.append(f"event {type_name}: v{version} -> v{new_version} has no upcaster chain")
        else:
            where = f"event {type_name} v{version}"
            breaks.extend(_schema_breaks(where, old, new, Defs(old.get("$defs", {}), new.get("$defs", {}))))
    return breaks


@dataclass(frozen=True)
class Defs:
    old: JsonObject
    new: JsonObject


def _resolve(schema: JsonObject, defs: JsonObject) -> JsonObject:
    seen: set[str] = set()
    while isinstance(schema.get("$ref"), str) and schema["$ref"] not in seen:
        seen.add(schema["$ref"])
        schema = defs.get(schema["$ref"].rsplit("/", 1)[-1], schema)
    return schema


def _shape(schema: object, defs: JsonObject, depth: int = 0) -> object:
    """A schema without its documentation and with its references inlined, for comparison."""
    if isinstance(schema, dict):
        if isinstance(schema.get("$ref"), str) and depth < 32:
            return _shape(_resolve(schema, defs), defs, depth + 1)
        return {key: _shape(value, defs, depth) for key, value in schema.items() if key not in _DOCS}
    if isinstance(schema, list):
        return [_shape(value, defs, depth) for value in schema]
    return schema


def _schema_breaks(where: str, old: JsonObject, new: JsonObject, defs: Defs) -> list[str]:
    old, new = _resolve(old, defs.old), _resolve(new, defs.new)
    # A list's elements and a union's members are compared as fields are: an element gaining an
    # optional field breaks no reader.
    if old.get("type") == new.get("type") == "array" and "items" in old and "items" in new:
        return _schema_breaks(f"{where}[]", old["items"], new["items"], defs)
    members = old.get("anyOf"), new.get("anyOf")
    if isinstance(members[0], list) and isinstance(members[1], list) and len(members[0]) == len(members[1]):
        return [b for o, n in zip(members[0], members[1], strict=True) for b in _schema_breaks(where, o, n, defs)]
    if "properties" not in old or "properties" not in new:
        if _shape(old, defs.old) != _shape(new, defs.new):
            return [f"{where}: type changed"]
        return []
    breaks: list[str] = []
    for name, schema in old["properties"].items():
        if name not in new["properties"]:
            breaks.append(f"{where}: field {name} removed")
        else:
            breaks.extend(_schema_breaks(f"{where}.{name}", schema, new["properties"][name], defs))
    added_required = set(new.get("required", ())) - set(old.get("required", ()))
    breaks.extend(f"{where}: new required field {name} (give it a default)" for name in sorted(added_required))
    return breaks


# --- GraphQL --------------------------------------------------------------------------------


def graphql_breaks(released: str, current: str) -> list[str]:
    changes = find_breaking_changes(build_schema(released), build_schema(current))
    return [f"GraphQL: {change.description}" for change in changes]


# --- OpenAPI --------------------------------------------------------------------------------


def _operations(document: JsonObject) -> dict[tuple[str, str], JsonObject]:
    return {
        (path, method): operation
        for path, item in document.get("paths", {}).items()
        for method, operation in item.items()
        if method in _HTTP_METHODS
    }


def _required_parameters(operation: JsonObject, defs: JsonObject) -> set[tuple[str, str]]:
    resolved = (_resolve(parameter, defs) for parameter in operation.get("parameters", ()))
    return {(p.get("in", ""), p.get("name", "")) for p in resolved if p.get("required")}


def _body_schemas(operation: JsonObject) -> dict[str, JsonObject]:
    content = operation.get("requestBody", {}).get("content", {})
    return {media: body.get("schema", {}) for media, body in content.items()}


def _response_schemas(operation: JsonObject) -> dict[str, JsonObject]:
    return {
        f"{status} {media}": body.get("schema", {})
        for status, response in operation.get("responses", {}).items()
        for media, body in response.get("content", {}).items()
    }


def _properties(schema: JsonObject, defs: JsonObject, prefix: str, depth: int = 0) -> dict[str, bool]:
    """Every property reachable in ``schema`` (through objects and array items) → required."""
    schema = _resolve(schema, defs)
    found: dict[str, bool] = {}
    if depth > 16:
        return found
    required = set(schema.get("required", ()))
    for name, sub in schema.get("properties", {}).items():
        path = f"{prefix}.{name}" if prefix else name
        found[path] = name in required
        found.update(_properties(sub, defs, path, depth + 1))
    if isinstance(schema.get("items"), dict):
        found.update(_properties(schema["items"], defs, f"{prefix}[]", depth + 1))
    for combined in ("allOf", "anyOf", "oneOf"):
        for sub in schema.get(combined, ()):
            found.update(_properties(sub, defs, prefix, depth + 1))
    return found


def openapi_breaks(released: JsonObject, current: JsonObject) -> list[str]:
    old_defs = released.get("components", {}).get("schemas", {})
    new_defs = current.get("components", {}).get("schemas", {})
    now = _operations(current)
    old_paths, new_paths = set(released.get("paths", {})), set(current.get("paths", {}))
    breaks = [f"OpenAPI: path {path} removed" for path in sorted(old_paths - new_paths)]
    for (path, method), old in sorted(_operations(released).items()):
        where = f"OpenAPI: {method.upper()} {path}"
        new = now.get((path, method))
        if new is None:
            if path in new_paths:
                breaks.append(f"{where}: operation removed")
            continue
        added = _required_parameters(new, new_defs) - _required_parameters(old, old_defs)
        breaks.extend(f"{where}: new required {place} parameter {name}" for place, name in sorted(added))
        new_bodies = _body_schemas(new)
        for media, schema in _body_schemas(old).items():
            was = _properties(schema, old_defs, "")
            is_now = _properties(new_bodies.get(media, {}), new_defs, "")
            newly = sorted(name for name, required in is_now.items() if required and not was.get(name, False))
            breaks.extend(f"{where}: new required request property {name} ({media})" for name in newly)
        new_responses = _response_schemas(new)
        for key, schema in _response_schemas(old).items():
            is_now = _properties(new_responses.get(key, {}), new_defs, "")
            gone = sorted(set(_properties(schema, old_defs, "")) - set(is_now))
            breaks.extend(f"{where}: response property {name} removed ({key})" for name in gone)
    return breaks


# --- command line ---------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None, root: Path = CONTRACTS_DIR) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m contracts.compat", description="Refuse contract changes that break the released ones."
    )
    parser.add_argument("--release", action="store_true", help="take the current contracts as the released ones")
    args = parser.parse_args(argv)
    current = Contracts.read(root)
    if args.release:
        current.write(root / RELEASED)
        print(f"released the current contracts to {root / RELEASED}")
        return 0
    if not (root / RELEASED / SDL).is_file():
        print(f"nothing released yet: run `python -m contracts.compat --release` ({root / RELEASED})", file=sys.stderr)
        return 1
    breaks = breaking_changes(
        Contracts.read(root / RELEASED), current, catalogue_lifts(t.catalogue for t in all_topics())
    )
    for line in breaks:
        print(line)
    if breaks:
        print(
            f"{len(breaks)} breaking contract change(s): keep the released shape, add a schema version with an "
            "upcaster, or, for a deliberate break, release anew (docs/adr/0025-released-contracts.md)",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
