"""Who is calling a service: a principal the gateway vouches for with a signed, short-lived token.

Partners authenticate at the gateway only (API keys, JWTs). The gateway then calls the internal
services on the partner's behalf and attaches the principal as a compact JWT signed with an
Ed25519 key. Services hold only the public key, so a compromised service cannot mint tokens
for another, and a request that did not pass through the gateway carries no valid token.

The gateway reuses one token per principal for half its lifetime, so services cache what they
verified: a token is checked once, not on every request.
"""

from __future__ import annotations

import enum
import os
import time
from collections import OrderedDict
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
AUDIENCE = "tinhso-services"
ALGORITHM = "EdDSA"

SCOPES = frozenset({"read", "registry:write", "broadcast:write", "metrics:write", "alerts:issue", "admin"})
SCOPES |= {"personal-data"}  # with read: the names of people in live events (gateway, ADR 0020)


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


def _claims(principal: Principal, now: float, ttl: int) -> dict[str, Any]:
    claims: dict[str, Any] = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": principal.subject,
        "iat": int(now),
        "exp": int(now) + ttl,
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
    """Signs principals for outgoing internal calls, reusing a token for half its lifetime."""

    def __init__(self, private_key: Ed25519PrivateKey, *, ttl_seconds: int = 120) -> None:
        self._key = private_key
        self._ttl = ttl_seconds
        self._cache: OrderedDict[Principal, tuple[float, str]] = OrderedDict()

    @classmethod
    def from_settings(cls, settings: Settings) -> PrincipalSigner:
        return cls(load_private_key(private_key_path(settings)), ttl_seconds=settings.principal_token_ttl_seconds)

    def sign(self, principal: Principal) -> str:
        now = time.time()
        cached = self._cache.get(principal)
        if cached is not None and cached[0] > now:
            return cached[1]
        token = jwt.encode(_claims(principal, now, self._ttl), self._key, algorithm=ALGORITHM)
        self._cache[principal] = (now + self._ttl / 2, token)
        if len(self._cache) > 4096:
            self._cache.popitem(last=False)
        return token

    def headers(self, principal: Principal) -> dict[str, str]:
        return {HEADER: self.sign(principal)}


class PrincipalVerifier:
    """Verifies tokens with the gateway's public key; remembers tokens it already verified."""

    def __init__(self, public_key: Ed25519PublicKey, *, leeway_seconds: int = 5) -> None:
        self._key = public_key
        self._leeway = leeway_seconds
        self._verified: OrderedDict[str, tuple[float, Principal]] = OrderedDict()

    @classmethod
    def from_settings(cls, settings: Settings) -> PrincipalVerifier:
        return cls(load_public_key(public_key_path(settings)))

    def verify(self, token: str | None) -> Principal:
        if not token:
            raise UnauthorizedError(
                f"this service accepts only requests through the gateway (header {HEADER} missing)",
                code="principal_missing",
            )
        now = time.time()
        known = self._verified.get(token)
        if known is not None:
            if known[0] + self._leeway > now:
                return known[1]
            del self._verified[token]
        try:
            claims = jwt.decode(
                token,
                self._key,
                algorithms=[ALGORITHM],
                audience=AUDIENCE,
                issuer=ISSUER,
                leeway=self._leeway,
                options={"require": ["exp", "iat", "sub", "iss", "aud"]},
            )
            principal = Principal(
                subject=str(claims["sub"]),
                partner=claims.get("ptn"),
                scopes=frozenset(str(s) for s in claims.get("scp", ())),
                organisation=claims.get("org"),
                unit_code=claims.get("unit"),
            )
        except (jwt.PyJWTError, TypeError, ValueError) as exc:
            raise UnauthorizedError(f"the principal token is not valid: {exc}", code="principal_invalid") from None
        self._verified[token] = (float(claims["exp"]), principal)
        if len(self._verified) > 4096:
            self._verified.popitem(last=False)
        return principal


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
