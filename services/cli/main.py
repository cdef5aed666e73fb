"""The ``tinhso`` command: one entry point, a subcommand per operation."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from typing import TypeVar

import click

from libs.common.logs import configure_logging
from libs.common.settings import Settings, SettingsError, load_settings
from services.cli.infrastructure import Infrastructure, StartupError, migrate
from services.cli.up import run_platform

T = TypeVar("T")


def _settings() -> Settings:
    try:
        return load_settings()
    except SettingsError as exc:
        click.echo(f"tinhso: {exc}", err=True)
        sys.exit(2)


def _run(work: Callable[[], Awaitable[T]]) -> T:
    try:
        return asyncio.run(work())  # type: ignore[arg-type]
    except StartupError as exc:
        click.echo(f"tinhso: {exc}", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """tinhso: the province's digital-transformation backend.

    Configuration comes from TINHSO_* environment variables (see the README).
    """


@cli.command()
def up() -> None:
    """Start the whole platform (embedded PostgreSQL and broker unless configured)."""
    settings = _settings()
    configure_logging(settings.log_level.value)
    _run(lambda: run_platform(settings))


@cli.command("migrate")
def migrate_command() -> None:
    """Apply every service's SQL migrations (idempotent)."""
    settings = _settings()
    configure_logging(settings.log_level.value)

    async def work() -> list[str]:
        infra = Infrastructure(settings)
        try:
            resolved = await infra.start(with_broker=False)
            return await migrate(resolved.database_url)
        finally:
            await asyncio.to_thread(infra.stop)

    applied = _run(work)
    click.echo("\n".join(f"applied {m}" for m in applied) if applied else "nothing to apply: up to date")


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
