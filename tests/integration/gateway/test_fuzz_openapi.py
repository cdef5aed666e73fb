"""Schemathesis against the gateway's public REST API: whatever a caller sends, valid for the
schema or not, the answer is never a 5xx; and every operation of the published contract is
fuzzed (``fuzz_support``; the internal services' APIs: ``test_fuzz_openapi_services.py``)."""

from __future__ import annotations

import asyncio
import json

from services.gateway.rest.export import OPENAPI_FILE
from tests.integration.gateway.api_platform import Platform
from tests.integration.gateway.fuzz_support import FILTER_WARNINGS, VERBS, document_at, fuzz, fuzz_platform

__all__ = ["fuzz_platform"]

pytestmark = FILTER_WARNINGS


async def test_no_public_api_route_answers_5xx_whatever_it_is_sent(fuzz_platform: Platform) -> None:
    """The public REST API as an admin partner."""
    base = fuzz_platform.url
    document = await document_at(base + "/api/v1/docs/openapi.json")
    fuzzed: set[tuple[str, str]] = set()
    # /health/ready answers 503 by design while a dependency is down: not a bug to report.
    failures = await asyncio.to_thread(fuzz, document, base, fuzz_platform.auth("admin"), ("/health",), fuzzed=fuzzed)
    assert failures == [], "\n".join(failures)
    # The operations come from the served document, not from a list: whatever a controller adds
    # under /api/v1 is fuzzed. The published contract names none that the fuzz did not reach.
    published = json.loads(OPENAPI_FILE.read_text(encoding="utf-8"))["paths"]
    operations = {(method.upper(), path) for path, item in published.items() for method in item if method in VERBS}
    assert operations, "contracts/openapi.json lists no operation"
    assert operations <= fuzzed, f"not fuzzed: {sorted(operations - fuzzed)}"
