"""``tinhso seed --demo``'s metrics part: the seeds' province figures, in-process.

It runs where the CLI runs, on the platform's database, with or without the metrics service:

1. the shipped catalogue is defined (unchanged definitions append nothing), since a platform
   whose metrics service has never started has none;
2. the service's unit tree must know the province: a running service learns it from the
   registry's events within seconds, so the loader waits for it (``WAIT_SECONDS``). When no
   metrics service has ever run on the database (its read models do not exist), or the
   province does not come in time, the read models are rebuilt from the stores (blue/green,
   safe beside a running service), which costs a pass over every event;
3. every figure goes through the service's own ``report`` command with a fixed idempotency
   key, so a second run replays every answer and changes nothing.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import asyncpg
import msgspec

from contracts.api.metrics import DefineIndicators, ReportValue
from contracts.envelope import Metadata
from contracts.metrics_events import CATALOGUE
from libs.common.eventstore.commands import CommandExecutor
from libs.common.eventstore.context import CommandContext
from libs.common.projections.projection import ensure_schema
from libs.common.projections.rebuild import RebuildProgress, rebuild
from libs.common.settings import Settings
from services.metrics.adapters.indicator_data import FACTS
from services.metrics.application.commands import MetricsCommands
from services.metrics.entrypoints.projections import PROJECTIONS
from services.metrics.seed.indicators import province_indicators
from services.metrics.seed.seed_figures import PROVINCE, in_publication_order, source_of

PRINCIPAL = "tinhso-seed"
WAIT_SECONDS = 60.0
POLL_SECONDS = 0.5


class FiguresReport(msgspec.Struct, kw_only=True):
    created: int = 0
    unchanged: int = 0
    rebuilt: bool = False


async def _knows_province(pool: asyncpg.Pool) -> bool | None:
    """``None``: the unit tree does not exist, so no metrics service has run here."""
    try:
        found: bool = await pool.fetchval(f"SELECT EXISTS (SELECT 1 FROM {FACTS}.units WHERE code = $1)", PROVINCE)
    except asyncpg.UndefinedTableError:
        return None
    return found


async def _wait_for_province(pool: asyncpg.Pool, on_progress: Callable[[str], None]) -> bool:
    started = time.monotonic()
    told = started
    while not (known := await _knows_province(pool)):
        if known is None:
            return False
        now = time.monotonic()
        if now - started >= WAIT_SECONDS:
            return False
        if now - told >= 10:
            on_progress(f"waiting for the metrics service to learn the province ({now - started:.0f} s)")
            told = now
        await asyncio.sleep(POLL_SECONDS)
    return True


async def load_seed_figures(
    pool: asyncpg.Pool, settings: Settings, on_progress: Callable[[str], None] = lambda _: None
) -> FiguresReport:
    commands = MetricsCommands(CommandExecutor(pool, "metrics", CATALOGUE))
    report = FiguresReport()
    catalogue = CommandContext(metadata=Metadata(actor=PRINCIPAL), idempotency_key=None)
    await commands.define(DefineIndicators(indicators=province_indicators()), catalogue)
    if not await _wait_for_province(pool, on_progress):
        on_progress("the metrics read models do not know the province: rebuilding them from the stores")
        for projection in PROJECTIONS:

            def progress(p: RebuildProgress, name: str = projection.name) -> None:
                on_progress(f"{name}: rebuilt from {p.done}/{p.total} events")

            await rebuild(
                projection,
                pool,
                topics={s: settings.topic(s) for s in projection.sources},
                partitions=settings.kafka_partitions,
                on_progress=progress,
            )
        report.rebuilt = True
    async with pool.acquire() as conn:
        # A report reads targets from the values read model, which a service that has only
        # just started may not have created yet.
        for projection in PROJECTIONS:
            await ensure_schema(conn, projection, projection.name)
    for figure in in_publication_order():
        ctx = CommandContext(
            metadata=Metadata(actor=PRINCIPAL),
            idempotency_key=f"seed-figures:{figure.code}:{figure.period}:{figure.source}",
            request_path="values/report",
        )
        body = ReportValue(
            indicator_code=figure.code,
            unit_code=PROVINCE,
            period=figure.period,
            value=figure.value,
            source=source_of(figure),
            comment=figure.quote,
        )
        answer = await commands.report(body, ctx)
        if answer.replayed:
            report.unchanged += 1
        else:
            report.created += 1
    return report
