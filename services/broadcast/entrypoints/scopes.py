"""The scopes broadcast's routes ask for."""

from __future__ import annotations

from services.broadcast.application.approvers import APPROVE

WRITE = "broadcast:write"
ISSUE_ALERTS = "alerts:issue"
__all__ = ["APPROVE", "ISSUE_ALERTS", "READ_SCOPES", "SOURCE_LINK", "WRITE"]
SOURCE_LINK = "source:link"
"""A source-information system: sends bulletins and reads their results (ADR 0054)."""
READ_SCOPES = ("read", WRITE, ISSUE_ALERTS, APPROVE)
"""Queries are open to every principal that may read or write broadcast data."""
