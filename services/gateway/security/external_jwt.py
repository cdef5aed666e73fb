"""Signed JWTs from the province's identity provider, accepted instead of an API key.

Only asymmetric algorithms (RS256, ES256, EdDSA by default): the gateway holds public keys
only, so it cannot mint tokens, and ``none`` or HMAC tokens are never accepted. The algorithm
a token names must be the one its key is for, which closes the classic confusion attack
(an RSA public key used as an HMAC secret). Keys come from a JWKS file or URL (``kid``
selects one; a URL's set is cached and fetched again on rotation, ``jwks.RemoteKeySet``) or a
single PEM public key.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jwt
import msgspec
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from libs.common.errors import UnauthorizedError
from libs.common.principal import SCOPES, Principal
from libs.common.settings import Settings, SettingsError
from services.gateway.security.jwks import RemoteKeySet

ASYMMETRIC = frozenset({"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"})


class JwtConfigError(SettingsError):
    """The identity-provider settings are wrong; the message names the variable."""


class ClaimNames(msgspec.Struct, frozen=True, kw_only=True):
    scopes: str = "scope"
    organisation: str = "organisation"
    unit_code: str = "unit_code"
    partner: str = "partner"


class VerificationKey(msgspec.Struct, frozen=True, kw_only=True):
    kid: str | None
    algorithm: str
    key: Any


class ExternalJwtVerifier:
    def __init__(
        self,
        keys: list[VerificationKey],
        *,
        issuer: str,
        audience: str,
        algorithms: frozenset[str],
        claims: ClaimNames | None = None,
        leeway_seconds: int = 30,
        remote: RemoteKeySet | None = None,
    ) -> None:
        """``remote``: keys fetched from a JWKS URL, used instead of ``keys``; call
        :meth:`prepare` before :meth:`verify` so that a rotated-in key is fetched."""
        self._algorithms = algorithms
        self._static = [k for k in keys if k.algorithm in algorithms]
        self._remote = remote
        if remote is None and not self._static:
            raise JwtConfigError(
                f"no configured key is usable with TINHSO_JWT_ALGORITHMS={','.join(sorted(algorithms))}"
            )
        self._issuer = issuer
        self._audience = audience
        self._claims = claims or ClaimNames()
        self._leeway = leeway_seconds

    @classmethod
    def from_settings(cls, settings: Settings) -> ExternalJwtVerifier | None:
        """None when no identity provider is configured (``TINHSO_JWT_ISSUER`` empty)."""
        if not settings.jwt_issuer:
            return None
        if not settings.jwt_audience:
            raise JwtConfigError("TINHSO_JWT_AUDIENCE must be set when TINHSO_JWT_ISSUER is")
        algorithms = frozenset(a.strip() for a in settings.jwt_algorithms.split(",") if a.strip())
        if not algorithms or not algorithms <= ASYMMETRIC:
            raise JwtConfigError(
                f"TINHSO_JWT_ALGORITHMS={settings.jwt_algorithms!r} is invalid: "
                f"expected some of {', '.join(sorted(ASYMMETRIC))}"
            )
        sources = [settings.jwt_jwks_file, settings.jwt_jwks_url, settings.jwt_public_key_file]
        if sum(bool(source) for source in sources) != 1:
            raise JwtConfigError(
                "set exactly one of TINHSO_JWT_JWKS_FILE, TINHSO_JWT_JWKS_URL and TINHSO_JWT_PUBLIC_KEY_FILE"
            )
        remote = None
        if settings.jwt_jwks_url:
            keys: list[VerificationKey] = []
            remote = RemoteKeySet(
                settings.jwt_jwks_url,
                cache_seconds=settings.jwt_jwks_cache_seconds,
                min_refetch_seconds=settings.jwt_jwks_min_refetch_seconds,
            )
        elif settings.jwt_jwks_file:
            keys = load_jwks(Path(settings.jwt_jwks_file))
        else:
            keys = [load_pem(Path(settings.jwt_public_key_file))]
        claims = ClaimNames(
            scopes=settings.jwt_scopes_claim,
            organisation=settings.jwt_organisation_claim,
            unit_code=settings.jwt_unit_code_claim,
            partner=settings.jwt_partner_claim,
        )
        return cls(
            keys,
            issuer=settings.jwt_issuer,
            audience=settings.jwt_audience,
            algorithms=algorithms,
            claims=claims,
            remote=remote,
        )

    async def prepare(self, token: str) -> None:
        """With a JWKS URL: fetch the key set if it is stale or lacks the key this token names
        (within the refetch floor). A token whose header cannot be read is left to ``verify``."""
        if self._remote is None:
            return
        try:
            kid = jwt.get_unverified_header(token).get("kid")
        except (jwt.PyJWTError, ValueError, TypeError):
            return
        await self._remote.refresh_for(kid if isinstance(kid, str) else None)

    @property
    def _keys(self) -> list[VerificationKey]:
        if self._remote is None:
            return self._static
        return [k for k in _verification_keys(self._remote.keys) if k.algorithm in self._algorithms]

    def verify(self, token: str) -> tuple[Principal, float]:
        """The principal a valid token names and when the token expires (epoch seconds)."""
        try:
            header = jwt.get_unverified_header(token)
            key = self._key_for(header)
            claims = jwt.decode(
                token,
                key.key,
                algorithms=[key.algorithm],
                audience=self._audience,
                issuer=self._issuer,
                leeway=self._leeway,
                options={"require": ["exp", "iss", "aud", "sub"]},
            )
        except jwt.ExpiredSignatureError:
            raise UnauthorizedError("the token has expired", code="token_expired") from None
        except (jwt.PyJWTError, ValueError, TypeError) as exc:
            raise UnauthorizedError(f"the token is not valid: {exc}", code="invalid_token") from None
        return self._principal(claims), float(claims["exp"])

    def _key_for(self, header: dict[str, Any]) -> VerificationKey:
        algorithm = header.get("alg")
        kid = header.get("kid")
        candidates = [k for k in self._keys if k.algorithm == algorithm]
        if kid is not None:
            candidates = [k for k in candidates if k.kid == kid]
        elif len(candidates) > 1:
            candidates = [k for k in candidates if k.kid is None]
        if len(candidates) != 1:
            raise jwt.InvalidTokenError(f"no trusted key for alg={algorithm!r} kid={kid!r}")
        return candidates[0]

    def _principal(self, claims: dict[str, Any]) -> Principal:
        names = self._claims
        raw_scopes = claims.get(names.scopes, ())
        words = raw_scopes.split() if isinstance(raw_scopes, str) else raw_scopes
        if not isinstance(words, list | tuple):
            raise UnauthorizedError(f"claim {names.scopes!r} must be a string or a list", code="invalid_token")
        # An identity provider serves other audiences too: scopes that are not tinhso's are ignored.
        scopes = frozenset(str(s) for s in words) & SCOPES
        return Principal(
            subject=f"jwt:{_text(claims, 'sub')}",
            partner=_text(claims, names.partner),
            scopes=scopes,
            organisation=(_text(claims, names.organisation) or "").upper() or None,
            unit_code=_text(claims, names.unit_code),
        )


def _text(claims: dict[str, Any], name: str) -> str | None:
    value = claims.get(name)
    if value is None:
        return None
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise UnauthorizedError(f"claim {name!r} must be a string", code="invalid_token")
    return str(value) or None


def load_jwks(path: Path) -> list[VerificationKey]:
    try:
        keyset = jwt.PyJWKSet.from_json(path.read_text("utf-8"))
    except (OSError, ValueError, jwt.PyJWTError) as exc:
        raise JwtConfigError(f"TINHSO_JWT_JWKS_FILE={str(path)!r} cannot be read: {exc}") from None
    return _verification_keys(keyset.keys)


def _verification_keys(keys: list[jwt.PyJWK]) -> list[VerificationKey]:
    return [VerificationKey(kid=k.key_id, algorithm=str(k.algorithm_name), key=k.key) for k in keys]


def load_pem(path: Path) -> VerificationKey:
    try:
        key = serialization.load_pem_public_key(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise JwtConfigError(f"TINHSO_JWT_PUBLIC_KEY_FILE={str(path)!r} cannot be read: {exc}") from None
    if isinstance(key, rsa.RSAPublicKey):
        algorithm = "RS256"
    elif isinstance(key, ec.EllipticCurvePublicKey):
        algorithm = {"secp256r1": "ES256", "secp384r1": "ES384", "secp521r1": "ES512"}.get(key.curve.name, "")
    elif isinstance(key, ed25519.Ed25519PublicKey):
        algorithm = "EdDSA"
    else:
        algorithm = ""
    if not algorithm:
        raise JwtConfigError(f"TINHSO_JWT_PUBLIC_KEY_FILE={str(path)!r}: unsupported key type")
    return VerificationKey(kid=None, algorithm=algorithm, key=key)
