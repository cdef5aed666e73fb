"""Who published a record: the topic's own relay signs each one with its service's event key.

Anyone who can reach the broker can write to a topic, so a consumer trusts a record only when
it carries a MAC made with the key of the service whose topic it is (ADR 0022). The MAC is a
keyed BLAKE2b-256 over the topic's name, the partition and the record's value (the envelope):
a record copied to another topic or another partition, or changed by one byte, no longer
verifies. The partition is covered because a consumer's copy rule (skip what is at or below
the position last taken) is kept per partition: a genuine record re-sent to another partition
would otherwise be a fresh event there. The relay therefore chooses each record's partition
itself before signing it. Headers are not covered: they repeat envelope fields for routing
and tracing, and no consumer trusts them over the value.

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
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from libs.common.settings import Settings, SettingsError

HEADER = "signature"
KEY_BYTES = 32
MIN_KEY_BYTES = 16
"""Below this a MAC is guessable; an empty key would make it an unkeyed hash anyone computes."""


class EventKeyError(SettingsError):
    """An event key is missing or unreadable; the message names the setting to fix. A process
    without the keys it needs stops as for any other wrong setting: one line, exit code 2."""


def key_id(key: bytes) -> str:
    """A short public name for a key: lets a verifier pick the key without trying each."""
    return hashlib.blake2b(key, digest_size=4, person=b"tinhso-kid").hexdigest()


def _checked(key: bytes) -> bytes:
    if len(key) < MIN_KEY_BYTES:
        raise EventKeyError(
            f"an event key of {len(key)} bytes is refused; an event key has at least {MIN_KEY_BYTES} bytes "
            "(TINHSO_EVENT_KEYS_DIR, `tinhso keys`)"
        )
    return key


def _keyed(key: bytes, topic: str) -> Any:
    """The MAC's state after the key and the topic: copied for each partition, not rebuilt."""
    digest = hashlib.blake2b(key=_checked(key), digest_size=32, person=b"tinhso-event")
    digest.update(topic.encode())
    digest.update(b"\0")  # a topic name never contains NUL: topic and partition cannot be shifted
    return digest


def _in_partition(keyed: Any, partition: int) -> Any:
    """The MAC's state after the key, the topic and the partition: copied for each record."""
    digest = keyed.copy()
    digest.update(partition.to_bytes(4, "big"))  # fixed width: partition and value cannot be shifted
    return digest


def _mac(keyed: Any, value: bytes) -> str:
    digest = keyed.copy()
    digest.update(value)
    return str(digest.hexdigest())


class RecordSigner:
    """Signs the records one relay publishes to its topic, each for the partition it goes to."""

    def __init__(self, key: bytes, topic: str) -> None:
        self._keyed = _keyed(key, topic)
        self._partitions: dict[int, Any] = {}
        self._prefix = key_id(key) + ":"

    @classmethod
    def from_settings(cls, settings: Settings, service: str) -> RecordSigner:
        return cls(signing_key(settings, service), settings.topic(service))

    def header(self, value: bytes, partition: int) -> tuple[str, bytes]:
        keyed = self._partitions.get(partition)
        if keyed is None:
            keyed = self._partitions[partition] = _in_partition(self._keyed, partition)
        return HEADER, (self._prefix + _mac(keyed, value)).encode()


class RecordVerifier:
    """Checks that a record was signed with a key its topic's service holds."""

    def __init__(self, keys: Mapping[str, Iterable[bytes]]) -> None:
        """``keys`` maps each topic to the keys accepted on it."""
        self._keyed = {topic: {key_id(k): _keyed(k, topic) for k in accepted} for topic, accepted in keys.items()}
        self._checkers: dict[tuple[str, int], Callable[[bytes, Sequence[tuple[str, bytes]]], str | None]] = {}

    @classmethod
    def from_settings(cls, settings: Settings, services: Iterable[str]) -> RecordVerifier:
        """Accepts each service's keys on that service's topic."""
        return cls({settings.topic(s): accepted_keys(settings, s) for s in services})

    def problem(self, topic: str, partition: int, value: bytes, headers: Sequence[tuple[str, bytes]]) -> str | None:
        """Why the record read from ``partition`` of ``topic`` is not what the topic's relay
        published there (``None``: it is)."""
        return self.checker(topic, partition)(value, headers)

    def checker(self, topic: str, partition: int) -> Callable[[bytes, Sequence[tuple[str, bytes]]], str | None]:
        """:meth:`problem` for one partition: what a consumer calls per record (about 2 µs)."""
        known = self._checkers.get((topic, partition))
        if known is not None:
            return known
        keys = {kid.encode(): _in_partition(keyed, partition) for kid, keyed in self._keyed.get(topic, {}).items()}

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
                return f"the signature does not match the record in partition {partition}: forged, altered or moved"
            return None

        self._checkers[(topic, partition)] = problem
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
    hands each process the keys of the services whose topics it reads or writes. Two of them
    running at once end up with one key: the first to create the file wins, and the other
    reads the winner's (it never replaces a key a relay may already sign with).
    """
    written = []
    for service in services:
        path = key_file(settings, service)
        if path.exists():
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if _create_once(path, secrets.token_hex(KEY_BYTES) + "\n"):
            written.append(path)
    return written


def _create_once(path: Path, text: str) -> bool:
    """Write ``text`` to ``path`` unless it exists, atomically; ``False``: another process did.

    The key goes to a private temporary file first (0600 before any byte lands), which is then
    hard-linked to its name: the link fails if the name exists, and a reader never sees half a key.
    """
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w") as out:
            out.write(text)
        try:
            os.link(tmp, path)
        except FileExistsError:
            return False
        return True
    finally:
        os.unlink(tmp)
