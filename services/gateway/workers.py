"""One of several gateway processes on one port (``TINHSO_GATEWAY_WORKERS``, ADR 0057).

uvicorn starts each worker as a fresh process, which builds its app here from the environment,
as ``python -m services.gateway`` does in a single process. What the workers share is already
outside any one of them: partners, keys, rate limits and persisted queries in PostgreSQL, the
read models' commit notices by LISTEN on PostgreSQL, and the events read by each worker's own
consumer from every partition (no consumer group). What each keeps for itself: its response
cache (dropped by the events its own consumer reads), its authentication cache, its execution
slots and WebSocket caps, its live subscribers and its ``/metrics``.
"""

from __future__ import annotations

import gc

from litestar import Litestar

from libs.common.serve import worker_app
from libs.common.settings import Settings
from services.gateway.app import NAME, create_app

GC_THRESHOLDS = (50_000, 10, 10)
"""A GraphQL operation allocates tens of thousands of short-lived objects (a task, an info, a
result per field); at the default 700 allocations per young collection, with a few dozen
operations in flight, the collector ran so often it cost as much as executing them."""


def workers(settings: Settings) -> int:
    return settings.gateway_workers


def app() -> Litestar:
    """A worker's app (uvicorn's ``factory``: ``services.gateway.workers:app``)."""
    gc.set_threshold(*GC_THRESHOLDS)
    return worker_app(NAME, create_app)
