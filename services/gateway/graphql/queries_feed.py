# mypy: disallow-untyped-decorators=False
"""``liveCursor``: where the live feed stands now, for a client that loads its state with
queries and then follows the feed.

A cursor otherwise comes only with a delivered event, so a client that has seen none yet (a
console just opened on a quiet province) had nothing to resume from after a reconnect, and
events committed between its queries and its subscription were lost. Taken before the
queries and passed as ``after``, this cursor makes the subscription start exactly where the
queries' state was read from, on any gateway (docs/adr/0032, docs/adr/0035).
"""

from __future__ import annotations

import datetime
from typing import Any

import strawberry
from strawberry.types import Info

from services.gateway.events.cursor import FeedCursor
from services.gateway.graphql.context import context_of


@strawberry.type
class FeedQuery:
    @strawberry.field(
        description="Where the live feed stands now: pass it as `after` to `events` or `indicatorChanged`, on any "
        "gateway, to receive every event committed from this moment on. Null while this gateway is still finding "
        "the feed's partitions."
    )
    def live_cursor(self, info: Info[Any, Any]) -> strawberry.ID | None:
        context = context_of(info)
        context.reader()
        hub = context.gateway.hub
        if not hub.assigned.is_set():
            return None
        now = datetime.datetime.now(datetime.UTC)
        return strawberry.ID(FeedCursor(offsets=dict(hub.positions), recorded_at=now).encode())
