"""``tinhso partners``: who may call the gateway, with which scopes, and their API keys.

A key is printed once, when it is made (``create``, ``rotate-key``); the database keeps only
its hash, so a lost key is replaced, never recovered.
"""

from __future__ import annotations

import datetime
import sys
from collections.abc import Awaitable, Callable
from typing import TypeVar

import click

from libs.common.errors import DomainError
from libs.common.principal import SCOPES
from services.cli.console import run_or_exit, settings_or_exit
from services.cli.database import pool
from services.gateway.security.partner_store import PartnerStore
from services.gateway.security.partners import (
    Partner,
    normalise_name,
    normalise_organisation,
    normalise_scopes,
    normalise_unit_code,
)

T = TypeVar("T")

DEFAULT_GRACE_SECONDS = 3600


def _with_store(work: Callable[[PartnerStore], Awaitable[T]]) -> T:
    settings = settings_or_exit()

    async def run() -> T:
        async with pool(settings) as db:
            return await work(PartnerStore(db))

    try:
        return run_or_exit(run)
    except DomainError as exc:
        click.echo(f"tinhso: {exc.message}", err=True)
        sys.exit(1)


def _refuse_bad_input(normalise: Callable[[], T]) -> T:
    try:
        return normalise()
    except DomainError as exc:
        click.echo(f"tinhso: {exc.message}", err=True)
        sys.exit(2)


def _show_key(token: str) -> None:
    click.echo("API key (shown only now; the platform keeps only its hash):")
    click.echo(token)


@click.group()
def partners() -> None:
    """Partners of the gateway and their API keys."""


@partners.command("create")
@click.argument("name")
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    required=True,
    help=f"A scope (repeat, or separate with commas): {', '.join(sorted(SCOPES))}.",
)
@click.option("--organisation", help="The operator code it acts for (VNPT, VIETTEL, …): it writes only those assets.")
@click.option("--unit-code", help="A district centre's unit: its writes stay within the unit and its descendants.")
def create(name: str, scopes: tuple[str, ...], organisation: str | None, unit_code: str | None) -> None:
    """Create a partner and print its first API key."""
    partner = _refuse_bad_input(
        lambda: Partner(
            name=normalise_name(name),
            scopes=normalise_scopes([s for item in scopes for s in item.split(",") if s.strip()]),
            organisation=normalise_organisation(organisation),
            unit_code=normalise_unit_code(unit_code),
        )
    )
    token = _with_store(lambda store: store.create(partner))
    extras = "".join(
        f"; {label} {value}"
        for label, value in (("organisation", partner.organisation), ("unit", partner.unit_code))
        if value
    )
    click.echo(f"partner {partner.name} created (scopes: {', '.join(sorted(partner.scopes))}{extras})")
    _show_key(token)


@partners.command("list")
def list_partners() -> None:
    """Every partner: scopes, organisation, unit, current key id, revoked or not."""
    listing = _with_store(lambda store: store.list())
    if not listing:
        click.echo("no partners yet (tinhso partners create NAME --scope …)")
    for item in listing:
        p = item.partner
        state = f"revoked {p.revoked_at:%Y-%m-%d %H:%M}" if p.revoked_at else "active"
        grace = f" (+{item.keys_in_grace} old key(s) in grace)" if item.keys_in_grace else ""
        click.echo(
            f"{p.name:<24} {state:<24} scopes={','.join(sorted(p.scopes))} "
            f"organisation={p.organisation or '-'} unit={p.unit_code or '-'} key={item.current_key or '-'}{grace}"
        )


@partners.command("rotate-key")
@click.argument("name")
@click.option(
    "--grace-seconds",
    type=click.IntRange(0, 30 * 24 * 3600),
    default=DEFAULT_GRACE_SECONDS,
    show_default=True,
    help="How long the old key keeps working; 0 stops it at once (a leaked key).",
)
def rotate_key(name: str, grace_seconds: int) -> None:
    """Issue a new API key; the old one stops after the grace period."""
    partner_name = _refuse_bad_input(lambda: normalise_name(name))
    token = _with_store(lambda store: store.rotate_key(partner_name, grace=datetime.timedelta(seconds=grace_seconds)))
    when = "now" if grace_seconds == 0 else f"in {grace_seconds} s"
    click.echo(f"new key for {partner_name}; the previous key stops working {when}")
    _show_key(token)


@partners.command("revoke")
@click.argument("name")
def revoke(name: str) -> None:
    """Stop a partner and all its keys (the gateway notices within TINHSO_AUTH_CACHE_SECONDS)."""
    partner_name = _refuse_bad_input(lambda: normalise_name(name))
    _with_store(lambda store: store.revoke(partner_name))
    click.echo(f"partner {partner_name} revoked")
