"""The operations centre's console (IOC): a static single-page app the gateway serves at ``/ioc``.

Everything the page loads comes from the gateway itself: its own scripts and styles
(``static/``), the map and chart libraries taken from the npm registry (``static/vendor/``,
pinned by ``package-lock.json`` here, refreshed by ``python -m services.gateway.ioc.refresh``)
and the province's geography (``static/province.json``, built from ``data/`` by ``python -m
services.gateway.ioc.geography``). No CDN, no map tiles: the console works on a closed network.

The page holds no secret: it signs in with the operator's API key, kept in the browser's
session storage, and talks to ``/graphql`` like any partner, so it shows only what that key
may read. See docs/ioc.md and docs/adr/0035-ioc-console.md.
"""

from __future__ import annotations

from pathlib import Path

from litestar import Response, Router
from litestar.datastructures import CacheControlHeader
from litestar.static_files import create_static_files_router

STATIC_DIR = Path(__file__).resolve().parent / "static"
PATH = "/ioc"

CACHE_SECONDS = 300
"""The console's files change with a release and carry no version in their names: a browser
checks again after five minutes."""

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self' ws: wss:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
"""Only the gateway's own files and its own /graphql (over HTTP and WebSocket): a script that
tried to reach anywhere else, or an injected inline script, is refused by the browser."""


def _secured(response: Response[object]) -> Response[object]:
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def console_router() -> Router:
    """``GET /ioc`` (the page) and ``GET /ioc/<file>``: open to anyone, like the explorers'
    assets, since they are the same public code for everyone; the data behind them is not."""
    return create_static_files_router(
        path=PATH,
        directories=[STATIC_DIR],
        html_mode=True,
        name="ioc-console",
        include_in_schema=False,
        cache_control=CacheControlHeader(max_age=CACHE_SECONDS, public=True),
        after_request=_secured,
    )
