"""The GraphiQL page the gateway serves at ``GET /graphql`` to a browser: strawberry's explorer
with its assets from the gateway itself (``libs.common.http.explorers``), not a CDN."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from libs.common.http import explorers

TEMPLATE = Path(__file__).resolve().parent / "graphiql.html"


@cache
def graphiql_html() -> str:
    html = TEMPLATE.read_text(encoding="utf-8")
    for placeholder, url in {
        "__REACT__": explorers.REACT,
        "__REACT_DOM__": explorers.REACT_DOM,
        "__GRAPHIQL_JS__": explorers.GRAPHIQL_JS,
        "__GRAPHIQL_CSS__": explorers.GRAPHIQL_CSS,
        "__EXPLORER_PLUGIN_JS__": explorers.EXPLORER_PLUGIN_JS,
        "__EXPLORER_PLUGIN_CSS__": explorers.EXPLORER_PLUGIN_CSS,
    }.items():
        html = html.replace(placeholder, url)
    return html
