"""The /api/v1 answers drawn from the broadcast service: what partners read of a programme.

They are the public REST contract (``contracts/openapi.json``), a subset of the service's own
answer (``contracts.api.broadcast_views.ProgrammeView``), decoded straight from it;
``tests/unit/gateway/test_graphql_shapes_broadcast.py`` checks that every field here is the
service's field of the same name and type.
"""

from __future__ import annotations

import datetime

import msgspec

from contracts.api.broadcast_views import ApprovalState, ApprovalStepView
from contracts.broadcast_events import Priority


class ProgrammeView(msgspec.Struct, frozen=True, kw_only=True):
    programme_id: str
    unit_code: str
    title: str
    air_date: datetime.date
    duration_seconds: int
    news_items: int
    articles: int
    segments: list[str] = []
    priority: Priority = "normal"
    approval: ApprovalState = "approved"
    approval_history: list[ApprovalStepView] = []


class ProgrammePage(msgspec.Struct, frozen=True, kw_only=True):
    programmes: list[ProgrammeView]
    next_cursor: str | None
    total_count: int
