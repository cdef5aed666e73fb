"""One platform for a module of registry API tests (``test_api_registry_*.py``): the whole
platform starts once per module (seconds each time), with a key for every caller of the
authorization matrix and its province (``authz_support.build_targets``).

Tests share it, in any order, so each builds what it changes under units of its own:
:meth:`RegistryPlatform.commune` registers a fresh commune of Ba Bể (with villages) per call.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from libs.common.db import create_pool
from libs.common.embedded.broker import EmbeddedBroker
from libs.common.embedded.postgres import EmbeddedPostgres
from libs.common.settings import Idempotence, load_settings
from services.gateway.security.partner_store import PartnerStore
from tests.integration.gateway.api_fixtures import register_unit
from tests.integration.gateway.api_platform import Platform, start_platform
from tests.integration.gateway.authz_support import BA_BE, MATRIX_PARTNERS, Targets, build_targets


class RegistryPlatform:
    """The running platform, what ``build_targets`` made, and fresh units on demand."""

    def __init__(self, platform: Platform, targets: Targets) -> None:
        self.platform = platform
        self.targets = targets
        self._numbers = itertools.count(40)

    async def commune(self, villages: int = 0) -> str:
        """A new commune of Ba Bể (``061NN``), with villages ``061NN-V1`` …, registered on 2020-01-01."""
        code = f"{BA_BE}{next(self._numbers):02d}"
        await register_unit(self.platform, code, f"Xã {code}", "COMMUNE", BA_BE)
        for n in range(1, villages + 1):
            await register_unit(self.platform, f"{code}-V{n}", f"Thôn {n}", "VILLAGE", code)
        return code

    async def data(self, query: str, variables: dict[str, Any] | None = None, *, who: str = "admin") -> Any:
        return await self.platform.data(query, variables, who=who)

    async def error(self, query: str, variables: dict[str, Any] | None = None, *, who: str = "admin") -> Any:
        return await self.platform.error(query, variables, who=who)


@pytest.fixture(scope="module")
async def registry(
    postgres: EmbeddedPostgres, broker: EmbeddedBroker, state_dir: Path
) -> AsyncIterator[RegistryPlatform]:
    name = "t_" + uuid.uuid4().hex[:12]
    admin = await asyncpg.connect(postgres.url)
    await admin.execute(f"CREATE DATABASE {name}")
    try:
        url = postgres.url.rsplit("/", 1)[0] + "/" + name
        settings = load_settings(
            {},
            database_url=url,
            kafka_bootstrap=broker.bootstrap,
            kafka_enable_idempotence=Idempotence.OFF.value,
            projection_assignment="manual",
            topic_prefix="t" + uuid.uuid4().hex[:8],
            state_dir=str(state_dir),
        )
        async for running in start_platform(settings):
            pool = await create_pool(settings.database_url, service="test", max_size=1)
            try:
                store = PartnerStore(pool)
                for who, partner in MATRIX_PARTNERS.items():
                    running.keys[who] = await store.create(partner)
            finally:
                await pool.close()
            yield RegistryPlatform(running, await build_targets(running))
    finally:
        await admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        await admin.close()
