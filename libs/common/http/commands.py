"""What a command route takes from its request besides the body: who and why (the envelope's
metadata), and the name of the header that makes a retry safe.

The caller's identity is the principal the gateway signed (``libs.common.http.auth``); the
event envelope records it, so the log is the audit trail of who wrote what.
"""

from __future__ import annotations

import uuid
from typing import Any

import uuid_utils.compat
from litestar import Request

from contracts.envelope import Metadata
from libs.common.errors import InvalidInputError
from libs.common.http.auth import request_principal
from libs.common.tracing import current_traceparent

CORRELATION_HEADER = "x-correlation-id"
CAUSATION_HEADER = "x-causation-id"
IDEMPOTENCY_HEADER = "idempotency-key"


def _uuid_header(request: Request[Any, Any, Any], name: str) -> uuid.UUID | None:
    value = request.headers.get(name)
    if not value:
        return None
    try:
        return uuid.UUID(value)
    except ValueError:
        raise InvalidInputError(f"header {name} must be a UUID", code="invalid_header") from None


def command_metadata(request: Request[Any, Any, Any]) -> Metadata:
    principal = request_principal(request)
    return Metadata(
        actor=principal.subject,
        partner=principal.partner,
        correlation_id=_uuid_header(request, CORRELATION_HEADER) or uuid_utils.compat.uuid4(),
        causation_id=_uuid_header(request, CAUSATION_HEADER),
        traceparent=current_traceparent(),
    )
