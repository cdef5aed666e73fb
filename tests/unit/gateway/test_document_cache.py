"""The cache of parsed GraphQL documents holds at most its budget in bytes, and still caches."""

from __future__ import annotations

import gc
import tracemalloc

from graphql import parse

from libs.common.settings import load_settings
from services.gateway.graphql.documents import DocumentCache, footprint
from services.gateway.graphql.limits import Limits
from services.gateway.graphql.schema import build_schema

MIB = 1024 * 1024


def padded(n: int) -> str:
    """A distinct document of about 60 KB (under the 64 KiB limit), mostly comments."""
    return f"query Q{n} {{ platform {{ version }} }}\n" + ("#" + "x" * 100 + "\n") * 590


async def test_many_large_documents_leave_at_most_the_budget_in_memory() -> None:
    """Failed before the fix: strawberry's ParserCache and ValidationCache kept the last 128
    documents whatever their size; 64 distinct 60 KB documents left about 13 MB behind."""
    schema = build_schema(Limits(cache_bytes=MIB))
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for n in range(64):
            result = await schema.execute(padded(n))
            assert not result.errors, result.errors
        del result
        gc.collect()
        retained = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert retained < 2 * MIB, f"{retained} bytes retained"


def test_a_document_is_parsed_once_and_the_least_recently_used_is_evicted_past_the_budget() -> None:
    texts = [f"{{ a{n}: platform {{ version }} }}" for n in range(3)]
    weight = footprint(texts[0], parse(texts[0]))
    cache = DocumentCache(max_bytes=2 * weight)
    first = cache.parse(texts[0], {})
    assert cache.parse(texts[0], {}) is first
    cache.parse(texts[1], {})
    cache.parse(texts[0], {})  # used again: texts[1] is now the least recently used
    cache.parse(texts[2], {})
    assert len(cache) == 2
    assert cache.size_bytes <= cache.max_bytes
    assert texts[0] in cache
    assert texts[1] not in cache
    assert cache.parse(texts[0], {}) is first


def test_a_document_over_the_whole_budget_is_parsed_but_not_kept() -> None:
    cache = DocumentCache(max_bytes=100)
    cache.parse("{ platform { version } }", {})
    assert len(cache) == 0
    assert cache.size_bytes == 0


def test_the_switches_and_bounds_come_from_settings() -> None:
    limits = Limits.from_settings(
        load_settings(
            {
                "TINHSO_GATEWAY_INTROSPECTION": "false",
                "TINHSO_GATEWAY_GRAPHIQL": "false",
                "TINHSO_GATEWAY_GRAPHQL_MAX_DOCUMENT_BYTES": "4096",
                "TINHSO_GATEWAY_GRAPHQL_CACHE_BYTES": "1048576",
                "TINHSO_GATEWAY_PERSISTED_QUERIES_PER_PARTNER": "7",
            }
        )
    )
    assert (limits.introspection, limits.graphiql) == (False, False)
    assert (limits.max_document_bytes, limits.cache_bytes, limits.persisted_queries_per_partner) == (4096, MIB, 7)
    defaults = Limits.from_settings(load_settings({}))
    assert (defaults.introspection, defaults.graphiql, defaults.max_document_bytes) == (True, True, 64 * 1024)
