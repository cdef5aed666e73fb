"""The browser explorers' assets, served by the platform itself so they work on a closed network.

The REST docs (Scalar, at each service's OpenAPI path) and the gateway's GraphiQL load their
scripts and styles from ``/docs/assets/`` on the same service, never from a CDN. The files in
``assets/`` are taken from the npm registry, pinned by ``package-lock.json`` next to this
module, with their licences (``assets/LICENSES.md``); ``python -m
libs.common.http.explorers.refresh`` (``make explorers``) fetches them again after a version
change. ``/docs/assets/`` is open on the internal services too (``auth.OPEN_PATHS``): it is
the same public code for everyone.
"""

from __future__ import annotations

from pathlib import Path

from litestar import Router
from litestar.datastructures import CacheControlHeader
from litestar.openapi.plugins import ScalarRenderPlugin
from litestar.static_files import create_static_files_router

ASSETS_DIR = Path(__file__).resolve().parent / "assets"
ASSETS_PATH = "/docs/assets"

REACT = f"{ASSETS_PATH}/react.production.min.js"
REACT_DOM = f"{ASSETS_PATH}/react-dom.production.min.js"
GRAPHIQL_JS = f"{ASSETS_PATH}/graphiql.min.js"
GRAPHIQL_CSS = f"{ASSETS_PATH}/graphiql.min.css"
EXPLORER_PLUGIN_JS = f"{ASSETS_PATH}/plugin-explorer.umd.js"
EXPLORER_PLUGIN_CSS = f"{ASSETS_PATH}/plugin-explorer.css"
SCALAR_JS = f"{ASSETS_PATH}/scalar-api-reference.standalone.js"
DOCS_CSS = f"{ASSETS_PATH}/docs.css"

NO_FAVICON = "<link rel='icon' href='data:,'>"
"""Litestar's default favicon is on a CDN; none is asked for instead."""

CACHE_SECONDS = 3600
"""The names carry no version, so a browser keeps them an hour, not forever."""


def assets_router() -> Router:
    """``GET /docs/assets/<file>``: the vendored files, not listed in the OpenAPI document."""
    return create_static_files_router(
        path=ASSETS_PATH,
        directories=[ASSETS_DIR],
        name="explorer-assets",
        include_in_schema=False,
        cache_control=CacheControlHeader(max_age=CACHE_SECONDS, public=True),
    )


def scalar_plugin() -> ScalarRenderPlugin:
    """Litestar's Scalar page with the vendored bundle, no CDN stylesheet or favicon, and
    Scalar's web fonts off (they would come from Scalar's font host)."""
    return ScalarRenderPlugin(
        js_url=SCALAR_JS, css_url=DOCS_CSS, favicon=NO_FAVICON, options={"withDefaultFonts": False}
    )
