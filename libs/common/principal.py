"""Who is calling a service: a principal the gateway vouches for with a signed, short-lived token.

Partners authenticate at the gateway only (API keys, JWTs). The gateway then calls the internal
services on the partner's behalf and attaches the principal as a compact JWT signed with an
Ed25519 key. Services hold only the public key, so a compromised service cannot mint tokens
for another, and a request that did not pass through the gateway carries no valid token.

A token is good for one service (its audience), one request (method and path) and a few
seconds (ADR 0021): one seen on the wire or in a service cannot be spent on another service,
another route, or a minute later. The gateway reuses a token for the same principal and request
for half its lifetime, and services cache what they verified, so the signature is checked once
per token, not on every request.
"""

from __future__ import annotations

import enum
import math
import os
import secrets
import time
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jwt
import msgspec
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from libs.common.errors import UnauthorizedError
from libs.common.settings import Settings, SettingsError

HEADER = "x-tinhso-principal"
ISSUER = "tinhso-gateway"
ALGORITHM = "EdDSA"
LEEWAY_SECONDS = 2
"""Clock skew a service tolerates between its host and the gateway's (NTP keeps it far below)."""
CACHE_SIZE = 8192
"""Tokens a signer keeps for reuse, and tokens a verifier remembers; the oldest go first."""

SCOPES = frozenset({"read", "registry:write", "broadcast:write", "metrics:write", "alerts:issue", "admin"})
SCOPES |= {"personal-data"}  # with read: the names of people in live events (gateway, ADR 0020)
SCOPES |= {"broadcast:approve"}  # approves programmes' content, within the caller's unit (ADR 0052)
SCOPES |= {"source:link"}  # a source-information system: its bulletins in, their results out (ADR 0054)

Clock = Callable[[], float]


def audience(service: str) -> str:
    """The audience of a token for ``service``: another service refuses it."""
    return f"tinhso-{service}"


def request_path(path: str) -> str:
    """The part of a request's target a token is bound to: the path, without the query and
    without a trailing slash, as Litestar hands it to the services' middleware (``/units/``
    is served as ``/units``)."""
    return path.partition("?")[0].rstrip("/") or "/"


class Principal(msgspec.Struct, frozen=True, kw_only=True):
    """A caller as the services see it.

    ``organisation`` is the operator the caller acts for (``VNPT``, ``VIETTEL``): it may write
    only assets that organisation operates. ``unit_code`` confines a district centre's writes to
    that unit and its descendants.
    """

    subject: str
    partner: str | None = None
    scopes: frozenset[str] = frozenset()
    organisation: str | None = None
    unit_code: str | None = None

    def allows(self, scope: str) -> bool:
        return "admin" in self.scopes or scope in self.scopes

    @property
    def is_admin(self) -> bool:
        return "admin" in self.scopes


def _claims(principal: Principal, target: tuple[str, str, str], now: float, ttl: int) -> dict[str, Any]:
    service, method, path = target
    claims: dict[str, Any] = {
        "iss": ISSUER,
        "aud": audience(service),
        "sub": principal.subject,
        "iat": int(now),
        "exp": int(now) + ttl,
        # Names from DPoP (RFC 9449): the request's method and its path on the service.
        "htm": method,
        "htu": path,
        "jti": secrets.token_urlsafe(12),
        "scp": sorted(principal.scopes),
    }
    if principal.partner is not None:
        claims["ptn"] = principal.partner
    if principal.organisation is not None:
        claims["org"] = principal.organisation
    if principal.unit_code is not None:
        claims["unit"] = principal.unit_code
    return claims


class PrincipalSigner:
    """Signs principals for outgoing internal calls, each token for one service and request.

    A token is reused for the same principal and request for half its lifetime: the gateway
    signs once per (principal, service, method, path) every few seconds, not once per call.
    """

    def __init__(self, private_key: Ed25519PrivateKey, *, ttl_seconds: int = 10, clock: Clock = time.time) -> None:
        self._key = private_key
        self._ttl = ttl_seconds
        self._clock = clock
        self._cache: OrderedDict[tuple[Principal, str, str, str], tuple[float, str]] = OrderedDict()

    @classmethod
    def from_settings(cls, settings: Settings) -> PrincipalSigner:
        return cls(load_private_key(private_key_path(settings)), ttl_seconds=settings.principal_token_ttl_seconds)

    def sign(self, principal: Principal, *, service: str, method: str, path: str) -> str:
        """A token for ``method path`` on ``service`` (a query string is not part of it)."""
        now = self._clock()
        key = (principal, service, method.upper(), request_path(path))
        cached = self._cache.get(key)
        if cached is not None and cached[0] > now:
            return cached[1]
        token = jwt.encode(_claims(principal, key[1:], now, self._ttl), self._key, algorithm=ALGORITHM)
        self._cache[key] = (now + self._ttl / 2, token)
        self._cache.move_to_end(key)
        if len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)
        return token

    def headers(self, principal: Principal, *, service: str, method: str, path: str) -> dict[str, str]:
        return {HEADER: self.sign(principal, service=service, method=method, path=path)}


def _invalid(why: str) -> UnauthorizedError:
    return UnauthorizedError(f"the principal token is not valid: {why}", code="principal_invalid")


