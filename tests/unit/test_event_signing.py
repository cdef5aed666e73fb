"""Record signatures (ADR 0022): what verifies, what does not, and the keys on disk."""

from __future__ import annotations

import secrets
import stat
from pathlib import Path

import pytest

from libs.common.event_signing import (
    KEY_BYTES,
    EventKeyError,
    RecordSigner,
    RecordVerifier,
    accepted_keys,
    ensure_event_keys,
    key_file,
    signing_key,
)
from libs.common.settings import load_settings

OLD, NEW = bytes(range(32)), bytes(range(32, 64))
TOPIC = "tinhso.registry.events"
VALUE = b'{"event_id":"x"}'


def test_a_record_signed_with_the_topics_key_verifies() -> None:
    header = RecordSigner(NEW, TOPIC).header(VALUE, 2)
    assert RecordVerifier({TOPIC: [NEW]}).problem(TOPIC, 2, VALUE, [("event_id", b"x"), header]) is None


@pytest.mark.parametrize(
    ("topic", "partition", "value", "key", "reason"),
    [
        (TOPIC, 0, VALUE + b" ", NEW, "does not match"),  # altered value
        ("tinhso.metrics.events", 0, VALUE, NEW, "not a key of"),  # moved to another topic
        (TOPIC, 1, VALUE, NEW, "does not match the record in partition 1"),  # moved to another partition
        (TOPIC, 0, VALUE, OLD, "not a key of"),  # signed with a key the topic does not accept
    ],
)
def test_an_altered_moved_or_foreign_record_does_not(
    topic: str, partition: int, value: bytes, key: bytes, reason: str
) -> None:
    header = RecordSigner(key, TOPIC).header(VALUE, 0)
    verifier = RecordVerifier({TOPIC: [NEW], "tinhso.metrics.events": [OLD]})
    problem = verifier.problem(topic, partition, value, [header])
    assert problem is not None
    assert reason in problem


def test_an_unsigned_or_garbled_signature_is_reported_not_raised() -> None:
    verifier = RecordVerifier({TOPIC: [NEW]})
    assert "no signature" in (verifier.problem(TOPIC, 0, VALUE, []) or "")
    assert verifier.problem(TOPIC, 0, VALUE, [("signature", b"\xff\xfe")]) is not None
    assert verifier.problem(TOPIC, 0, VALUE, [("signature", b"")]) is not None


def test_during_a_rotation_both_keys_verify(tmp_path: Path) -> None:
    settings = load_settings({}, state_dir=str(tmp_path))
    ensure_event_keys(settings, ["registry"])
    current = signing_key(settings, "registry")
    key_file(settings, "registry").with_name("registry.previous.key").write_text(OLD.hex())
    verifier = RecordVerifier.from_settings(settings, ["registry"])
    for key in (current, OLD):
        assert verifier.problem(TOPIC, 0, VALUE, [RecordSigner(key, TOPIC).header(VALUE, 0)]) is None
    assert accepted_keys(settings, "registry") == [current, OLD]


def test_keys_are_made_once_private_to_their_owner(tmp_path: Path) -> None:
    settings = load_settings({}, state_dir=str(tmp_path))
    written = ensure_event_keys(settings, ["registry", "broadcast"])
    assert [p.name for p in written] == ["registry.key", "broadcast.key"]
    assert stat.S_IMODE(written[0].stat().st_mode) == 0o600
    first = signing_key(settings, "registry")
    assert len(first) == 32
    assert ensure_event_keys(settings, ["registry", "broadcast"]) == []
    assert signing_key(settings, "registry") == first
    assert signing_key(settings, "broadcast") != first


def test_a_missing_or_short_key_names_the_setting(tmp_path: Path) -> None:
    settings = load_settings({}, event_keys_dir=str(tmp_path))
    with pytest.raises(EventKeyError, match="TINHSO_EVENT_KEYS_DIR"):
        signing_key(settings, "registry")
    (tmp_path / "registry.key").write_text("abcd")
    with pytest.raises(EventKeyError, match="at least 16"):
        signing_key(settings, "registry")


def test_keys_made_by_two_processes_at_once_are_one_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Failed before the fix: ``tinhso up`` and ``tinhso keys`` both saw no key, both wrote one,
    and the later rename replaced the key the other had already handed to its relay."""
    settings = load_settings({}, state_dir=str(tmp_path))
    path = key_file(settings, "registry")
    theirs = "ab" * KEY_BYTES
    token_hex = secrets.token_hex

    def racing(n: int) -> str:  # the other process writes its key while this one makes its own
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(theirs + "\n")
        return token_hex(n)

    monkeypatch.setattr(secrets, "token_hex", racing)
    assert ensure_event_keys(settings, ["registry"]) == []
    assert signing_key(settings, "registry") == bytes.fromhex(theirs)
    assert [p.name for p in path.parent.iterdir()] == ["registry.key"]


@pytest.mark.parametrize("key", [b"", bytes(15)])
def test_a_short_key_is_refused_before_it_signs_or_verifies_anything(key: bytes) -> None:
    """Failed before the fix: an empty key made the MAC an unkeyed hash anyone can compute."""
    with pytest.raises(EventKeyError, match="at least 16 bytes"):
        RecordSigner(key, TOPIC)
    with pytest.raises(EventKeyError, match="at least 16 bytes"):
        RecordVerifier({TOPIC: [key]})
