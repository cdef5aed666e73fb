"""``tinhso bootstrap``: the first admin partner of a new deployment, and its key, once.

A deployment on a configured database starts with no partner, so nobody can call the gateway
(the embedded default has its development key instead, ``dev_key``). This makes one partner
with the ``admin`` scope and prints its key; the database keeps only the key's hash, so the
key is printed this once. Run again, it finds the partner and changes nothing: a lost key is
replaced with ``tinhso partners rotate-key``, never shown again.

It is meant to be run by a person at a terminal, not by the migrate Job: a Job's output
lands in the cluster's log store, and the key with it (docs/adr/0029).
"""

from __future__ import annotations

import sys

import asyncpg
import click

from libs.common.errors import ConflictError, DomainError
from libs.common.settings import Settings
from services.cli.console import run_or_exit, settings_or_exit
from services.cli.database import pool
from services.cli.infrastructure import StartupError
from services.gateway.security.partner_store import PartnerStore
from services.gateway.security.partners import Partner, normalise_name

EXIT_BAD_INPUT = 2


async def _create_first_admin(settings: Settings, name: str) -> str | None:
    """The new partner's key, or None when a partner of that name exists already."""
    async with pool(settings) as db:
        try:
            return await PartnerStore(db).create(Partner(name=name, scopes=frozenset({"admin"})))
        except ConflictError:
            return None
        except asyncpg.UndefinedTableError:
            raise StartupError("the database has no partners table yet: run `tinhso migrate` first") from None


@click.command()
@click.option("--name", default="admin", show_default=True, help="The admin partner's name.")
def bootstrap(name: str) -> None:
    """Create the first admin partner and print its API key (once; a second run changes nothing)."""
    try:
        partner = normalise_name(name)
    except DomainError as exc:
        click.echo(f"tinhso: {exc.message}", err=True)
        sys.exit(EXIT_BAD_INPUT)
    settings = settings_or_exit()
    token = run_or_exit(lambda: _create_first_admin(settings, partner))
    if token is None:
        click.echo(
            f"partner {partner} exists already: nothing changed. Its key was shown when it was made; "
            f"`tinhso partners rotate-key {partner}` issues a new one."
        )
        return
    click.echo(f"partner {partner} created (scopes: admin)")
    click.echo("API key (shown only now; the platform keeps only its hash):")
    click.echo(token)