class PrincipalVerifier:
    """Verifies tokens for one service with the gateway's public key; remembers tokens it
    verified (with the request each is bound to) until they expire."""

    def __init__(
        self,
        public_key: Ed25519PublicKey,
        *,
        service: str,
        leeway_seconds: int = LEEWAY_SECONDS,
        clock: Clock = time.time,
    ) -> None:
        self.public_key = public_key
        self._audience = audience(service)
        self._leeway = leeway_seconds
        self._clock = clock
        self._verified: OrderedDict[str, tuple[float, Principal, str, str]] = OrderedDict()

    @classmethod
    def from_settings(cls, settings: Settings, *, service: str) -> PrincipalVerifier:
        return cls(load_public_key(public_key_path(settings)), service=service)

    def verify(self, token: str | None, *, method: str, path: str) -> Principal:
        """The principal of ``token`` if it was signed for this service and ``method path``."""
        if not token:
            raise UnauthorizedError(
                f"this service accepts only requests through the gateway (header {HEADER} missing)",
                code="principal_missing",
            )
        now = self._clock()
        known = self._verified.get(token)
        if known is None:
            known = self._decode(token, now)
            self._verified[token] = known
            if len(self._verified) > CACHE_SIZE:
                self._verified.popitem(last=False)
        expires, principal, bound_method, bound_path = known
        if expires + self._leeway <= now:
            del self._verified[token]
            raise _invalid("it has expired")
        if (bound_method, bound_path) != (method, request_path(path)):
            raise _invalid("it was signed for another request")
        return principal

    def _decode(self, token: str, now: float) -> tuple[float, Principal, str, str]:
        try:
            # Expiry is checked against this verifier's clock (below), not PyJWT's.
            claims = jwt.decode(
                token,
                self.public_key,
                algorithms=[ALGORITHM],
                audience=self._audience,
                issuer=ISSUER,
                options={
                    "require": ["exp", "iat", "sub", "iss", "aud", "jti", "htm", "htu"],
                    "verify_exp": False,
                    "verify_iat": False,
                },
            )
            expires, issued = claims["exp"], claims["iat"]
            if not all(isinstance(t, int | float) and math.isfinite(t) for t in (expires, issued)):
                raise _invalid("its exp and iat are not times")
            bound_method, bound_path = claims["htm"], claims["htu"]
            if not isinstance(bound_method, str) or not isinstance(bound_path, str):
                raise _invalid("its request binding (htm, htu) is not text")
            principal = Principal(
                subject=str(claims["sub"]),
                partner=claims.get("ptn"),
                scopes=frozenset(str(s) for s in claims.get("scp", ())),
                organisation=claims.get("org"),
                unit_code=claims.get("unit"),
            )
        except (jwt.PyJWTError, TypeError, ValueError) as exc:
            raise _invalid(str(exc)) from None
        if issued > now + self._leeway:
            raise _invalid("it was issued in the future")
        return float(expires), principal, bound_method, bound_path


# --- keys -------------------------------------------------------------------------------


class KeyFileError(SettingsError):
    """A key file is missing or unreadable; the message names the setting to fix. A process
    that cannot read its key stops as for any other wrong setting: one line, exit code 2."""


def private_key_path(settings: Settings) -> Path:
    return Path(settings.principal_private_key_file or settings.state_path / "keys" / "principal-ed25519.pem")


def public_key_path(settings: Settings) -> Path:
    return Path(settings.principal_public_key_file or settings.state_path / "keys" / "principal-ed25519.pub.pem")


class KeysWritten(enum.Enum):
    """What :func:`ensure_keypair` wrote."""

    NOTHING = "nothing"
    PUBLIC_KEY = "public key"
    """Derived from the private key already there."""
    PAIR = "pair"

    def __bool__(self) -> bool:
        return self is not KeysWritten.NOTHING


def ensure_keypair(settings: Settings) -> KeysWritten:
    """Create the gateway's key pair where the settings point, unless it exists.

    A private key without its public half keeps the private key and writes the public one.
    Raises :class:`KeyFileError` for a private key that cannot be read.

    ``tinhso up`` calls this before starting the services; a deployment runs ``tinhso keys``
    once and hands the private key to the gateway only.
    """
    private, public = private_key_path(settings), public_key_path(settings)
    if private.exists() and public.exists():
        return KeysWritten.NOTHING
    public.parent.mkdir(parents=True, exist_ok=True)
    written = KeysWritten.PUBLIC_KEY
    if private.exists():  # the public half is derived, never a new pair over a key in use
        key = load_private_key(private)
    else:
        written = KeysWritten.PAIR
        key = Ed25519PrivateKey.generate()
        private.parent.mkdir(parents=True, exist_ok=True)
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        # Write-then-rename so a concurrent reader never sees half a key; 0600 before any byte lands.
        tmp = private.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(pem)
        os.replace(tmp, private)
    public.write_bytes(
        key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    return written


def load_private_key(path: Path) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError) as exc:
        raise KeyFileError(
            f"cannot read the gateway's signing key (TINHSO_PRINCIPAL_PRIVATE_KEY_FILE): {exc}"
        ) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyFileError(f"{path} is not an Ed25519 private key (TINHSO_PRINCIPAL_PRIVATE_KEY_FILE)")
    return key


def load_public_key(path: Path) -> Ed25519PublicKey:
    try:
        key = serialization.load_pem_public_key(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise KeyFileError(f"cannot read the gateway's public key (TINHSO_PRINCIPAL_PUBLIC_KEY_FILE): {exc}") from None
    if not isinstance(key, Ed25519PublicKey):
        raise KeyFileError(f"{path} is not an Ed25519 public key (TINHSO_PRINCIPAL_PUBLIC_KEY_FILE)")
    return key
