"""``tinhso keys``: the gateway's principal key pair (ADR 0006) and each event-sourced service's
event key (ADR 0022), made once where the settings point.

``tinhso up`` makes it in its state directory by itself. A deployment runs this once and hands
out the two files: the private key to the gateway only, the public key to every service
(``infra/README.md``). An existing pair is left alone, so running it again changes nothing.
The event keys go to the relays and to every process that reads a topic: each service's
backbone and the gateway, never the API processes.
"""

from __future__ import annotations

import sys

import click

from libs.common.event_signing import ensure_event_keys, key_file
from libs.common.principal import KeysWritten, ensure_keypair, private_key_path, public_key_path
from libs.common.settings import SettingsError
from services.cli.catalogue import EVENT_SOURCED
from services.cli.console import EXIT_CONFIG, settings_or_exit

_PRIVATE_VERB = {KeysWritten.PAIR: "created", KeysWritten.PUBLIC_KEY: "kept", KeysWritten.NOTHING: "kept"}
_PUBLIC_VERB = {KeysWritten.PAIR: "created", KeysWritten.PUBLIC_KEY: "derived", KeysWritten.NOTHING: "kept"}


@click.command()
def keys() -> None:
    """Make the gateway's signing key pair and the event keys unless they exist
    (TINHSO_PRINCIPAL_*_KEY_FILE, TINHSO_EVENT_KEYS_DIR)."""
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
    try:
        made = ensure_event_keys(settings, EVENT_SOURCED)
    except OSError as exc:
        raise click.ClickException(f"cannot write the event keys: {exc}") from None
    for service in EVENT_SOURCED:
        verb = "created" if key_file(settings, service) in made else "kept"
        click.echo(f"{verb} event key (the {service} relay's and its readers'): {key_file(settings, service)}")
