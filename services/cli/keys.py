"""``tinhso keys``: the gateway's principal key pair (ADR 0006), made once where the settings point.

``tinhso up`` makes it in its state directory by itself. A deployment runs this once and hands
out the two files: the private key to the gateway only, the public key to every service
(``infra/README.md``). An existing pair is left alone, so running it again changes nothing.
"""

from __future__ import annotations

import click

from libs.common.principal import ensure_keypair, private_key_path, public_key_path
from services.cli.console import settings_or_exit


@click.command()
def keys() -> None:
    """Make the gateway's signing key pair unless it exists (TINHSO_PRINCIPAL_*_KEY_FILE)."""
    settings = settings_or_exit()
    try:
        created = ensure_keypair(settings)
    except OSError as exc:
        raise click.ClickException(f"cannot write the key pair: {exc}") from None
    verb = "created" if created else "kept the existing"
    click.echo(f"{verb} private key (the gateway's only): {private_key_path(settings)}")
    click.echo(f"{verb} public key (every service's): {public_key_path(settings)}")
