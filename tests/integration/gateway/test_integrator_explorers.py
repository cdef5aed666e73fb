"""GraphiQL and the REST docs load every script and style from the platform itself: no CDN,
so they work on a closed network."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

import asyncpg
import httpx
from litestar.testing import AsyncTestClient

from libs.common.settings import Settings
from services.gateway.app import create_app as gateway_app
from services.registry.app import create_app as registry_app

BROWSER = {"accept": "text/html,application/xhtml+xml"}


class Assets(HTMLParser):
    """The URLs a page makes the browser load: scripts, stylesheets, icons, images."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        if tag == "script" and named.get("src"):
            self.urls.append(str(named["src"]))
        elif tag == "link" and named.get("href"):
            self.urls.append(str(named["href"]))
        elif tag in {"img", "iframe"} and named.get("src"):
            self.urls.append(str(named["src"]))


def assets_of(html: str) -> list[str]:
    parser = Assets()
    parser.feed(html)
    return parser.urls


async def check_page(client: AsyncTestClient[Any], path: str) -> list[str]:
    """Fetches the page and every asset it names; returns the assets' URLs."""
    page = await client.get(path, headers=BROWSER)
    assert page.status_code == 200, (path, page.status_code)
    assert page.headers["content-type"].startswith("text/html")
    urls = [url for url in assets_of(page.text) if not url.startswith("data:")]
    assert urls, f"{path} names no script or style"
    for url in urls:
        parts = urlsplit(url)
        assert (parts.scheme, parts.netloc) == ("", ""), f"{path} loads {url} from elsewhere"
        answer: httpx.Response = await client.get(url)
        assert answer.status_code == 200, (url, answer.status_code)
        assert len(answer.content) > 0
        expected = "javascript" if url.endswith(".js") else "css"
        assert expected in answer.headers["content-type"], (url, answer.headers["content-type"])
    return urls


async def test_graphiql_and_the_rest_docs_load_every_asset_from_the_gateway_itself(
    settings: Settings, migrated: asyncpg.Pool
) -> None:
    async with AsyncTestClient(app=gateway_app(settings)) as client:
        graphiql = await check_page(client, "/graphql")
        docs = await check_page(client, "/api/v1/docs")
        spec = await client.get("/api/v1/docs/openapi.json")
        missing = await client.get("/docs/assets/nope.js")
        escape = await client.get("/docs/assets/..%2F__init__.py")
    assert missing.status_code == 404
    assert escape.status_code == 404  # nothing outside the assets folder
    assert any(url.endswith("graphiql.min.js") for url in graphiql)
    assert any(url.endswith("react.production.min.js") for url in graphiql)
    assert any("scalar" in url for url in docs)
    assert spec.status_code == 200


async def test_an_internal_service_serves_its_docs_assets_without_a_principal(
    settings: Settings, migrated: asyncpg.Pool
) -> None:
    async with AsyncTestClient(app=registry_app(settings)) as client:
        assert await check_page(client, "/docs")
        unsigned = await client.get("/units")
    assert unsigned.status_code == 401  # the rest still needs the gateway's principal
