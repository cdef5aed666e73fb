"""The gateway signs each internal call for its service, method and path (ADR 0021), and for
the path it meant: one its HTTP client rewrites on the way is refused by the service."""

from __future__ import annotations

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from libs.common.errors import InvalidInputError, UnauthorizedError
from libs.common.principal import HEADER, Principal, PrincipalSigner, PrincipalVerifier
from libs.common.settings import load_settings
from services.gateway.adapters.internal import InternalServices

VNPT = Principal(subject="partner:vnpt", partner="VNPT", scopes=frozenset({"registry:write"}), organisation="VNPT")


def _services(base: str = "http://registry.internal:8001") -> tuple[InternalServices, list[str]]:
    """Services whose registry is a stand-in that verifies as the real one does: the path as
    its server decodes it from the request line."""
    key = Ed25519PrivateKey.generate()
    verifier = PrincipalVerifier(key.public_key(), service="registry")
    seen: list[str] = []

    def registry(request: httpx.Request) -> httpx.Response:
        served = request.url.path.removeprefix(httpx.URL(base).path.rstrip("/"))
        try:
            verifier.verify(request.headers.get(HEADER), method=request.method, path=served)
        except UnauthorizedError as exc:
            return httpx.Response(401, json={"code": exc.code, "message": exc.message, "details": {}})
        seen.append(served)
        return httpx.Response(201, json={})

    settings = load_settings({}, registry_url=base)
    client = httpx.AsyncClient(transport=httpx.MockTransport(registry))
    return InternalServices(settings, PrincipalSigner(key), client), seen


async def test_each_call_is_signed_for_its_own_path() -> None:
    services, seen = _services()
    caller = services.caller(VNPT)
    await caller.post("registry", "/commands/speaker-clusters/c1/decommission", {}, dict)
    await caller.post("registry", "/commands/bts-stations/b1/decommission", {}, dict)
    await caller.get("registry", "/units", {"ids": "a,b"}, dict)
    assert seen == ["/commands/speaker-clusters/c1/decommission", "/commands/bts-stations/b1/decommission", "/units"]


async def test_a_path_the_client_would_rewrite_on_the_way_is_refused() -> None:
    """Failed before: the gateway's token was good for any route (before ADR 0021), then for
    the path httpx made of the URL, so an id with dot segments (``x/../../bts-stations/b1``)
    carried a valid token to the other route it reached. The gateway now refuses such an id
    before the call (``invalid_id``); the service would refuse the token for the path it meant."""
    services, seen = _services()
    sneaky = "x/../../bts-stations/b1"
    with pytest.raises(InvalidInputError) as refused:
        await services.caller(VNPT).post("registry", f"/commands/speaker-clusters/{sneaky}/decommission", {}, dict)
    assert refused.value.code == "invalid_id"
    assert seen == []


async def test_behind_a_proxy_that_strips_a_path_prefix_the_service_path_is_signed() -> None:
    """A service routes from ``/``; a prefix in ``TINHSO_<SERVICE>_URL`` is a proxy's, which
    strips it before the service sees the path."""
    services, seen = _services("http://proxy.internal/registry/")
    await services.caller(VNPT).post("registry", "/commands/units/register", {}, dict)
    assert seen == ["/commands/units/register"]
