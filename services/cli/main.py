"""The ``tinhso`` command: one entry point, a subcommand per operation."""

from __future__ import annotations

import click

from libs.common.logs import configure_logging
from services.cli.admin import admin
from services.cli.bootstrap import bootstrap
from services.cli.console import run_or_exit, settings_or_exit
from services.cli.database import database
from services.cli.infrastructure import migrate
from services.cli.keys import keys
from services.cli.operations import dlq, projections
from services.cli.partners import partners
from services.cli.scaffold import new
from services.cli.seed import seed
from services.cli.simulate import simulate
from services.cli.up import run_platform
from services.gateway.version import VERSION


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(VERSION, "-V", "--version", prog_name="tinhso", message="%(prog)s %(version)s")
def cli() -> None:
    """tinhso: the province's digital-transformation backend.

    Configuration comes from TINHSO_* environment variables (see the README).
    """


@cli.command()
def up() -> None:
    """Start the whole platform (embedded PostgreSQL and broker unless configured)."""
    settings = settings_or_exit()
    configure_logging(settings.log_level.value, log_format=settings.log_format)
    run_or_exit(lambda: run_platform(settings))


@cli.command("migrate")
def migrate_command() -> None:
    """Apply every service's SQL migrations (idempotent)."""
    settings = settings_or_exit()
    configure_logging(settings.log_level.value, log_format=settings.log_format)

    async def work() -> list[str]:
        async with database(settings, own=True) as resolved:
            return await migrate(resolved.database_url)

    applied = run_or_exit(work)
    click.echo("\n".join(f"applied {m}" for m in applied) if applied else "nothing to apply: up to date")


cli.add_command(projections)
cli.add_command(admin)
cli.add_command(keys)
cli.add_command(dlq)
cli.add_command(seed)
cli.add_command(simulate)
cli.add_command(partners)
cli.add_command(new)
cli.add_command(bootstrap)


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
