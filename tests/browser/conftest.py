"""The browser tier: the console at /ioc in a real headless Chromium (the Debian package),
driven by Playwright, against the whole platform on the embedded PostgreSQL and broker.

One platform and one browser serve the module (starting them is most of the cost); each test
gets a fresh page in a 1366x768 window and leaves a screenshot under ``test-artifacts/``.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest
from playwright.async_api import Browser, ViewportSize, async_playwright

from libs.common.embedded.broker import EmbeddedBroker
from libs.common.embedded.postgres import EmbeddedPostgres
from libs.common.settings import Idempotence, Settings, load_settings
from tests.browser.console_support import ConsoleGateway, Province, Watched, chromium_path, seed_province
from tests.integration.gateway.api_platform import Platform, start_platform

LAPTOP = ViewportSize(width=1366, height=768)


@pytest.fixture(scope="module")
async def module_database(postgres: EmbeddedPostgres) -> AsyncIterator[str]:
    name = "t_" + uuid.uuid4().hex[:12]
    admin = await asyncpg.connect(postgres.url)
    await admin.execute(f"CREATE DATABASE {name}")
    try:
        yield postgres.url.rsplit("/", 1)[0] + "/" + name
    finally:
        await admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        await admin.close()


@pytest.fixture(scope="module")
def module_settings(module_database: str, broker: EmbeddedBroker, state_dir: Path) -> Settings:
    return load_settings(
        {},
        database_url=module_database,
        kafka_bootstrap=broker.bootstrap,
        kafka_enable_idempotence=Idempotence.OFF.value,
        projection_assignment="manual",
        topic_prefix="t" + uuid.uuid4().hex[:8],
        state_dir=str(state_dir),
    )


@pytest.fixture(scope="module")
async def platform(module_settings: Settings) -> AsyncIterator[Platform]:
    async for running in start_platform(module_settings):
        yield running


@pytest.fixture(scope="module")
async def province(platform: Platform) -> Province:
    return await seed_province(platform)


@pytest.fixture(scope="module")
async def console_gateway(platform: Platform, province: Province) -> AsyncIterator[ConsoleGateway]:
    gateway = ConsoleGateway(platform)
    await gateway.start()
    try:
        yield gateway
    finally:
        await gateway.stop()


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        # --no-sandbox: CI runs as root, where Chromium's sandbox cannot start.
        launched = await playwright.chromium.launch(executable_path=chromium_path(), args=["--no-sandbox"])
        try:
            yield launched
        finally:
            await launched.close()


@pytest.fixture
async def watched(browser: Browser, request: pytest.FixtureRequest) -> AsyncIterator[Watched]:
    context = await browser.new_context(viewport=LAPTOP, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
    page = await context.new_page()
    watched = Watched(page, request.node.name)
    try:
        yield watched
    finally:
        await watched.screenshot()
        await context.close()
