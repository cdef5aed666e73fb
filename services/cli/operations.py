"""``tinhso projections`` and ``tinhso dlq``: what operators do to read models and dead letters."""

from __future__ import annotations

import sys

import click
import msgspec

from libs.common.projections import dead_letters
from libs.common.projections.projection import Projection
from libs.common.projections.rebuild import RebuildProgress, rebuild
from services.cli.catalogue import EVENT_SOURCED, all_projections
from services.cli.console import run_or_exit, settings_or_exit
from services.cli.database import pool


def _projection(name: str) -> Projection:
    known = all_projections()
    if name not in known:
        listing = ", ".join(sorted(known)) or "none yet"
        click.echo(f"tinhso: no projection named {name!r} (known: {listing})", err=True)
        sys.exit(2)
    return known[name]


@click.group()
def projections() -> None:
    """Read models: list them, see how far they got, rebuild one from the log."""


@projections.command("list")
def list_projections() -> None:
    """The projections every service runs, with their sources."""
    known = all_projections()
    if not known:
        click.echo("no projections registered")
    for name, p in sorted(known.items()):
        click.echo(f"{name:<32} service={p.service:<10} sources={','.join(p.sources)} events={len(p.handles)}")


@projections.command()
def status() -> None:
    """Checkpoints per partition, events applied, dead letters; the relay of each service."""
    settings = settings_or_exit()

    async def work() -> None:
        async with pool(settings) as db, db.acquire() as conn:
            for service in EVENT_SOURCED:
                row = await conn.fetchrow(
                    f"SELECT tx_id, position, published, republished FROM {service}.relay_progress LIMIT 1"
                )
                total = await conn.fetchval(f"SELECT count(*) FROM {service}.events")
                published = row["published"] if row else 0
                click.echo(f"relay {service:<10} events={total} published={published}")
            for name, p in sorted(all_projections().items()):
                exists = await conn.fetchval("SELECT to_regclass($1)", f"{name}.checkpoints")
                rows = await conn.fetch(f"SELECT * FROM {name}.checkpoints ORDER BY topic, partition") if exists else []
                dead = await conn.fetchval(f"SELECT count(*) FROM {p.service}.dead_letters WHERE projection = $1", name)
                applied = sum(r["applied"] for r in rows)
                click.echo(f"projection {name:<32} applied={applied} dead_letters={dead}")
                for r in rows:
                    click.echo(
                        f"  {r['topic']}[{r['partition']}] position=({r['tx_id']},{r['position']}) "
                        f"offset={r['kafka_offset']} updated={r['updated_at']:%Y-%m-%d %H:%M:%S}"
                    )

    run_or_exit(work)


@projections.command("rebuild")
@click.argument("name")
def rebuild_command(name: str) -> None:
    """Replay the log into fresh tables and swap them in; reads go on meanwhile."""
    projection = _projection(name)
    settings = settings_or_exit()

    async def work() -> RebuildProgress:
        async with pool(settings) as db:
            with click.progressbar(length=1, label=f"rebuilding {name}", show_eta=False, file=sys.stderr) as bar:

                def report(progress: RebuildProgress) -> None:
                    bar.length = max(progress.total, 1)
                    bar.update(progress.done - bar.pos)
                    eta = progress.eta_seconds
                    bar.label = (
                        f"rebuilding {name}: {progress.done}/{progress.total} events, "
                        f"{progress.rate:,.0f} events/s, ETA {eta:,.0f} s"
                        if eta is not None
                        else f"rebuilding {name}"
                    )

                return await rebuild(
                    projection,
                    db,
                    topics={s: settings.topic(s) for s in projection.sources},
                    partitions=settings.kafka_partitions,
                    on_progress=report,
                )

    done = run_or_exit(work)
    click.echo(f"rebuilt {name}: {done.done} events at {done.rate:,.0f} events/s; swapped in")


def _service(name: str) -> str:
    if name not in EVENT_SOURCED:
        click.echo(f"tinhso: no service named {name!r} (one of: {', '.join(EVENT_SOURCED)})", err=True)
        sys.exit(2)
    return name


@click.group()
def dlq() -> None:
    """Dead letters: events a projection could not apply."""


@dlq.command("list")
@click.option("--projection", default=None, help="Only this projection's dead letters.")
def dlq_list(projection: str | None) -> None:
    """Every dead letter, as SERVICE ID, with its error."""
    settings = settings_or_exit()

    async def work() -> None:
        async with pool(settings) as db, db.acquire() as conn:
            count = 0
            for service in EVENT_SOURCED:
                for letter in await dead_letters.list_dead_letters(conn, service, projection):
                    count += 1
                    click.echo(
                        f"{service} {letter.id:<6} {letter.projection:<28} {letter.type:<36} "
                        f"attempts={letter.attempts} {letter.error.splitlines()[0][:100]}"
                    )
            if count == 0:
                click.echo("no dead letters")

    run_or_exit(work)


@dlq.command("show")
@click.argument("service")
@click.argument("letter_id", type=int)
def dlq_show(service: str, letter_id: int) -> None:
    """One dead letter in full, with the event's envelope."""
    service = _service(service)
    settings = settings_or_exit()

    async def work() -> None:
        async with pool(settings) as db, db.acquire() as conn:
            letter = await dead_letters.get_dead_letter(conn, service, letter_id)
        if letter is None:
            click.echo(f"tinhso: no dead letter {service} {letter_id}", err=True)
            sys.exit(1)
        click.echo(msgspec.json.format(msgspec.json.encode(letter), indent=2).decode())

    run_or_exit(work)


@dlq.command("retry")
@click.argument("service")
@click.argument("letter_id", type=int)
def dlq_retry(service: str, letter_id: int) -> None:
    """Apply a dead letter again through its projection; removed when it succeeds."""
    service = _service(service)
    settings = settings_or_exit()

    async def work() -> str | None:
        async with pool(settings) as db, db.acquire() as conn:
            letter = await dead_letters.get_dead_letter(conn, service, letter_id)
            if letter is None:
                return f"no dead letter {service} {letter_id}"
            return await dead_letters.retry(conn, service, _projection(letter.projection), letter_id)

    error = run_or_exit(work)
    if error is not None:
        # A refusal (ADR 0022) says itself why and what to do instead; a failure is the projection's.
        click.echo(f"tinhso: {'' if error.startswith(dead_letters.REFUSED) else 'retry failed: '}{error}", err=True)
        sys.exit(1)
    click.echo(f"applied and removed {service} {letter_id}")


@dlq.command("discard")
@click.argument("service")
@click.argument("letter_id", type=int)
def dlq_discard(service: str, letter_id: int) -> None:
    """Drop a dead letter for good (the event stays in the log)."""
    service = _service(service)
    settings = settings_or_exit()

    async def work() -> bool:
        async with pool(settings) as db, db.acquire() as conn:
            return await dead_letters.discard(conn, service, letter_id)

    if not run_or_exit(work):
        click.echo(f"tinhso: no dead letter {service} {letter_id}", err=True)
        sys.exit(1)
    click.echo(f"discarded {service} {letter_id}")
