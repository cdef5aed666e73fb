"""``tinhso admin``: what the running services report on ``/admin``, read by an operator.

``/admin`` needs a principal with the ``admin`` scope, which only the gateway's key can sign:
this command signs one with that key, so it runs where the key is (the state directory under
``tinhso up``, ``TINHSO_PRINCIPAL_PRIVATE_KEY_FILE`` elsewhere). It asks each service at its
usual address and follows the API process's redirect to the backbone process. It follows that
redirect only to the same host. ``--url`` names another process, e.g. one backbone replica
reached through ``kubectl port-forward``.

``tinhso projections status`` reads checkpoints from the database; this reads the live
figures a process keeps: whether its relay holds the lock, what is pending, each partition's
lag.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence

import click
import httpx
import msgspec

from libs.common.http.admin import ProjectionView, RelayView
from libs.common.principal import KeyFileError, Principal, PrincipalSigner
from libs.common.settings import Settings
from services.cli.catalogue import EVENT_SOURCED
from services.cli.console import EXIT_CONFIG, EXIT_STARTUP, run_or_exit, settings_or_exit

OPERATOR = Principal(subject="operator:tinhso-cli", scopes=frozenset({"admin"}))
TIMEOUT_SECONDS = 10.0


class AdminReadError(Exception):
    """One service's figures could not be read; the message says why, in a line."""


def _services_and_urls(settings: Settings, services: Sequence[str], url: str | None) -> list[tuple[str, str]]:
    chosen = list(services) or list(EVENT_SOURCED)
    unknown = [s for s in chosen if s not in EVENT_SOURCED]
    if unknown:
        raise click.BadParameter(f"{', '.join(unknown)} (known: {', '.join(EVENT_SOURCED)})", param_hint="SERVICE")
    if url is not None:
        if len(chosen) != 1:
            raise click.BadParameter("--url names one process: give exactly one SERVICE with it", param_hint="--url")
        return [(chosen[0], url.rstrip("/"))]
    return [(s, settings.service_url(s)) for s in chosen]


def _signer(settings: Settings) -> PrincipalSigner:
    try:
        return PrincipalSigner.from_settings(settings)
    except KeyFileError as exc:
        click.echo(f"tinhso: {exc}; run this where the gateway's key is", err=True)
        sys.exit(EXIT_CONFIG)


async def _read(client: httpx.AsyncClient, service: str, base: str, path: str, signer: PrincipalSigner) -> bytes:
    url = httpx.URL(f"{base}{path}")
    response = await _get(client, service, url, signer)
    if response.status_code in (307, 308) and "location" in response.headers:
        # An API process names its backbone process: the same host at another port. The admin
        # token goes only there, never to whatever host a proxy in between might name.
        there = url.join(response.headers["location"])
        if (there.scheme, there.host) != (url.scheme, url.host):
            raise AdminReadError(f"{url} redirects to another host ({there}); ask that one with --url")
        response = await _get(client, service, there, signer)
    if response.status_code != 200:
        try:
            message = msgspec.json.decode(response.content).get("message", "")
        except (msgspec.DecodeError, AttributeError):
            message = response.text[:200]
        raise AdminReadError(f"{response.url} answered {response.status_code}: {message}")
    return response.content


async def _get(client: httpx.AsyncClient, service: str, url: httpx.URL, signer: PrincipalSigner) -> httpx.Response:
    # A token is for one service and one request (ADR 0021): signed for each URL asked.
    headers = signer.headers(OPERATOR, service=service, method="GET", path=url.path)
    try:
        return await client.get(url, headers=headers)
    except httpx.HTTPError as exc:
        raise AdminReadError(f"no answer from {url} ({type(exc).__name__}: {str(exc) or 'no detail'})") from None


async def _read_all(
    services: list[tuple[str, str]], path: str, signer: PrincipalSigner
) -> list[tuple[str, bytes | AdminReadError]]:
    found: list[tuple[str, bytes | AdminReadError]] = []
    async with httpx.AsyncClient(timeout=TIMEOUT_SECONDS) as client:
        for service, base in services:
            try:
                found.append((service, await _read(client, service, base, path, signer)))
            except AdminReadError as exc:
                found.append((service, exc))
            except httpx.InvalidURL as exc:
                found.append((service, AdminReadError(f"{base} is not a URL: {exc}")))
    return found


def _report(
    found: list[tuple[str, bytes | AdminReadError]], show: Callable[[str, bytes, bool], None], as_json: bool
) -> None:
    failed = False
    for service, answer in found:
        if isinstance(answer, AdminReadError):
            click.echo(f"tinhso: {service}: {answer}", err=True)
            failed = True
        else:
            try:
                show(service, answer, as_json)
            except (msgspec.DecodeError, msgspec.ValidationError) as exc:
                click.echo(f"tinhso: {service}: the answer is not the /admin figures ({exc})", err=True)
                failed = True
    if failed:
        sys.exit(EXIT_STARTUP)


def _show_relay(service: str, answer: bytes, as_json: bool) -> None:
    relay = msgspec.json.decode(answer, type=RelayView | None)
    if as_json:
        click.echo(msgspec.json.encode({"service": service, "admin": relay}))
        return
    if relay is None:
        click.echo(f"relay {service:<10} none in this process")
        return
    click.echo(
        f"relay {service:<10} {'active' if relay.active else 'standby'} topic={relay.topic} "
        f"published={relay.published} pending={relay.pending} republished={relay.republished} "
        f"last_error={relay.last_error or '-'}"
    )


def _show_projections(service: str, answer: bytes, as_json: bool) -> None:
    views = msgspec.json.decode(answer, type=list[ProjectionView])
    if as_json:
        click.echo(msgspec.json.encode({"service": service, "admin": views}))
        return
    if not views:
        click.echo(f"{service}: no projections run in this process")
    for view in views:
        click.echo(
            f"projection {view.name:<32} {'running' if view.running else 'stopped'} applied={view.applied} "
            f"skipped={view.skipped} dead_lettered={view.dead_lettered} last_error={view.last_error or '-'}"
        )
        for p in view.partitions:
            events = "?" if p.lag_events is None else p.lag_events
            click.echo(f"  {p.topic}[{p.partition}] lag_events={events} lag_seconds={p.lag_seconds:.1f}")


def _ask(
    services: Sequence[str], url: str | None, path: str, show: Callable[[str, bytes, bool], None], as_json: bool
) -> None:
    """Read ``path`` of each service's process and print it with ``show``."""
    settings = settings_or_exit()
    targets = _services_and_urls(settings, services, url)
    signer = _signer(settings)
    _report(run_or_exit(lambda: _read_all(targets, path, signer)), show, as_json)


_SERVICES = click.argument("services", nargs=-1, metavar="[SERVICE]...")
_URL = click.option("--url", default=None, help="Ask this process (base URL) instead; needs one SERVICE.")
_JSON = click.option("--json", "as_json", is_flag=True, help="One JSON object per service, as /admin answers.")


@click.group()
def admin() -> None:
    """What the running services report on /admin: relays and projection lag, live."""


@admin.command()
@_SERVICES
@_URL
@_JSON
def relay(services: tuple[str, ...], url: str | None, as_json: bool) -> None:
    """Each service's outbox relay: active or standby, published, pending, last error."""
    _ask(services, url, "/admin/relay", _show_relay, as_json)


@admin.command("projections")
@_SERVICES
@_URL
@_JSON
def projections_command(services: tuple[str, ...], url: str | None, as_json: bool) -> None:
    """Each service's projections: applied, dead letters, lag per partition in events and seconds."""
    _ask(services, url, "/admin/projections", _show_projections, as_json)
