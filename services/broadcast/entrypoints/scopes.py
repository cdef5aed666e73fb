"""The scopes broadcast's routes ask for."""

from __future__ import annotations

WRITE = "broadcast:write"
ISSUE_ALERTS = "alerts:issue"
SOURCE_LINK = "source:link"
"""A source-information system: sends bulletins and reads their results (ADR 0054)."""
READ_SCOPES = ("read", WRITE, ISSUE_ALERTS)
"""Queries are open to every principal that may read or write broadcast data."""
