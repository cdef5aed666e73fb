"""Principal tokens: what the gateway signs is what a service reads back, and nothing else passes."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from litestar import Litestar, get
from litestar.testing import TestClient
from litestar.types import Message, Receive, ReceiveMessage, Scope, Send

from libs.common.errors import DomainError, UnauthorizedError
from libs.common.http.auth import OPEN_PATHS, PrincipalMiddleware, principal_middleware
from libs.common.http.errors import domain_error_handler
from libs.common.principal import (
    ALGORITHM,
    HEADER,
    ISSUER,
    LEEWAY_SECONDS,
    KeyFileError,
    KeysWritten,
    Principal,
    PrincipalSigner,
    PrincipalVerifier,
    audience,
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


SERVICE, METHOD, PATH = "registry", "POST", "/commands/units/register"
FOR_REQUEST: dict[str, str] = {"service": SERVICE, "method": METHOD, "path": PATH}
AT_REQUEST: dict[str, str] = {"method": METHOD, "path": PATH}


class Clock:
    """A clock a test sets: expiry is checked without waiting for it."""

    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def _pair(clock: Clock | None = None) -> tuple[PrincipalSigner, PrincipalVerifier, Ed25519PrivateKey]:
    key = Ed25519PrivateKey.generate()
    now = clock or time.time
    return (
        PrincipalSigner(key, ttl_seconds=10, clock=now),
        PrincipalVerifier(key.public_key(), service=SERVICE, clock=now),
        key,
    )


def test_a_signed_principal_reads_back_field_for_field() -> None:
    signer, verifier, _ = _pair()
    district = Principal(subject="u:1", scopes=frozenset({"broadcast:write"}), unit_code="061")
    assert verifier.verify(signer.sign(VNPT, **FOR_REQUEST), **AT_REQUEST) == VNPT
    assert verifier.verify(signer.sign(district, **FOR_REQUEST), **AT_REQUEST) == district


def test_the_signer_reuses_a_token_and_the_verifier_remembers_it() -> None:
    signer, verifier, _ = _pair()
    token = signer.sign(VNPT, **FOR_REQUEST)
    assert signer.sign(VNPT, **FOR_REQUEST) == token
    assert verifier.verify(token, **AT_REQUEST) is verifier.verify(token, **AT_REQUEST)


@pytest.mark.parametrize("token", [None, "", "not-a-jwt", "a.b.c"])
def test_a_missing_or_malformed_token_is_unauthorized(token: str | None) -> None:
    _, verifier, _ = _pair()
    with pytest.raises(UnauthorizedError):
        verifier.verify(token, **AT_REQUEST)


def test_a_token_signed_with_another_key_is_unauthorized() -> None:
    signer, _, _ = _pair()
    _, verifier, _ = _pair()
    with pytest.raises(UnauthorizedError, match="not valid"):
        verifier.verify(signer.sign(VNPT, **FOR_REQUEST), **AT_REQUEST)


def test_an_expired_token_and_one_for_another_audience_are_unauthorized() -> None:
    _, verifier, key = _pair()
    now = int(time.time())
    claims = {
        "iss": ISSUER,
        "aud": audience(SERVICE),
        "sub": "x",
        "scp": ["admin"],
        "iat": now - 600,
        "exp": now - 60,
        "jti": "j1",
        "htm": METHOD,
        "htu": PATH,
    }
    with pytest.raises(UnauthorizedError):
        verifier.verify(jwt.encode(claims, key, algorithm=ALGORITHM), **AT_REQUEST)
    claims |= {"iat": now, "exp": now + 5, "aud": "someone-else"}
    with pytest.raises(UnauthorizedError):
        verifier.verify(jwt.encode(claims, key, algorithm=ALGORITHM), **AT_REQUEST)


def test_an_unsigned_token_is_unauthorized() -> None:
    _, verifier, _ = _pair()
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": audience(SERVICE), "sub": "x", "scp": ["admin"], "iat": now, "exp": now + 5}
    claims |= {"jti": "j1", "htm": METHOD, "htu": PATH}
    with pytest.raises(UnauthorizedError):
        verifier.verify(jwt.encode(claims, "", algorithm="none"), **AT_REQUEST)


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
    verifier = PrincipalVerifier.from_settings(settings, service=SERVICE)
    assert verifier.verify(signer.sign(VNPT, **FOR_REQUEST), **AT_REQUEST) == VNPT


def test_a_lost_public_key_is_derived_again_from_the_private_key_in_use(tmp_path: Path) -> None:
    settings = load_settings({}, state_dir=str(tmp_path))
    ensure_keypair(settings)
    private = private_key_path(settings).read_bytes()
    token = PrincipalSigner.from_settings(settings).sign(VNPT, **FOR_REQUEST)
    public_key_path(settings).unlink()
    assert ensure_keypair(settings) is KeysWritten.PUBLIC_KEY
    assert private_key_path(settings).read_bytes() == private
    assert PrincipalVerifier.from_settings(settings, service=SERVICE).verify(token, **AT_REQUEST) == VNPT


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


def _for(signer: PrincipalSigner, method: str, path: str) -> str:
    return signer.sign(VNPT, service=SERVICE, method=method, path=path)


async def test_the_middleware_puts_the_verified_principal_in_the_scope() -> None:
    signer, verifier, _ = _pair()
    token = _for(signer, "POST", "/counters/c/increment")
    assert await _through_middleware(verifier, "POST", "/counters/c/increment", token) == VNPT


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
    # A websocket's handshake is a GET: its token is bound to GET and the socket's path.
    assert await _through_middleware(verifier, "GET", "/live", _for(signer, "GET", "/live"), kind="websocket") == VNPT
    with pytest.raises(UnauthorizedError):
        await _through_middleware(verifier, "GET", "/live", None, kind="websocket")
    forger, _, _ = _pair()
    with pytest.raises(UnauthorizedError):
        await _through_middleware(verifier, "POST", "/x", _for(forger, "POST", "/x"))


async def test_of_a_repeated_principal_header_the_first_counts() -> None:
    signer, verifier, _ = _pair()
    forger, _, _ = _pair()
    second = ((HEADER.encode(), _for(forger, "POST", "/x").encode()),)
    assert await _through_middleware(verifier, "POST", "/x", _for(signer, "POST", "/x"), extra_headers=second) == VNPT
    first_forged = ((HEADER.encode(), _for(signer, "POST", "/x").encode()),)
    with pytest.raises(UnauthorizedError):
        await _through_middleware(verifier, "POST", "/x", _for(forger, "POST", "/x"), extra_headers=first_forged)


# --- ADR 0021: a token is for one service and one request, and lives for seconds -----------


def test_a_token_for_one_service_is_refused_by_another() -> None:
    """Failed before ADR 0021: every token had the one audience ``tinhso-services``."""
    key = Ed25519PrivateKey.generate()
    signer = PrincipalSigner(key)
    token = signer.sign(VNPT, service="registry", method="GET", path="/units")
    assert PrincipalVerifier(key.public_key(), service="registry").verify(token, method="GET", path="/units") == VNPT
    with pytest.raises(UnauthorizedError, match="not valid") as refused:
        PrincipalVerifier(key.public_key(), service="broadcast").verify(token, method="GET", path="/units")
    assert refused.value.code == "principal_invalid"


@pytest.mark.parametrize(
    ("method", "path"),
    [("POST", "/commands/units/merge"), ("GET", PATH), ("POST", PATH + "/x"), ("post", PATH.upper())],
)
def test_a_token_for_one_request_is_refused_on_another_method_or_path(method: str, path: str) -> None:
    """Failed before ADR 0021: a token named no request, so it was good for every route."""
    signer, verifier, _ = _pair()
    token = signer.sign(VNPT, **FOR_REQUEST)
    with pytest.raises(UnauthorizedError, match="another request") as refused:
        verifier.verify(token, method=method, path=path)
    assert refused.value.code == "principal_invalid"
    # Remembering a verified token must not widen it either: verified once, still refused.
    assert verifier.verify(token, **AT_REQUEST) == VNPT
    with pytest.raises(UnauthorizedError, match="another request"):
        verifier.verify(token, method=method, path=path)


def test_the_query_string_is_not_part_of_the_bound_path() -> None:
    signer, verifier, _ = _pair()
    token = signer.sign(VNPT, service=SERVICE, method="GET", path="/units?ids=a,b")
    assert verifier.verify(token, method="GET", path="/units") == VNPT


def test_a_path_with_a_trailing_slash_is_the_route_litestar_serves() -> None:
    """Failed before the fix: a client asking ``GET /units/`` had its token bound to
    ``/units/``, while Litestar hands its middleware the path without the slash, so every such
    call was refused as signed for another request (five registry tests answered 401)."""
    signer, _, key = _pair()

    @get("/units", sync_to_thread=False)
    def units() -> str:
        return "served"

    app = Litestar(
        [units],
        middleware=[principal_middleware(PrincipalVerifier(key.public_key(), service=SERVICE))],
        exception_handlers={DomainError: domain_error_handler},
    )
    with TestClient(app) as client:
        for path in ("/units/", "/units"):
            headers = signer.headers(VNPT, service=SERVICE, method="GET", path=path)
            answer = client.get(path, headers=headers)
            assert (answer.status_code, answer.text) == (200, "served"), (path, answer.text)


def test_a_token_lives_for_seconds_and_is_refused_once_expired() -> None:
    """Failed before ADR 0021: tokens lived 120 s, the lifetime could not be under 10 s, and
    nothing let a test set the clock."""
    clock = Clock()
    signer, verifier, _ = _pair(clock)
    token = signer.sign(VNPT, **FOR_REQUEST)
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] == 10
    clock.now += 10 + LEEWAY_SECONDS - 1
    assert verifier.verify(token, **AT_REQUEST) == VNPT  # verified, and now remembered
    clock.now += 2
    with pytest.raises(UnauthorizedError, match="expired") as refused:
        verifier.verify(token, **AT_REQUEST)
    assert refused.value.code == "principal_invalid"
    fresh = PrincipalVerifier(verifier.public_key, service=SERVICE, clock=clock)
    with pytest.raises(UnauthorizedError, match="expired"):
        fresh.verify(token, **AT_REQUEST)


def test_the_signer_reuses_a_token_for_half_its_life_then_signs_a_new_one() -> None:
    clock = Clock()
    signer, verifier, _ = _pair(clock)
    first = signer.sign(VNPT, **FOR_REQUEST)
    clock.now += 4.9
    assert signer.sign(VNPT, **FOR_REQUEST) == first
    assert signer.sign(VNPT, service=SERVICE, method="POST", path="/commands/units/merge") != first
    clock.now += 0.2
    second = signer.sign(VNPT, **FOR_REQUEST)
    assert second != first
    assert verifier.verify(second, **AT_REQUEST) == VNPT


def test_each_token_has_its_own_id() -> None:
    signer, _, _ = _pair()
    first = jwt.decode(signer.sign(VNPT, **FOR_REQUEST), options={"verify_signature": False})
    other = jwt.decode(
        signer.sign(VNPT, service="broadcast", method="GET", path="/x"), options={"verify_signature": False}
    )
    assert first["jti"]
    assert first["jti"] != other["jti"]


def test_a_token_without_its_request_binding_is_refused() -> None:
    _, verifier, key = _pair()
    now = int(time.time())
    base = {"iss": ISSUER, "aud": audience(SERVICE), "sub": "x", "scp": ["admin"], "iat": now, "exp": now + 5}
    for claims in (base, {**base, "htm": METHOD}, {**base, "htm": METHOD, "htu": 7}):
        with pytest.raises(UnauthorizedError):
            verifier.verify(jwt.encode(claims, key, algorithm=ALGORITHM), **AT_REQUEST)


@pytest.mark.parametrize("exp", [float("nan"), float("inf"), "soon", None, [1]])
def test_a_token_whose_expiry_is_not_a_time_is_refused(exp: object) -> None:
    """A NaN ``exp`` would compare as never expired: refused, not trusted for ever."""
    _, verifier, key = _pair()
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": audience(SERVICE), "sub": "x", "scp": ["admin"], "iat": now, "exp": exp}
    claims |= {"jti": "j1", "htm": METHOD, "htu": PATH}
    with pytest.raises(UnauthorizedError) as refused:
        verifier.verify(jwt.encode(claims, key, algorithm=ALGORITHM), **AT_REQUEST)
    assert refused.value.code == "principal_invalid"
