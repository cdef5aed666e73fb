"""``tinhso simulate``: the demo province, live, through the gateway (``make demo`` runs it).

It signs in with an API key (given, or made for the partner ``tinhso-simulate``), finds the
stations and clusters the way a partner would, then plays a ``Timeline``
(``simulation_schedule``) against the gateway (``simulation_run``) until the duration is over
or Ctrl-C, printing a progress line every few seconds and a summary at the end.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import random
import signal
import sys
import time
from typing import NamedTuple

import click

from libs.common.errors import DomainError
from services.cli.console import run_or_exit, settings_or_exit
from services.cli.database import pool
from services.cli.simulation_gateway import GatewayUnreachableError, SimulationGateway
from services.cli.simulation_run import Simulation, Tally
from services.cli.simulation_schedule import Station, Timeline
from services.gateway.security.partner_store import PartnerStore
from services.gateway.security.partners import Partner

PARTNER = "tinhso-simulate"
SCOPES = frozenset({"read", "broadcast:write", "alerts:issue"})
WAIT_STEP_SECONDS = 2.0
KEY_GRACE = datetime.timedelta(hours=1)
"""A key replaced by a new run keeps working this long: a simulation still running with it goes on."""


async def _make_key() -> str:
    """A new key of the simulator's own partner, created on the first run."""
    settings = settings_or_exit()
    async with pool(settings) as db:
        store = PartnerStore(db)
        try:
            return await store.create(Partner(name=PARTNER, scopes=SCOPES))
        except DomainError as exc:
            if exc.code != "partner_exists":
                raise
            return await store.rotate_key(PARTNER, grace=KEY_GRACE)


class Pace(NamedTuple):
    """How fast the province moves: ``--rate``, ``--heartbeat-interval``, ``--acknowledge-within``."""

    rate: float
    heartbeat_interval: float
    ack_within: float


async def _stations(gateway: SimulationGateway, wait: float, stop: asyncio.Event) -> list[Station]:
    """The province's stations; for up to ``wait`` seconds (or until ``stop``), a gateway that
    does not answer yet or shows no station yet (a platform starting, a seed being projected)
    is asked again."""
    deadline = time.monotonic() + wait
    while not stop.is_set():
        try:
            stations = await gateway.stations()
        except GatewayUnreachableError:
            if time.monotonic() >= deadline:
                raise
            stations = []
        if stations or time.monotonic() >= deadline:
            return stations
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(WAIT_STEP_SECONDS):
                await stop.wait()
    return []


async def _simulate(  # noqa: PLR0917 - the command's options, passed on
    url: str,
    key: str | None,
    pace: Pace,
    duration: float | None,
    seed: int,
    every: float,
    wait: float,
) -> Tally:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    gateway = SimulationGateway(url, key or await _make_key())
    try:
        stations = await _stations(gateway, wait, stop)
        clusters = sum(len(s.clusters) for s in stations)
        if stop.is_set():  # Ctrl-C while waiting for the platform
            return Tally()
        if not stations:
            raise click.ClickException("the gateway shows no radio stations: run `tinhso seed --demo` first")
        click.echo(
            f"simulating {len(stations)} stations and {clusters} clusters through {url} "
            f"(rate {pace.rate:g}, seed {seed}, heartbeats every {pace.heartbeat_interval:g} s"
            f"{f', for {duration:g} s' if duration else ', until Ctrl-C'})"
        )
        timeline = Timeline(
            stations,
            seed=seed,
            rate=pace.rate,
            heartbeat_interval=pace.heartbeat_interval,
            ack_within=pace.ack_within,
            start=datetime.datetime.now(datetime.UTC),
        )
        simulation = Simulation(gateway, progress=lambda tally: click.echo(tally.line()), progress_every=every)
        return await simulation.run(timeline, duration, stop)
    finally:
        await gateway.close()


@click.command()
@click.option("--gateway", "url", help="The gateway's URL. Default: this machine's, on TINHSO_GATEWAY_PORT.")
@click.option("--key", help="An API key (scopes read, broadcast:write, alerts:issue). Default: one made for it.")
@click.option(
    "--rate",
    type=click.FloatRange(min=0.01, max=100_000),
    default=60.0,
    show_default=True,
    help="How many times faster than real time the province moves (losses, restorations, relays, alerts).",
)
@click.option(
    "--duration",
    type=click.FloatRange(min=0),
    default=0.0,
    help="Real seconds to run; 0 (the default) runs until Ctrl-C.",
)
@click.option(
    "--heartbeat-interval",
    "interval",
    type=click.FloatRange(min=1, max=3600),
    default=60.0,
    show_default=True,
    help="Real seconds between a cluster's heartbeats (the silence threshold is 300 s unless configured).",
)
@click.option(
    "--wait",
    type=click.FloatRange(min=0, max=3600),
    default=0.0,
    help="Seconds to wait for the gateway to answer and show the seeded stations (make demo: 300).",
)
@click.option(
    "--acknowledge-within",
    "ack_within",
    type=click.FloatRange(min=1, max=3600),
    default=300.0,
    show_default=True,
    help="Real seconds within which stations acknowledge an alert (about a fifth of it, typically).",
)
@click.option("--seed", type=int, help="The random seed: the same seed gives the same timeline. Default: random.")
@click.option(
    "--progress-every", "every", type=click.FloatRange(min=0.1), default=10.0, show_default=True, help="Seconds."
)
def simulate(  # noqa: PLR0917 - click passes each option
    url: str | None,
    key: str | None,
    rate: float,
    duration: float,
    interval: float,
    wait: float,
    ack_within: float,
    seed: int | None,
    every: float,
) -> None:
    """Drive the demo province live through the gateway: heartbeats, signal losses and
    restorations, relay sessions at their hours, emergency alerts and their acknowledgements.

    Stops on Ctrl-C (or after --duration) and prints a summary.
    """
    if url is None:
        url = f"http://127.0.0.1:{settings_or_exit().gateway_port}"
    chosen = random.SystemRandom().randrange(1_000_000) if seed is None else seed
    try:
        tally = run_or_exit(
            lambda: _simulate(url, key, Pace(rate, interval, ack_within), duration or None, chosen, every, wait)
        )
    except GatewayUnreachableError as exc:
        click.echo(f"tinhso: cannot reach the gateway at {url} ({exc}); is `tinhso up` running?", err=True)
        sys.exit(1)
    for line in tally.summary():
        click.echo(line)
