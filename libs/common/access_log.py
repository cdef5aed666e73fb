"""One log line per HTTP request, written when its answer has gone out.

``ServerSpans`` (``libs.common.http.server_spans``) opens a request's notes and writes the
line; what only inner layers learn is noted on the way by whoever learns it: the partner, by
the gateway's admission or a service's principal check; the GraphQL operation's name, by the
gateway's schema. The notes live in a context variable, so nothing is passed down through
Litestar, strawberry or the handlers, and a note made outside a request is dropped.

The line goes to the ``tinhso.access`` logger with its fields as ``extra``: the JSON formatter
(``libs.common.logs``) writes each as a key, the text one appends them.
"""

from __future__ import annotations

import logging
from contextvars import ContextVar, Token

log = logging.getLogger("tinhso.access")

QUIET_PATHS = ("/health/", "/metrics")
"""Probes and scrapes come every few seconds and say nothing about partners: logged at DEBUG."""

_notes: ContextVar[dict[str, str] | None] = ContextVar("tinhso_request_notes", default=None)


def open_notes() -> Token[dict[str, str] | None]:
    return _notes.set({})


def close_notes(token: Token[dict[str, str] | None]) -> dict[str, str]:
    notes = _notes.get() or {}
    _notes.reset(token)
    return notes


def note_request(**fields: str | None) -> None:
    """Adds what this layer knows about the current request to its access-log line."""
    notes = _notes.get()
    if notes is None:
        return
    for name, value in fields.items():
        if value:
            notes[name] = value


def write_access_line(
    *, method: str, path: str, route: str, status: int, duration_ms: float, notes: dict[str, str]
) -> None:
    level = logging.DEBUG if path.startswith(QUIET_PATHS) else logging.INFO
    if not log.isEnabledFor(level):
        return
    # makeRecord and handle rather than log.log(): the caller is always this function, so the
    # stack walk log() makes to find it is work for nothing on every request.
    record = log.makeRecord(
        log.name,
        level,
        __file__,
        0,
        "%s %s %d %.1f ms",
        (method, path, status, duration_ms),
        None,
        extra={
            "method": method,
            "path": path,
            "route": route,
            "status": status,
            "duration_ms": round(duration_ms, 2),
            **notes,
        },
    )
    log.handle(record)
