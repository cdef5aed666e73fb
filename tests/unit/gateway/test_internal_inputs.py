"""What a partner puts into an internal call's header or path is checked before the call: a
bad idempotency key or an id that would change the route is a coded 400, never an internal error."""

from __future__ import annotations

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from libs.common.errors import InvalidInputError
from libs.common.principal import Principal, PrincipalSigner
from libs.common.settings import load_settings
from services.gateway.adapters.internal import InternalServices

ADMIN = Principal(subject="partner:ops", partner="ops", scopes=frozenset({"admin"}))


def _services() -> tuple[InternalServices, list[httpx.Request]]:
    sent: list[httpx.Request] = []

    def registry(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(201, json={})

    client = httpx.AsyncClient(transport=httpx.MockTransport(registry))
    return InternalServices(load_settings({}), PrincipalSigner(Ed25519PrivateKey.generate()), client), sent


@pytest.mark.parametrize("key", ["khóa-một", "a\nb", "tab\there", "x" * 201, ""])
async def test_an_idempotency_key_that_is_not_a_short_visible_ascii_word_is_refused(key: str) -> None:
    """Failed before the fix: httpx could not encode a Vietnamese key into the header
    (UnicodeEncodeError, an INTERNAL answer found by the GraphQL fuzzing), a key with a line
    break or a tab went out (a real connection then fails: SERVICE_UNAVAILABLE), and a key past
    the services' 200 characters reached the service."""
    services, sent = _services()
    caller = services.caller(ADMIN)
    if not key:
        await caller.post("registry", "/commands/units/register", {}, dict, idempotency_key=key)
        assert "idempotency-key" not in sent[0].headers  # no key: nothing to check
        return
    with pytest.raises(InvalidInputError) as refused:
        await caller.post("registry", "/commands/units/register", {}, dict, idempotency_key=key)
    assert refused.value.code == "invalid_idempotency_key"
    assert sent == []


async def test_a_visible_ascii_key_is_forwarded_as_given() -> None:
    services, sent = _services()
    key = "vnpt-2026-12-07/import#1"
    await services.caller(ADMIN).post("registry", "/commands/units/register", {}, dict, idempotency_key=key)
    assert sent[0].headers["idempotency-key"] == key


@pytest.mark.parametrize("ident", ["c1?x=1", "c1#frag", "..", "."])
async def test_an_id_that_would_change_the_route_is_refused_before_the_call(ident: str) -> None:
    """Failed before the fix: the call went out and the service answered 401
    ``principal_invalid`` (the path it served was not the one signed), which a partner reads as
    a credential problem, not as its own bad id."""
    services, sent = _services()
    with pytest.raises(InvalidInputError) as refused:
        await services.caller(ADMIN).post("registry", f"/commands/speaker-clusters/{ident}/decommission", {}, dict)
    assert refused.value.code == "invalid_id"
    assert sent == []


@pytest.mark.parametrize("ident", ["O\x19", "a\x7fb", "tab\there", "line\nbreak", "nb\u2028sp", "\x00"])
async def test_an_id_holding_a_control_character_is_refused_before_the_call(ident: str) -> None:
    """Failed before the fix: httpx refused to build the URL (``InvalidURL``, not an HTTP
    error), so ``GET /api/v1/alerts/{id}/unacknowledged`` with such an id answered 500 (found by
    the OpenAPI fuzzing)."""
    services, sent = _services()
    with pytest.raises(InvalidInputError) as refused:
        await services.caller(ADMIN).get("broadcast", f"/alerts/{ident}/unacknowledged", {}, dict)
    assert refused.value.code == "invalid_id"
    assert sent == []


async def test_an_id_in_vietnamese_is_sent() -> None:
    services, sent = _services()
    await services.caller(ADMIN).post("registry", "/commands/units/Xã-Nam-Mẫu/rename", {}, dict)
    assert len(sent) == 1
