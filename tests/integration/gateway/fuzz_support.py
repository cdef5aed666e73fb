"""What the fuzz tests share (``test_fuzz_openapi*.py``): the platform they run against and
Schemathesis over one OpenAPI document.

The whole platform runs (real servers on loopback, the test database and broker). Each
operation gets a bounded number of generated requests in both of Schemathesis' modes
(positive: fits the schema; negative: does not), sent as an admin so that requests reach the
handlers rather than stopping at authentication. A 5xx is collected, not raised inside
Hypothesis, so one run reports every failing operation with the request that broke it. The
gateway and the internal services are fuzzed from two files, so that two test workers share
the work.
"""

from __future__ import annotations

import contextlib
import json
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.core.result import Err
from schemathesis.generation.case import Case

from libs.common.settings import Settings
from tests.integration.gateway.api_fixtures import build_province
from tests.integration.gateway.api_platform import Platform, start_platform

EXAMPLES_PER_OPERATION = 5
VERBS = frozenset({"get", "put", "post", "delete", "patch"})

# Schemathesis draws from `random` inside its strategies; Hypothesis warns about it on every case.
FILTER_WARNINGS = pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisDeprecationWarning")


@pytest.fixture
async def fuzz_platform(settings: Settings) -> AsyncIterator[Platform]:
    async for running in start_platform(settings):
        await build_province(running, communes=1, villages=1)  # something for reads to find
        yield running


def fuzz(
    document: dict[str, Any],
    base_url: str,
    headers: dict[str, str],
    skip: tuple[str, ...] = (),
    auth: httpx.Auth | None = None,
    *,
    fuzzed: set[tuple[str, str]] | None = None,
) -> list[str]:
    """Every operation of ``document``, fuzzed; the 5xx answers as readable lines. ``auth``
    signs each request (a service's principal token is bound to the request, ADR 0021);
    ``fuzzed`` collects each operation fuzzed as (method, path)."""
    schema = schemathesis.openapi.from_dict(document)
    failures: list[str] = []
    statuses: Counter[int] = Counter()
    operations = 0
    with httpx.Client(base_url=base_url, headers=headers, auth=auth, timeout=30) as client:
        for result in schema.get_all_operations():
            if isinstance(result, Err):
                failures.append(f"the document has an operation Schemathesis cannot read: {result.err()}")
                continue
            operation = result.ok()
            if operation.path.startswith(skip):
                continue
            operations += 1
            if fuzzed is not None:
                fuzzed.add((operation.method.upper(), operation.path))
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

                @given(case=operation.as_strategy(generation_mode=mode))
                @settings(
                    max_examples=EXAMPLES_PER_OPERATION,
                    deadline=None,
                    database=None,
                    suppress_health_check=list(HealthCheck),
                )
                def send(case: Case[Any]) -> None:
                    content, content_type = body_of(case)
                    # The document declares the bearer scheme, so cases come with an Authorization
                    # of their own: the admin's replaces it, whatever its spelling.
                    own = {name.lower() for name in headers}
                    generated = {k: v for k, v in (case.headers or {}).items() if k.lower() not in own}
                    response = client.request(
                        case.method,
                        case.formatted_path,
                        params=case.query,
                        headers={**generated, **content_type, **headers},
                        content=content,
                    )
                    statuses[response.status_code // 100] += 1
                    if response.status_code >= 500:
                        failures.append(
                            f"{response.status_code} {case.method} {case.formatted_path} "
                            f"query={case.query} body={str(case.body)[:300]} -> {response.text[:300]}"
                        )

                # Unsatisfiable: nothing to send in this mode (no parameters means no invalid input).
                with contextlib.suppress(Unsatisfiable):
                    send()
    assert operations >= 3, f"only {operations} operations in the document"
    # Some requests must get through to the handlers, or the fuzz proves nothing.
    assert statuses[2] > 0, f"no request succeeded: {dict(statuses)}"
    return failures


def body_of(case: Case[Any]) -> tuple[bytes | None, dict[str, str]]:
    """The body as bytes with its content type: negative cases may hold bytes or values JSON
    cannot encode, which are sent as they are (that is the point of a negative case)."""
    if case.body is None or type(case.body).__name__ == "NotSet":
        return None, {}
    media = case.media_type or "application/json"
    if isinstance(case.body, bytes):
        return case.body, {"content-type": media}
    if isinstance(case.body, str) and media != "application/json":
        return case.body.encode("utf-8", "surrogatepass"), {"content-type": media}
    return json.dumps(case.body, default=repr).encode("utf-8", "surrogatepass"), {"content-type": media}


async def document_at(url: str) -> dict[str, Any]:
    async with httpx.AsyncClient() as client:
        response = await client.get(url)
        assert response.status_code == 200, response.text
        document: dict[str, Any] = response.json()
        return document
