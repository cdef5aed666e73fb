"""``python -m services.gateway.rest.export`` writes the public REST API's OpenAPI document
(the ``/api/v1`` paths and the schemas they use) to ``contracts/openapi.json``
(``--check``: exit 1 if the file is stale, writing nothing).

The document is taken from the gateway app itself (``app.openapi_schema``), built with default
settings and throwaway keys in a temporary folder: no server, no database, no broker. Health,
admin and GraphQL routes are left out: partners code against ``/api/v1`` only.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from contracts.services import EVENT_SOURCED
from libs.common.event_signing import ensure_event_keys
from libs.common.principal import ensure_keypair
from libs.common.settings import load_settings
from services.gateway.app import create_app

OPENAPI_FILE = Path(__file__).resolve().parents[3] / "contracts" / "openapi.json"
PUBLIC_PREFIX = "/api/v1"
_REF = "#/components/schemas/"


def _refs(node: object) -> set[str]:
    if isinstance(node, dict):
        own = {node["$ref"].removeprefix(_REF)} if isinstance(node.get("$ref"), str) else set()
        return own.union(*(_refs(value) for value in node.values()))
    if isinstance(node, list):
        return set().union(*(_refs(value) for value in node))
    return set()


def public_document(document: dict[str, Any]) -> dict[str, Any]:
    """``document`` with only the public paths, the component schemas they reach and the
    security schemes (every public operation names one)."""
    paths = {path: item for path, item in document["paths"].items() if path.startswith(PUBLIC_PREFIX)}
    schemas: dict[str, Any] = document.get("components", {}).get("schemas", {})
    wanted, todo = set[str](), _refs(paths)
    while todo:
        name = todo.pop()
        if name not in wanted and name in schemas:
            wanted.add(name)
            todo |= _refs(schemas[name])
    return {
        **{key: value for key, value in document.items() if key not in ("paths", "components", "servers")},
        "paths": paths,
        "components": {
            "schemas": {name: schemas[name] for name in sorted(wanted)},
            "securitySchemes": document.get("components", {}).get("securitySchemes", {}),
        },
    }


def openapi_text() -> str:
    with tempfile.TemporaryDirectory(prefix="tinhso-openapi-") as state_dir:
        settings = load_settings({}, state_dir=state_dir)
        ensure_keypair(settings)
        ensure_event_keys(settings, EVENT_SOURCED)  # the gateway verifies each one's events
        document = create_app(settings).openapi_schema.to_schema()
    return json.dumps(public_document(document), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> int:
    text = openapi_text()
    if "--check" in argv:
        if not OPENAPI_FILE.exists() or OPENAPI_FILE.read_text(encoding="utf-8") != text:
            print(f"{OPENAPI_FILE} is stale: run python -m services.gateway.rest.export", file=sys.stderr)
            return 1
        return 0
    OPENAPI_FILE.write_text(text, encoding="utf-8")
    print(f"wrote {OPENAPI_FILE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
