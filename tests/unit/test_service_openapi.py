"""Each service's OpenAPI document stays what the gateway's clients were written against:
paths, operation ids, parameters, request and answer schemas and status codes, as in the
checked-in copy (``tests/support/service_openapi.py`` rewrites it after a deliberate change)."""

from __future__ import annotations

import difflib
import json
from typing import Any

import pytest

from contracts.services import EVENT_SOURCED
from tests.support.service_openapi import copy_path, documents, text

REWRITE = "a deliberate change? rewrite the copies: .venv/bin/python -m tests.support.service_openapi"


@pytest.fixture(scope="module")
def built() -> dict[str, dict[str, Any]]:
    return documents()


def _differences(kept: str, now: str) -> str:
    lines = difflib.unified_diff(kept.splitlines(), now.splitlines(), "checked-in", "built", lineterm="", n=2)
    return "\n".join(list(lines)[:80])


@pytest.mark.parametrize("service", EVENT_SOURCED)
def test_the_services_openapi_document_is_the_checked_in_copy(built: dict[str, dict[str, Any]], service: str) -> None:
    assert copy_path(service).exists(), f"no copy of {service}'s document; {REWRITE}"
    kept, now = copy_path(service).read_text(encoding="utf-8"), text(built[service])
    assert kept == now, f"{service}'s OpenAPI document changed; {REWRITE}\n{_differences(kept, now)}"


def test_the_comparison_sees_a_changed_status_code(built: dict[str, dict[str, Any]]) -> None:
    """The check can fail: one command answering 200 instead of 201 differs from the copy."""
    changed = json.loads(text(built["registry"]))
    operation = changed["paths"]["/commands/units/register"]["post"]
    operation["responses"]["200"] = operation["responses"].pop("201")
    assert text(changed) != copy_path("registry").read_text(encoding="utf-8")
