"""Limits at /graphql over real requests: the document size, persisted queries (who may store
them, and how many), and the switches that turn introspection and GraphiQL off."""

from __future__ import annotations

import hashlib
from typing import Any

import asyncpg
import msgspec
from litestar.testing import AsyncTestClient

from libs.common.settings import Settings
from services.gateway.app import create_app as gateway_app
from services.gateway.security.partner_store import PartnerStore
from tests.integration.gateway.security_support import partner

INTROSPECTION = {"query": "{ __schema { queryType { name } } }"}


def _settings(settings: Settings, **values: Any) -> Settings:
    unlimited = {"rate_limit_per_minute": 0, "rate_limit_anonymous_per_minute": 0}
    return msgspec.structs.replace(settings, **{**unlimited, **values})


def _bearer(key: str) -> dict[str, str]:
    return {"authorization": f"Bearer {key}"}


def _persisted(query: str | None) -> dict[str, Any]:
    source = query if query is not None else ""
    body: dict[str, Any] = {
        "extensions": {"persistedQuery": {"version": 1, "sha256Hash": hashlib.sha256(source.encode()).hexdigest()}}
    }
    if query is not None:
        body["query"] = query
    return body


def _code(response: Any) -> str | None:
    assert response.status_code == 200, response.text
    errors = response.json().get("errors") or []
    return errors[0]["extensions"]["code"] if errors else None


# --- the document size ------------------------------------------------------------------------


async def test_a_document_over_the_graphql_limit_is_refused_with_a_code(
    settings: Settings, migrated: asyncpg.Pool
) -> None:
    """Failed before the fix: a 70 KB document was parsed and run (the only bound was the 8 MiB
    body); the default GraphQL document limit is 64 KiB, over POST and GET alike."""
    padded = "{ platform { version } }\n" + "#" * 70_000
    async with AsyncTestClient(app=gateway_app(_settings(settings))) as client:
        posted = await client.post("/graphql", json={"query": padded})
        assert _code(posted) == "DOCUMENT_TOO_LARGE"
        assert "65536" in posted.json()["errors"][0]["message"]
        assert _code(await client.post("/graphql", json={"query": "{ platform { version } }"})) is None
    small = _settings(settings, gateway_graphql_max_document_bytes=4096)
    async with AsyncTestClient(app=gateway_app(small)) as client:
        spaced = "{ platform { version } }" + " " * 5000  # a URL carries less than 64 KiB
        fetched = await client.get("/graphql", params={"query": spaced}, headers={"accept": "application/json"})
        assert _code(fetched) == "DOCUMENT_TOO_LARGE"
        assert _code(await client.post("/graphql", json={"query": spaced[:4096]})) is None


# --- persisted queries ------------------------------------------------------------------------


async def test_an_anonymous_caller_cannot_store_a_persisted_query(settings: Settings, migrated: asyncpg.Pool) -> None:
    """Failed before the fix: a query sent anonymously with its hash was stored, then ran by its
    hash alone."""
    query = "{ platform { version } }"
    async with AsyncTestClient(app=gateway_app(_settings(settings))) as client:
        assert _code(await client.post("/graphql", json=_persisted(query))) == "PERSISTED_QUERY_NOT_ALLOWED"
        by_hash = _persisted(None)
        by_hash["extensions"]["persistedQuery"]["sha256Hash"] = hashlib.sha256(query.encode()).hexdigest()
        assert _code(await client.post("/graphql", json=by_hash)) == "PERSISTED_QUERY_NOT_FOUND"
    stored = await migrated.fetchval("SELECT count(*) FROM gateway.persisted_queries")
    assert stored == 0


