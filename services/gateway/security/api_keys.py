"""API keys: how they look, how they are made, and how a presented key is checked.

A key reads ``tsk_<key id>_<secret>``. The key id (64 random bits, hex) is not secret: it is
the primary key of the stored row, so checking a key is one indexed lookup, and it names the
key in logs and listings. The secret is 256 random bits; only its SHA-256 is stored. A fast
hash is right here: a slow one (argon2, bcrypt) protects low-entropy passwords against guessing,
and nobody guesses 2^256. See docs/adr/0010-partner-authentication.md.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets

import msgspec

PREFIX = "tsk_"
_SHAPE = re.compile(r"^tsk_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$")


class NewKey(msgspec.Struct, frozen=True):
    key_id: str
    secret_hash: bytes
    token: str
    """The whole key: shown to the operator once, never stored."""


class PresentedKey(msgspec.Struct, frozen=True):
    key_id: str
    secret: str


def hash_secret(secret: str) -> bytes:
    return hashlib.sha256(secret.encode("ascii")).digest()


def generate() -> NewKey:
    key_id = secrets.token_hex(8)
    secret = base64.urlsafe_b64encode(secrets.token_bytes(32)).rstrip(b"=").decode("ascii")
    return NewKey(key_id=key_id, secret_hash=hash_secret(secret), token=f"{PREFIX}{key_id}_{secret}")


def looks_like_key(token: str) -> bool:
    return token.startswith(PREFIX)


def parse(token: str) -> PresentedKey | None:
    """The parts of a well-formed key, or None."""
    match = _SHAPE.match(token)
    if match is None:
        return None
    return PresentedKey(key_id=match.group(1), secret=match.group(2))


def matches(presented: PresentedKey, stored_hash: bytes) -> bool:
    # Constant time, so response timing says nothing about how much of a guess was right.
    return hmac.compare_digest(hash_secret(presented.secret), stored_hash)
