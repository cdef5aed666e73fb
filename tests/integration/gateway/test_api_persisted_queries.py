"""Automatic persisted queries (Apollo's protocol), stored in PostgreSQL for every replica."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import httpx

from services.gateway.app import create_app
from services.gateway.graphql.limits import Limits
from tests.integration.gateway.api_platform import Platform, platform
from tests.support.http_server import Server, listening_socket

__all__ = ["platform"]

QUERY = "{ units(first: 5) { totalCount } }"
SHA = hashlib.sha256(QUERY.encode()).hexdigest()


def persisted(sha: str = SHA) -> dict[str, Any]:
    return {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": sha}}}


async def test_a_hash_the_gateway_does_not_know_asks_for_the_document_then_works_alone(platform: Platform) -> None:
    unknown = await platform.post(persisted())
    assert unknown["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    registered = await platform.post({"query": QUERY, **persisted()})
    assert registered["data"] == {"units": {"totalCount": 0}}
    by_hash = await platform.post(persisted())
    assert by_hash["data"] == {"units": {"totalCount": 0}}


async def test_a_document_that_does_not_match_its_hash_is_refused(platform: Platform) -> None:
    wrong = await platform.post({"query": QUERY, **persisted("0" * 64)})
    assert wrong["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_HASH_MISMATCH"
    malformed = await platform.post({"query": QUERY, **persisted("not-a-hash")})
    assert malformed["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_INVALID"


async def test_another_replica_in_persisted_only_mode_runs_what_one_replica_stored_and_nothing_else(
    platform: Platform,
) -> None:
    await platform.post({"query": QUERY, **persisted()})
    replica = Server(create_app(platform.settings, Limits(persisted_queries_only=True)), listening_socket())
    port = replica.port
    await replica.start()
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:

            async def post(body: dict[str, Any], who: str = "reader") -> dict[str, Any]:
                response = await client.post("/graphql", json=body, headers=platform.auth(who))
                assert response.status_code == 200, response.text
                result: dict[str, Any] = response.json()
                return result

            assert (await post(persisted()))["data"] == {"units": {"totalCount": 0}}
            plain = await post({"query": "{ units { totalCount } }"})
            assert plain["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_REQUIRED"
            other = "{ units(first: 7) { totalCount } }"
            sha = hashlib.sha256(other.encode()).hexdigest()
            refused = await post({"query": other, **persisted(sha)})
            assert refused["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_ALLOWED"
            stored_by_admin = await post({"query": other, **persisted(sha)}, who="admin")
            assert stored_by_admin["data"] == {"units": {"totalCount": 0}}
            assert (await post(persisted(sha)))["data"] == {"units": {"totalCount": 0}}
    finally:
        await replica.stop()
        replica.sock.close()


async def test_a_stored_query_runs_by_hash_over_get_so_a_cache_in_front_can_keep_it(platform: Platform) -> None:
    await platform.post({"query": QUERY, **persisted()})
    response = await platform.http.get(
        "/graphql",
        params={"extensions": json.dumps(persisted()["extensions"])},
        headers={**platform.auth("reader"), "accept": "application/json"},
    )
    assert response.status_code == 200, response.text
    assert response.json()["data"] == {"units": {"totalCount": 0}}
    mutation = await platform.http.get(
        "/graphql",
        params={"query": 'mutation { registerUnit(input: {code: "1"}) { id } }'},
        headers={**platform.auth(), "accept": "application/json"},
    )
    assert mutation.status_code == 400  # no writes over GET