async def test_a_partner_stores_persisted_queries_up_to_its_quota_counted_across_replicas(
    settings: Settings, migrated: asyncpg.Pool
) -> None:
    """Failed before the fix: any caller could store any number of documents."""
    store = PartnerStore(migrated)
    reader = await store.create(partner("quota-reader", "read"))
    other = await store.create(partner("quota-other", "read"))
    limited = _settings(settings, gateway_persisted_queries_per_partner=2)
    queries = [f"{{ platform {{ version }} }} # {n}" for n in range(4)]
    async with (
        AsyncTestClient(app=gateway_app(limited)) as first,
        AsyncTestClient(app=gateway_app(limited)) as second,
    ):
        assert _code(await first.post("/graphql", json=_persisted(queries[0]), headers=_bearer(reader))) is None
        assert _code(await second.post("/graphql", json=_persisted(queries[1]), headers=_bearer(reader))) is None
        over = await first.post("/graphql", json=_persisted(queries[2]), headers=_bearer(reader))
        assert _code(over) == "PERSISTED_QUERY_QUOTA"
        assert "2" in over.json()["errors"][0]["message"]
        # What is stored still runs, by anyone, by its hash; the quota is the partner's own.
        again = await second.post("/graphql", json=_persisted(queries[0]), headers=_bearer(reader))
        assert _code(again) is None
        assert _code(await second.post("/graphql", json=_persisted(queries[3]), headers=_bearer(other))) is None
    counts = await migrated.fetch(
        "SELECT stored_by, count(*) AS n FROM gateway.persisted_queries GROUP BY stored_by ORDER BY stored_by"
    )
    assert [(r["stored_by"], r["n"]) for r in counts] == [("partner:quota-other", 1), ("partner:quota-reader", 2)]


# --- introspection and GraphiQL ---------------------------------------------------------------


async def test_introspection_is_on_by_default_and_refused_with_a_code_when_switched_off(
    settings: Settings, migrated: asyncpg.Pool
) -> None:
    """Failed before the fix: there was no switch; introspection always answered."""
    async with AsyncTestClient(app=gateway_app(_settings(settings))) as client:
        answered = await client.post("/graphql", json=INTROSPECTION)
        assert answered.json()["data"] == {"__schema": {"queryType": {"name": "Query"}}}
    off = _settings(settings, gateway_introspection=False)
    async with AsyncTestClient(app=gateway_app(off)) as client:
        refused = await client.post("/graphql", json=INTROSPECTION)
        assert _code(refused) == "INTROSPECTION_DISABLED"
        assert refused.json()["data"] is None
        typename = await client.post("/graphql", json={"query": "{ __typename platform { version } }"})
        assert _code(typename) is None


async def test_graphiql_is_served_by_default_and_not_at_all_when_switched_off(
    settings: Settings, migrated: asyncpg.Pool
) -> None:
    """Failed before the fix: there was no switch; GET /graphql from a browser got GraphiQL."""
    browser = {"accept": "text/html"}
    async with AsyncTestClient(app=gateway_app(_settings(settings))) as client:
        ide = await client.get("/graphql", headers=browser)
        assert ide.status_code == 200
        assert "graphiql" in ide.text.lower()
    async with AsyncTestClient(app=gateway_app(_settings(settings, gateway_graphiql=False))) as client:
        none = await client.get("/graphql", headers=browser)
        assert none.status_code == 404
        assert "graphiql" not in none.text.lower()


# --- subscriptions over HTTP ------------------------------------------------------------------


async def test_a_subscription_over_http_is_refused_with_a_code(settings: Settings, migrated: asyncpg.Pool) -> None:
    """Failed before the fix: a subscription posted over HTTP (JSON, or asking for a multipart
    stream) ran, and the gateway logged an unexpected error with its stack trace. The live feed
    is served over the WebSocket only (``graphql-transport-ws``)."""
    document = {"query": "subscription { events { type } }"}
    store = PartnerStore(migrated)
    key = await store.create(partner("http-subscriber", "read"))
    async with AsyncTestClient(app=gateway_app(_settings(settings))) as client:
        for accept in ("application/json", 'multipart/mixed;subscriptionSpec="1.0", application/json'):
            answer = await client.post("/graphql", json=document, headers={**_bearer(key), "accept": accept})
            assert answer.status_code in {200, 400}, answer.text
            assert "SUBSCRIPTION_NEEDS_WEBSOCKET" in answer.text, (accept, answer.text)
