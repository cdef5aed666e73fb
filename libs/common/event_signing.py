"""Who published a record: the topic's own relay signs each one with its service's event key.

Anyone who can reach the broker can write to a topic, so a consumer trusts a record only when
it carries a MAC made with the key of the service whose topic it is (ADR 0022). The MAC is a
keyed BLAKE2b-256 over the topic's name and the record's value (the envelope): a record copied
to another topic, or changed by one byte, no longer verifies. Headers are not covered: they
repeat envelope fields for routing and tracing, and no consumer trusts them over the value.

Keys are 32 random bytes, one per service, kept as hex text in ``<service>.key`` under
``TINHSO_EVENT_KEYS_DIR`` (default ``<state_dir>/keys/events``). The relay signs with
``<service>.key``; a consumer accepts that key and any ``<service>.<label>.key`` beside it
(``.next`` and ``.previous`` during a rotation, ``docs/security/event-log-integrity.md``).
The ``signature`` header says which key signed (``<key id>:<hex MAC>``), so a verifier
computes one MAC per record whatever the number of keys it accepts.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from libs.common.settings import Settings, SettingsError

HEADER = "signature"
KEY_BYTES = 32


class EventKeyError(SettingsError):
    """An event key is missing or unreadable; the message names the setting to fix. A process
    without the keys it needs stops as for any other wrong setting: one line, exit code 2."""


def key_id(key: bytes) -> str:
    """A short public name for a key: lets a verifier pick the key without trying each."""
    return hashlib.blake2b(key, digest_size=4, person=b"tinhso-kid").hexdigest()


def _keyed(key: bytes, topic: str) -> Any:
    """The MAC's state after the key and the topic: copied for each record, not rebuilt."""
    digest = hashlib.blake2b(key=key, digest_size=32, person=b"tinhso-event")
    digest.update(topic.encode())
    digest.update(b"\0")  # a topic name never contains NUL: topic and value cannot be shifted
    return digest


def _mac(keyed: Any, value: bytes) -> str:
    digest = keyed.copy()
    digest.update(value)
    return str(digest.hexdigest())


class RecordSigner:
    """Signs the records one relay publishes to its topic."""

    def __init__(self, key: bytes, topic: str) -> None:
        self._keyed = _keyed(key, topic)
        self._prefix = key_id(key) + ":"

    @classmethod
    def from_settings(cls, settings: Settings, service: str) -> RecordSigner:
        return cls(signing_key(settings, service), settings.topic(service))

    def header(self, value: bytes) -> tuple[str, bytes]:
        return HEADER, (self._prefix + _mac(self._keyed, value)).encode()


class RecordVerifier:
    """Checks that a record was signed with a key its topic's service holds."""

    def __init__(self, keys: Mapping[str, Iterable[bytes]]) -> None:
        """``keys`` maps each topic to the keys accepted on it."""
        self._keyed = {topic: {key_id(k): _keyed(k, topic) for k in accepted} for topic, accepted in keys.items()}
        self._checkers: dict[str, Callable[[bytes, Sequence[tuple[str, bytes]]], str | None]] = {}

    @classmethod
    def from_settings(cls, settings: Settings, services: Iterable[str]) -> RecordVerifier:
        """Accepts each service's keys on that service's topic."""
        return cls({settings.topic(s): accepted_keys(settings, s) for s in services})

    def problem(self, topic: str, value: bytes, headers: Sequence[tuple[str, bytes]]) -> str | None:
        """Why the record is not its topic's relay's (``None``: it is)."""
        return self.checker(topic)(value, headers)

    def checker(self, topic: str) -> Callable[[bytes, Sequence[tuple[str, bytes]]], str | None]:
        """:meth:`problem` for one topic: what a consumer calls per record (about 2 µs)."""
        known = self._checkers.get(topic)
        if known is not None:
            return known
        keys = {kid.encode(): keyed for kid, keyed in self._keyed.get(topic, {}).items()}

        def problem(value: bytes, headers: Sequence[tuple[str, bytes]]) -> str | None:
            signature = None
            for name, header in reversed(headers):  # the relay sets it last
                if name == HEADER:
                    signature = header
                    break
            if signature is None:
                return "not signed by the topic's relay (no signature header)"
            keyed = keys.get(signature[:8])
            if keyed is None or signature[8:9] != b":":
                kid = signature.split(b":", 1)[0][:16].decode(errors="replace")
                return f"signed with key {kid!r}, which is not a key of {topic}'s relay"
            digest = keyed.copy()
            digest.update(value)
            if not hmac.compare_digest(signature[9:], digest.hexdigest().encode()):
                return "the signature does not match the record: forged or altered"
            return None

        self._checkers[topic] = problem
        return problem


# --- keys -------------------------------------------------------------------------------


def keys_path(settings: Settings) -> Path:
    return Path(settings.event_keys_dir or settings.state_path / "keys" / "events")


def key_file(settings: Settings, service: str) -> Path:
    return keys_path(settings) / f"{service}.key"


def _read_key(path: Path) -> bytes:
    try:
        key = bytes.fromhex(path.read_text().strip())
    except (OSError, ValueError) as exc:
        raise EventKeyError(f"cannot read the event key {path} (TINHSO_EVENT_KEYS_DIR): {exc}") from None
    if len(key) < 16:
        raise EventKeyError(f"{path} holds {len(key)} bytes; an event key has at least 16 (TINHSO_EVENT_KEYS_DIR)")
    return key


def signing_key(settings: Settings, service: str) -> bytes:
    return _read_key(key_file(settings, service))


def accepted_keys(settings: Settings, service: str) -> list[bytes]:
    """``<service>.key`` and every ``<service>.<label>.key`` beside it."""
    extra = sorted(keys_path(settings).glob(f"{service}.*.key"))
    return [signing_key(settings, service), *(_read_key(path) for path in extra)]


def ensure_event_keys(settings: Settings, services: Iterable[str]) -> list[Path]:
    """Create each service's event key where the settings point, unless it exists.

    Returns the files written. ``tinhso up`` and ``tinhso keys`` call this; a deployment
    hands each process the keys of the services whose topics it reads or writes.
    """
    written = []
    for service in services:
        path = key_file(settings, service)
        if path.exists():
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        # Write-then-rename so a concurrent reader never sees half a key; 0600 before any byte lands.
        tmp = path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_hex(KEY_BYTES) + "\n")
        os.replace(tmp, path)
        written.append(path)
    return written
