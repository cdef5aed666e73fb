"""Record signatures (ADR 0022): what verifies, what does not, and the keys on disk."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from libs.common.event_signing import (
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
    header = RecordSigner(NEW, TOPIC).header(VALUE)
    assert RecordVerifier({TOPIC: [NEW]}).problem(TOPIC, VALUE, [("event_id", b"x"), header]) is None


@pytest.mark.parametrize(
    ("topic", "value", "key", "reason"),
    [
        (TOPIC, VALUE + b" ", NEW, "does not match"),  # altered value
        ("tinhso.metrics.events", VALUE, NEW, "not a key of"),  # moved to another topic
        (TOPIC, VALUE, OLD, "not a key of"),  # signed with a key the topic does not accept
    ],
)
def test_an_altered_moved_or_foreign_record_does_not(topic: str, value: bytes, key: bytes, reason: str) -> None:
    header = RecordSigner(key, TOPIC).header(VALUE)
    verifier = RecordVerifier({TOPIC: [NEW], "tinhso.metrics.events": [OLD]})
    problem = verifier.problem(topic, value, [header])
    assert problem is not None
    assert reason in problem


def test_an_unsigned_or_garbled_signature_is_reported_not_raised() -> None:
    verifier = RecordVerifier({TOPIC: [NEW]})
    assert "no signature" in (verifier.problem(TOPIC, VALUE, []) or "")
    assert verifier.problem(TOPIC, VALUE, [("signature", b"\xff\xfe")]) is not None
    assert verifier.problem(TOPIC, VALUE, [("signature", b"")]) is not None


def test_during_a_rotation_both_keys_verify(tmp_path: Path) -> None:
    settings = load_settings({}, state_dir=str(tmp_path))
    ensure_event_keys(settings, ["registry"])
    current = signing_key(settings, "registry")
    key_file(settings, "registry").with_name("registry.previous.key").write_text(OLD.hex())
    verifier = RecordVerifier.from_settings(settings, ["registry"])
    for key in (current, OLD):
        assert verifier.problem(TOPIC, VALUE, [RecordSigner(key, TOPIC).header(VALUE)]) is None
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
