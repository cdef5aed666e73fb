"""Schemathesis against every internal service's API, with a valid principal: whatever a caller
sends, valid for the schema or not, the answer is never a 5xx (``fuzz_support``)."""

from __future__ import annotations

import asyncio

import pytest

from contracts.services import INTERNAL
from tests.integration.gateway.api_platform import Platform
from tests.integration.gateway.fuzz_support import FILTER_WARNINGS, document_at, fuzz, fuzz_platform
from tests.support.principals import ADMIN, PrincipalAuth

__all__ = ["fuzz_platform"]

pytestmark = FILTER_WARNINGS


@pytest.mark.parametrize("service", INTERNAL)
async def test_no_service_route_answers_5xx_whatever_it_is_sent(fuzz_platform: Platform, service: str) -> None:
    base = fuzz_platform.settings.service_url(service)
    document = await document_at(base + "/docs/openapi.json")
    auth = PrincipalAuth(fuzz_platform.settings, ADMIN, service)
    fuzzed: set[tuple[str, str]] = set()
    failures = await asyncio.to_thread(fuzz, document, base, {}, ("/health",), auth, fuzzed=fuzzed)
    assert failures == [], "\n".join(f"{service}: {line}" for line in failures)
    assert fuzzed, f"{service}: no operation fuzzed"
