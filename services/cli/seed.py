"""``tinhso seed``: load the province's reference structure through the registry's commands.

The items go through the registry's bulk importer in this process, on the same database
the services use: seeding is itself event-sourced (every unit has its events, the relay
publishes them, the read models follow). Every item is idempotent, so running it again
reports everything unchanged.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from collections.abc import Callable
from typing import Any

import click

from contracts.envelope import Metadata
from contracts.registry_events import CATALOGUE
from libs.common.eventstore.commands import CommandExecutor
from libs.common.eventstore.context import CommandContext
from services.broadcast.seed.demo import seed_ba_be_2022
from services.cli.console import run_or_exit, settings_or_exit
from services.cli.database import pool
from services.metrics.seed.load_figures import load_seed_figures
from services.registry.application.bulk_import import BulkImporter
from services.registry.application.handlers import RegistryHandlers
from services.registry.application.import_parsing import from_dicts
from services.registry.application.import_report import ImportProgress, ImportReport
from services.registry.seed.merge_2025 import merge_items
from services.registry.seed.structure import structure_items

PRINCIPAL = "tinhso-seed"
DEMO_MODULE = "services.registry.seed.demo_assets"
SHOWN_REJECTIONS = 20

Batch = tuple[str, Callable[[], list[dict[str, Any]]]]


def _demo_items() -> Callable[[], list[dict[str, Any]]] | None:
    if importlib.util.find_spec(DEMO_MODULE) is None:
        return None
    demo_items: Callable[[], list[dict[str, Any]]] = importlib.import_module(DEMO_MODULE).demo_items
    return demo_items


def _report(label: str, report: ImportReport) -> None:
    click.echo(f"{label}: created {report.created}, unchanged {report.unchanged}, rejected {report.rejected}")
    rejected = [item for item in report.items if item.status == "rejected"]
    for item in rejected[:SHOWN_REJECTIONS]:
        assert item.error is not None
        click.echo(f"  item {item.index} ({item.kind}): {item.error.code}: {item.error.message}", err=True)
    if len(rejected) > SHOWN_REJECTIONS:
        click.echo(f"  ... and {len(rejected) - SHOWN_REJECTIONS} more rejected", err=True)


@click.command()
@click.option("--merge-2025", "merge_2025", is_flag=True, help="Also replay the 2025-07-01 merge (ADR 0005).")
@click.option(
    "--demo",
    is_flag=True,
    help=(
        "Also import the demo assets (stations, clusters, BTS, teams, the pilot communes' group), "
        "Ba Bể's 2022 broadcasts and the province figures the source documents report."
    ),
)
def seed(merge_2025: bool, demo: bool) -> None:
    """Register Bắc Kạn's province, 8 districts, 108 communes and 1,292 synthetic villages.

    Idempotent: a second run reports everything unchanged. Exits 1 if an item was rejected.
    """
    batches: list[Batch] = [("reference structure", structure_items)]
    if merge_2025:
        batches.append(("2025-07-01 merge", merge_items))
    if demo:
        demo_items = _demo_items()
        if demo_items is None:
            click.echo("demo dataset not available yet (services.registry.seed.demo_assets does not exist)")
        else:
            batches.append(("demo assets", demo_items))
    settings = settings_or_exit()

    async def work() -> list[tuple[str, ImportReport]]:
        reports = []
        async with pool(settings, migrate_first=True) as db:
            importer = BulkImporter(RegistryHandlers.build(CommandExecutor(db, "registry", CATALOGUE)), concurrency=3)
            for label, build in batches:

                def progress(p: ImportProgress, label: str = label) -> None:
                    click.echo(f"{label}: {p.describe()}")

                seeder = CommandContext(metadata=Metadata(actor=PRINCIPAL))
                report = await importer.run(from_dicts(build()), seeder, on_progress=progress)
                reports.append((label, report))
            if demo:
                broadcast = await seed_ba_be_2022(db, settings)
                click.echo(
                    f"broadcast demo (Ba Bể 2022, {broadcast.stations} stations): "
                    f"created {broadcast.created}, unchanged {broadcast.unchanged}"
                )
                figures = await load_seed_figures(db, settings, on_progress=click.echo)
                click.echo(f"reported figures (the seeds): created {figures.created}, unchanged {figures.unchanged}")
        return reports

    reports = run_or_exit(work)
    for label, report in reports:
        _report(label, report)
    total = {k: sum(getattr(r, k) for _, r in reports) for k in ("created", "unchanged", "rejected")}
    click.echo(f"seed done: created {total['created']}, unchanged {total['unchanged']}, rejected {total['rejected']}")
    if total["rejected"]:
        sys.exit(1)
