"""``tinhso keys``: the gateway's principal key pair (ADR 0006), made once where the settings point.

``tinhso up`` makes it in its state directory by itself. A deployment runs this once and hands
out the two files: the private key to the gateway only, the public key to every service
(``infra/README.md``). An existing pair is left alone, so running it again changes nothing.
"""

from __future__ import annotations

import sys

import click

from libs.common.principal import KeysWritten, ensure_keypair, private_key_path, public_key_path
from libs.common.settings import SettingsError
from services.cli.console import EXIT_CONFIG, settings_or_exit

_PRIVATE_VERB = {KeysWritten.PAIR: "created", KeysWritten.PUBLIC_KEY: "kept", KeysWritten.NOTHING: "kept"}
_PUBLIC_VERB = {KeysWritten.PAIR: "created", KeysWritten.PUBLIC_KEY: "derived", KeysWritten.NOTHING: "kept"}


@click.command()
def keys() -> None:
    """Make the gateway's signing key pair unless it exists (TINHSO_PRINCIPAL_*_KEY_FILE)."""
    settings = settings_or_exit()
    try:
        written = ensure_keypair(settings)
    except SettingsError as exc:  # a private key there that cannot be read
        click.echo(f"tinhso: {exc}", err=True)
        sys.exit(EXIT_CONFIG)
    except OSError as exc:
        raise click.ClickException(f"cannot write the key pair: {exc}") from None
    click.echo(f"{_PRIVATE_VERB[written]} private key (the gateway's only): {private_key_path(settings)}")
    click.echo(f"{_PUBLIC_VERB[written]} public key (every service's): {public_key_path(settings)}")
