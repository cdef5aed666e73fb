"""Errors of the event store."""

from __future__ import annotations

from libs.common.errors import ConflictError


class ConcurrencyError(ConflictError):
    """Another writer appended to the stream since it was loaded."""

    code = "concurrency_conflict"

    def __init__(self, stream_id: str, expected_version: int) -> None:
        super().__init__(
            f"stream {stream_id} is no longer at version {expected_version}; reload and retry",
            details={"stream_id": stream_id, "expected_version": expected_version},
        )
        self.stream_id = stream_id
        self.expected_version = expected_version


class IdempotencyKeyReusedError(ConflictError):
    code = "idempotency_key_reused"
