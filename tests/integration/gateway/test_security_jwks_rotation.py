"""JWTs verified against the identity provider's JWKS URL: a local JWKS server that rotates keys.

The server is a real HTTP server on loopback; the verifier fetches from it as the gateway
does. The clock of the key set is the test's, so cache expiry and the refetch floor are
exercised without sleeping.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from litestar import Litestar, Response, get

from libs.common.errors import UnauthorizedError
from libs.common.settings import SettingsError, load_settings
from services.gateway.security.external_jwt import ExternalJwtVerifier, JwtConfigError
from services.gateway.security.identity import Authenticator
from services.gateway.security.jwks import RemoteKeySet
from tests.support.http_server import Server, listening_socket

ISSUER, AUDIENCE = "https://id.backan.gov.vn", "tinhso"
CACHE_SECONDS, FLOOR_SECONDS = 300.0, 30.0


@dataclass
class Provider:
    """The identity provider: the keys it publishes, and how often its JWKS was asked for."""

    published: dict[str, ec.EllipticCurvePrivateKey] = field(default_factory=dict)
    down: bool = False
    served: int = 0

    def sign(self, kid: str, subject: str = "user-1") -> str:
        now = int(time.time())
        claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": subject, "exp": now + 300, "scope": "read"}
        return jwt.encode(claims, self.published[kid], algorithm="ES256", headers={"kid": kid})

    def forge(self, kid: str) -> str:
        """A token naming a key id the provider never published, signed by a stranger."""
        stranger = ec.generate_private_key(ec.SECP256R1())
        claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": "x", "exp": int(time.time()) + 300}
        return jwt.encode(claims, stranger, algorithm="ES256", headers={"kid": kid})

    def app(self) -> Litestar:
        @get("/.well-known/jwks.json", sync_to_thread=False)
        def jwks() -> Response[Any]:
            self.served += 1
            if self.down:
                return Response({"error": "maintenance"}, status_code=503)
            keys = [
                {**json.loads(jwt.algorithms.ECAlgorithm.to_jwk(key.public_key())), "kid": kid, "alg": "ES256"}
                for kid, key in self.published.items()
            ]
            return Response({"keys": keys})

        return Litestar([jwks], logging_config=None)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def provider() -> AsyncIterator[tuple[Provider, str]]:
    idp = Provider(published={"k1": ec.generate_private_key(ec.SECP256R1())})
    sock = listening_socket()
    server = Server(idp.app(), sock, lifespan="off")
    await server.start()
    try:
        yield idp, f"http://127.0.0.1:{server.port}/.well-known/jwks.json"
    finally:
        await server.stop()
        sock.close()


def _verifier(url: str, clock: Clock) -> tuple[ExternalJwtVerifier, RemoteKeySet]:
    remote = RemoteKeySet(url, cache_seconds=CACHE_SECONDS, min_refetch_seconds=FLOOR_SECONDS, clock=clock)
    verifier = ExternalJwtVerifier([], issuer=ISSUER, audience=AUDIENCE, algorithms=frozenset({"ES256"}), remote=remote)
    return verifier, remote


async def _verify(verifier: ExternalJwtVerifier, token: str) -> str:
    """What the gateway's authenticator makes of the token (no cache): a subject or a 401 code."""
    authenticator = Authenticator(None, verifier, cache_seconds=0)  # type: ignore[arg-type]  # JWTs only
    try:
        principal = await authenticator.authenticate(f"Bearer {token}")
    except UnauthorizedError as exc:
        return exc.code
    assert principal is not None
    return principal.subject


async def test_a_key_rotated_in_is_fetched_at_once_and_a_known_key_is_not_fetched_again(
    provider: tuple[Provider, str],
) -> None:
    idp, url = provider
    clock = Clock()
    verifier, remote = _verifier(url, clock)
    assert await _verify(verifier, idp.sign("k1")) == "jwt:user-1"
    assert await _verify(verifier, idp.sign("k1", "user-2")) == "jwt:user-2"
    assert idp.served == 1  # cached

    idp.published["k2"] = ec.generate_private_key(ec.SECP256R1())  # the provider rotates in k2
    clock.now += FLOOR_SECONDS
    assert await _verify(verifier, idp.sign("k2")) == "jwt:user-1"  # no wait for the cache to expire
    assert idp.served == 2
    assert {key.key_id for key in remote.keys} == {"k1", "k2"}


async def test_unknown_key_ids_refetch_at_most_once_per_floor(provider: tuple[Provider, str]) -> None:
    idp, url = provider
    clock = Clock()
    verifier, _ = _verifier(url, clock)
    assert await _verify(verifier, idp.sign("k1")) == "jwt:user-1"
    clock.now += FLOOR_SECONDS
    outcomes = [await _verify(verifier, idp.forge(f"made-up-{n}")) for n in range(20)]
    assert outcomes == ["invalid_token"] * 20
    assert idp.served == 2  # one refetch for twenty unknown key ids
    clock.now += FLOOR_SECONDS - 1
    await _verify(verifier, idp.forge("made-up-again"))
    assert idp.served == 2
    clock.now += 1
    await _verify(verifier, idp.forge("made-up-again"))
    assert idp.served == 3


async def test_a_withdrawn_key_stops_working_when_the_cache_expires(provider: tuple[Provider, str]) -> None:
    idp, url = provider
    clock = Clock()
    verifier, _ = _verifier(url, clock)
    old = idp.sign("k1")
    assert await _verify(verifier, old) == "jwt:user-1"
    idp.published = {"k2": ec.generate_private_key(ec.SECP256R1())}  # k1 withdrawn
    clock.now += CACHE_SECONDS - 1
    assert await _verify(verifier, old) == "jwt:user-1"  # the cached set still holds it
    clock.now += 1
    assert await _verify(verifier, old) == "invalid_token"
    assert await _verify(verifier, idp.sign("k2")) == "jwt:user-1"


async def test_while_the_jwks_url_fails_the_last_key_set_stays_in_use(provider: tuple[Provider, str]) -> None:
    idp, url = provider
    clock = Clock()
    verifier, _ = _verifier(url, clock)
    assert await _verify(verifier, idp.sign("k1")) == "jwt:user-1"
    idp.down = True
    clock.now += CACHE_SECONDS
    assert await _verify(verifier, idp.sign("k1")) == "jwt:user-1"
    assert idp.served == 2  # it did try
    idp.down = False
    clock.now += FLOOR_SECONDS
    idp.published["k2"] = ec.generate_private_key(ec.SECP256R1())
    assert await _verify(verifier, idp.sign("k2")) == "jwt:user-1"


async def test_the_jwks_url_is_a_setting_exclusive_with_the_file_and_the_pem(
    provider: tuple[Provider, str], tmp_path: Any
) -> None:
    idp, url = provider
    verifier = ExternalJwtVerifier.from_settings(
        load_settings({}, jwt_issuer=ISSUER, jwt_audience=AUDIENCE, jwt_jwks_url=url)
    )
    assert verifier is not None
    assert await _verify(verifier, idp.sign("k1")) == "jwt:user-1"
    with pytest.raises(JwtConfigError, match="exactly one"):
        ExternalJwtVerifier.from_settings(
            load_settings({}, jwt_issuer=ISSUER, jwt_audience=AUDIENCE, jwt_jwks_url=url, jwt_jwks_file="/x.json")
        )
    with pytest.raises(SettingsError, match="TINHSO_JWT_JWKS_URL"):
        ExternalJwtVerifier.from_settings(
            load_settings({}, jwt_issuer=ISSUER, jwt_audience=AUDIENCE, jwt_jwks_url="file:///etc/jwks.json")
        )
