"""How every subcommand reports trouble: one line on stderr and an exit code, no traceback."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from typing import TypeVar

import asyncpg
import click

from libs.common.settings import Settings, SettingsError, load_settings
from services.cli.infrastructure import StartupError

T = TypeVar("T")

EXIT_CONFIG = 2
EXIT_STARTUP = 1


def settings_or_exit() -> Settings:
    try:
        return load_settings()
    except SettingsError as exc:
        click.echo(f"tinhso: {exc}", err=True)
        sys.exit(EXIT_CONFIG)


def run_or_exit(work: Callable[[], Awaitable[T]]) -> T:
    async def main() -> T:
        return await work()

    try:
        return asyncio.run(main())
    except StartupError as exc:
        click.echo(f"tinhso: {exc}", err=True)
        sys.exit(EXIT_STARTUP)
    except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError) as exc:
        # e.g. a database that was never migrated: one line, not a traceback
        click.echo(f"tinhso: database error: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}", err=True)
        sys.exit(EXIT_STARTUP)
    except KeyboardInterrupt:
        sys.exit(130)
