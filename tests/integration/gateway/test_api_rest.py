"""The partners' REST API under /api/v1: bulk import forwarded to the registry, simple reads,
the same credentials as GraphQL, and its OpenAPI document with examples."""

from __future__ import annotations

import json

from tests.integration.gateway.api_platform import Platform, platform

__all__ = ["platform"]

ITEMS = [
    {"kind": "register_unit", "code": "06", "name": "Tỉnh Bắc Kạn", "level": "province", "valid_from": "2020-01-01"},
    {"kind": "register_unit", "code": "061", "name": "Huyện Ba Bể", "level": "district", "parent_code": "06",
     "valid_from": "2020-01-01"},
    {"kind": "register_unit", "code": "06101", "name": "Xã Nam Mẫu", "level": "commune", "parent_code": "061",
     "valid_from": "2020-01-01"},
]  # fmt: skip


async def test_a_bulk_import_then_reads_through_rest(platform: Platform) -> None:
    first = await platform.http.post("/api/v1/import", json=ITEMS, headers=platform.auth("writer"))
    assert first.status_code == 200, first.text
    assert first.json()["created"] == 3
    ndjson = "\n".join(json.dumps(i) for i in ITEMS).encode()
    again = await platform.http.post(
        "/api/v1/import", content=ndjson, headers={**platform.auth("writer"), "content-type": "application/x-ndjson"}
    )
    assert again.status_code == 200, again.text
    assert again.json()["unchanged"] == 3

    async def listed() -> bool:
        response = await platform.http.get(
            "/api/v1/units", params={"level": "commune"}, headers=platform.auth("reader")
        )
        return response.status_code == 200 and response.json()["total_count"] == 1

    await platform.eventually(listed)
    unit = await platform.http.get("/api/v1/units/06101", headers=platform.auth("reader"))
    assert unit.status_code == 200
    assert unit.json()["name"] == "Xã Nam Mẫu"
    programmes = await platform.http.get(
        "/api/v1/programmes", params={"producer_code": "061"}, headers=platform.auth("reader")
    )
    assert programmes.status_code == 200, programmes.text
    assert programmes.json() == {"programmes": [], "next_cursor": None, "total_count": 0}
    missing = await platform.http.get("/api/v1/units/99999", headers=platform.auth("reader"))
    assert missing.status_code == 404
    assert missing.json()["code"] == "unknown_unit"


async def test_rest_needs_the_same_credentials_and_scopes(platform: Platform) -> None:
    anonymous = await platform.http.get("/api/v1/units")
    assert anonymous.status_code == 401
    assert anonymous.json()["code"] == "unauthenticated"
    reader_import = await platform.http.post("/api/v1/import", json=ITEMS, headers=platform.auth("reader"))
    assert reader_import.status_code == 403, reader_import.text
    assert reader_import.json()["code"] == "forbidden"
    too_big = await platform.http.get("/api/v1/units", params={"first": 201}, headers=platform.auth("reader"))
    assert too_big.status_code == 400


async def test_the_openapi_document_describes_the_import_with_an_example(platform: Platform) -> None:
    response = await platform.http.get("/api/v1/docs/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert {
        "/api/v1/import",
        "/api/v1/units",
        "/api/v1/units/{code}",
        "/api/v1/programmes",
        "/api/v1/indicator-values",
    } <= set(paths)
    body = paths["/api/v1/import"]["post"]["requestBody"]["content"]
    assert body["application/json"]["examples"]
    assert "application/x-ndjson" in body
