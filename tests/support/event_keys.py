"""The event key backbone tests sign and verify records with, where no settings are at hand.

Fixed, so that a worker in a process of its own (``projection_worker``) verifies what the
test's relay signed."""

from __future__ import annotations

from libs.common.event_signing import RecordVerifier

TEST_KEY = bytes.fromhex("5e1f" * 16)


def verifier(*topics: str) -> RecordVerifier:
    """Accepts records of ``topics`` signed with :data:`TEST_KEY`."""
    return RecordVerifier({topic: [TEST_KEY] for topic in topics})
