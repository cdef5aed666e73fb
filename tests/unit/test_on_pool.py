"""What a composition root builds on its runtime's pool: once per start, never before it."""

from __future__ import annotations

from typing import cast

import asyncpg
import pytest

from libs.common.runtime import OnPool, ServiceRuntime
from libs.common.settings import load_settings


class Runtime(ServiceRuntime):
    """A runtime whose pool the test sets, as ``start`` would."""

    def use(self, pool: object) -> None:
        self._pool = cast(asyncpg.Pool, pool)


def test_built_once_per_pool_and_again_after_a_restart() -> None:
    runtime = Runtime("demo", load_settings({}))
    built: list[object] = []

    def build(pool: asyncpg.Pool) -> int:
        built.append(pool)
        return len(built)

    handlers = OnPool(runtime, build)
    first, second = object(), object()
    runtime.use(first)
    assert (handlers(), handlers()) == (1, 1)
    runtime.use(second)  # a restart makes a new pool
    assert handlers() == 2
    assert built == [first, second]


def test_used_before_start_up_it_says_so() -> None:
    handlers = OnPool(Runtime("demo", load_settings({})), lambda pool: pool)
    with pytest.raises(RuntimeError, match="before start-up"):
        handlers()
