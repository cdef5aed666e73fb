"""Principal tokens: what the gateway signs is what a service reads back, and nothing else passes."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from litestar.types import Message, Receive, ReceiveMessage, Scope, Send

from libs.common.errors import UnauthorizedError
from libs.common.http.auth import OPEN_PATHS, PrincipalMiddleware
from libs.common.principal import (
    ALGORITHM,
    AUDIENCE,
    HEADER,
    ISSUER,
    KeyFileError,
    KeysWritten,
    Principal,
    PrincipalSigner,
    PrincipalVerifier,
    ensure_keypair,
    load_public_key,
    private_key_path,
    public_key_path,
)
from libs.common.settings import load_settings

VNPT = Principal(
    subject="partner:vnpt/key:ab12",
    partner="VNPT",
    scopes=frozenset({"read", "registry:write"}),
    organisation="VNPT",
    unit_code=None,
)


def _pair() -> tuple[PrincipalSigner, PrincipalVerifier, Ed25519PrivateKey]:
    key = Ed25519PrivateKey.generate()
    return PrincipalSigner(key, ttl_seconds=60), PrincipalVerifier(key.public_key()), key


def test_a_signed_principal_reads_back_field_for_field() -> None:
    signer, verifier, _ = _pair()
    district = Principal(subject="u:1", scopes=frozenset({"broadcast:write"}), unit_code="061")
    assert verifier.verify(signer.sign(VNPT)) == VNPT
    assert verifier.verify(signer.sign(district)) == district


def test_the_signer_reuses_a_token_and_the_verifier_remembers_it() -> None:
    signer, verifier, _ = _pair()
    token = signer.sign(VNPT)
    assert signer.sign(VNPT) == token
    assert verifier.verify(token) is verifier.verify(token)


@pytest.mark.parametrize("token", [None, "", "not-a-jwt", "a.b.c"])
def test_a_missing_or_malformed_token_is_unauthorized(token: str | None) -> None:
    _, verifier, _ = _pair()
    with pytest.raises(UnauthorizedError):
        verifier.verify(token)


def test_a_token_signed_with_another_key_is_unauthorized() -> None:
    signer, _, _ = _pair()
    _, verifier, _ = _pair()
    with pytest.raises(UnauthorizedError, match="not valid"):
        verifier.verify(signer.sign(VNPT))


def test_an_expired_token_and_one_for_another_audience_are_unauthorized() -> None:
    _, verifier, key = _pair()
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": "x", "scp": ["admin"], "iat": now - 600, "exp": now - 60}
    with pytest.raises(UnauthorizedError):
        verifier.verify(jwt.encode(claims, key, algorithm=ALGORITHM))
    claims |= {"iat": now, "exp": now + 60, "aud": "someone-else"}
    with pytest.raises(UnauthorizedError):
        verifier.verify(jwt.encode(claims, key, algorithm=ALGORITHM))


def test_an_unsigned_token_is_unauthorized() -> None:
    _, verifier, _ = _pair()
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": "x", "scp": ["admin"], "iat": now, "exp": now + 60}
    with pytest.raises(UnauthorizedError):
        verifier.verify(jwt.encode(claims, "", algorithm="none"))


def test_admin_allows_every_scope_others_only_their_own() -> None:
    admin = Principal(subject="a", scopes=frozenset({"admin"}))
    assert admin.allows("alerts:issue")
    assert VNPT.allows("registry:write")
    assert not VNPT.allows("broadcast:write")


def test_the_key_pair_is_made_once_private_key_unreadable_by_others(tmp_path: Path) -> None:
    settings = load_settings({}, state_dir=str(tmp_path))
    assert ensure_keypair(settings) is KeysWritten.PAIR
    first = public_key_path(settings).read_bytes()
    assert ensure_keypair(settings) is KeysWritten.NOTHING
    assert public_key_path(settings).read_bytes() == first
    assert private_key_path(settings).stat().st_mode & 0o077 == 0
    signer = PrincipalSigner.from_settings(settings)
    assert PrincipalVerifier.from_settings(settings).verify(signer.sign(VNPT)) == VNPT


def test_a_lost_public_key_is_derived_again_from_the_private_key_in_use(tmp_path: Path) -> None:
    settings = load_settings({}, state_dir=str(tmp_path))
    ensure_keypair(settings)
    private = private_key_path(settings).read_bytes()
    token = PrincipalSigner.from_settings(settings).sign(VNPT)
    public_key_path(settings).unlink()
    assert ensure_keypair(settings) is KeysWritten.PUBLIC_KEY
    assert private_key_path(settings).read_bytes() == private
    assert PrincipalVerifier.from_settings(settings).verify(token) == VNPT


def test_a_missing_key_file_names_the_setting(tmp_path: Path) -> None:
    with pytest.raises(KeyFileError, match="TINHSO_PRINCIPAL_PUBLIC_KEY_FILE"):
        load_public_key(tmp_path / "nope.pem")


async def _through_middleware(
    verifier: PrincipalVerifier,
    method: str,
    path: str,
    token: str | None,
    *,
    kind: str = "http",
    extra_headers: tuple[tuple[bytes, bytes], ...] = (),
) -> object:
    """What the principal middleware left in the scope for the app behind it."""
    seen: dict[str, object] = {}

    async def app(scope: Scope, _receive: Receive, _send: Send) -> None:
        seen["user"] = scope.get("user")

    async def nothing() -> ReceiveMessage:
        raise AssertionError("the middleware reads no body")

    async def ignore(_: Message) -> None:
        raise AssertionError("the middleware sends nothing")

    headers = [(b"content-type", b"application/json")]
    if token is not None:
        headers.append((HEADER.encode(), token.encode()))
    headers.extend(extra_headers)
    scope: Any = {"type": kind, "method": method, "path": path, "headers": headers}
    await PrincipalMiddleware(app, verifier, OPEN_PATHS)(scope, nothing, ignore)
    return seen["user"]


async def test_the_middleware_puts_the_verified_principal_in_the_scope() -> None:
    signer, verifier, _ = _pair()
    assert await _through_middleware(verifier, "POST", "/counters/c/increment", signer.sign(VNPT)) == VNPT


@pytest.mark.parametrize("path", ["/counters/c/increment", "/x/health/live", "/admin/docs"])
async def test_the_middleware_refuses_a_request_without_a_token_outside_the_open_paths(path: str) -> None:
    _, verifier, _ = _pair()
    with pytest.raises(UnauthorizedError):
        await _through_middleware(verifier, "GET", path, None)


@pytest.mark.parametrize(
    ("method", "path"), [("GET", "/health/live"), ("GET", "/docs/openapi.json"), ("OPTIONS", "/x")]
)
async def test_health_docs_and_preflight_pass_without_a_token(method: str, path: str) -> None:
    _, verifier, _ = _pair()
    assert await _through_middleware(verifier, method, path, None) is None


def test_an_unreadable_private_key_is_a_key_file_error_and_is_not_replaced(tmp_path: Path) -> None:
    settings = load_settings({}, state_dir=str(tmp_path))
    private_key_path(settings).parent.mkdir(parents=True)
    private_key_path(settings).write_bytes(b"not a key")
    with pytest.raises(KeyFileError, match="TINHSO_PRINCIPAL_PRIVATE_KEY_FILE"):
        ensure_keypair(settings)
    assert private_key_path(settings).read_bytes() == b"not a key"
    assert not public_key_path(settings).exists()


async def test_a_websocket_needs_the_principal_too_and_a_forged_token_is_refused() -> None:
    signer, verifier, _ = _pair()
    assert await _through_middleware(verifier, "GET", "/live", signer.sign(VNPT), kind="websocket") == VNPT
    with pytest.raises(UnauthorizedError):
        await _through_middleware(verifier, "GET", "/live", None, kind="websocket")
    forger, _, _ = _pair()
    with pytest.raises(UnauthorizedError):
        await _through_middleware(verifier, "POST", "/counters/c/increment", forger.sign(VNPT))


async def test_of_a_repeated_principal_header_the_first_counts() -> None:
    signer, verifier, _ = _pair()
    forger, _, _ = _pair()
    second = ((HEADER.encode(), forger.sign(VNPT).encode()),)
    assert await _through_middleware(verifier, "POST", "/x", signer.sign(VNPT), extra_headers=second) == VNPT
    first_forged = ((HEADER.encode(), signer.sign(VNPT).encode()),)
    with pytest.raises(UnauthorizedError):
        await _through_middleware(verifier, "POST", "/x", forger.sign(VNPT), extra_headers=first_forged)
