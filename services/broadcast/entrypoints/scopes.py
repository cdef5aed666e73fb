"""The scopes broadcast's routes ask for, and the parameter type of the handlers they call."""

from __future__ import annotations

from litestar.di import NamedDependency

from services.broadcast.application.handlers import BroadcastHandlers

WRITE = "broadcast:write"
ISSUE_ALERTS = "alerts:issue"
READ_SCOPES = ("read", WRITE, ISSUE_ALERTS)
"""Queries are open to every principal that may read or write broadcast data."""

Handlers = NamedDependency[BroadcastHandlers]
"""Built once at start-up by the composition root (``app.py``)."""
