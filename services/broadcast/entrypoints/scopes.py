"""The scopes broadcast's routes ask for."""

from __future__ import annotations

from services.broadcast.application.approvers import APPROVE

WRITE = "broadcast:write"
ISSUE_ALERTS = "alerts:issue"
__all__ = ["APPROVE", "ISSUE_ALERTS", "READ_SCOPES", "WRITE"]
READ_SCOPES = ("read", WRITE, ISSUE_ALERTS, APPROVE)
"""Queries are open to every principal that may read or write broadcast data."""
