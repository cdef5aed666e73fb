"""The exported /api/v1 OpenAPI document is current and holds only the public API."""

from __future__ import annotations

import json

from services.gateway.rest.export import OPENAPI_FILE, PUBLIC_PREFIX, openapi_text, public_document


def test_the_exported_openapi_file_is_current() -> None:
    assert OPENAPI_FILE.read_text(encoding="utf-8") == openapi_text(), "run: python -m services.gateway.rest.export"


def test_the_document_keeps_the_public_paths_and_only_the_schemas_they_reach() -> None:
    document = {
        "openapi": "3.1.0",
        "servers": [{"url": "/"}],
        "paths": {
            "/api/v1/units": {"get": {"responses": {"200": {"$ref": "#/components/schemas/UnitPage"}}}},
            "/health/live": {"get": {"responses": {"200": {"$ref": "#/components/schemas/Liveness"}}}},
        },
        "components": {
            "schemas": {
                "UnitPage": {"properties": {"items": {"items": {"$ref": "#/components/schemas/UnitView"}}}},
                "UnitView": {"type": "object"},
                "Liveness": {"type": "object"},
            }
        },
    }

    public = public_document(document)

    assert list(public["paths"]) == ["/api/v1/units"]
    assert sorted(public["components"]["schemas"]) == ["UnitPage", "UnitView"]
    assert "servers" not in public


def test_every_exported_path_is_public() -> None:
    paths = json.loads(OPENAPI_FILE.read_text(encoding="utf-8"))["paths"]
    assert paths
    assert all(path.startswith(PUBLIC_PREFIX) for path in paths)


def test_every_public_operation_requires_the_declared_bearer_scheme() -> None:
    document = json.loads(openapi_text())
    schemes = document["components"]["securitySchemes"]
    assert schemes == {
        "bearerAuth": {"type": "http", "scheme": "bearer", "description": schemes["bearerAuth"]["description"]}
    }
    operations = [op for item in document["paths"].values() for op in item.values() if isinstance(op, dict)]
    assert operations
    assert all(op.get("security") == [{"bearerAuth": []}] for op in operations)


def test_every_schema_of_the_public_document_has_a_plain_name() -> None:
    """Failed before the fix: two contract Structs called ``UnitView`` (the registry's and the
    metrics') made Litestar name both after their modules
    (``services_gateway_rest_registry_public_UnitView``), renaming a released component."""
    names = json.loads(OPENAPI_FILE.read_text(encoding="utf-8"))["components"]["schemas"]
    qualified = sorted(name for name in names if name.startswith(("contracts_", "services_", "libs_")))
    assert not qualified, f"give these Structs distinct names: {qualified}"
