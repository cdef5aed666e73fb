"""``tinhso seed --demo``'s broadcast part: the Ba Bể 2022 operations, in-process.

It runs where the CLI runs, on the platform's database, without the broadcast service:

1. the service's read model of the registry (``broadcast_registry``) is rebuilt from the
   registry's store (blue/green, safe beside a running service), so the stations the demo
   assets just registered are known;
2. the dataset goes through the service's own command handlers, each command with a fixed
   idempotency key, so a second run replays every answer and changes nothing.
"""

from __future__ import annotations

import datetime
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
import msgspec

from contracts.api.broadcast import (
    RecordOutreachSessionBody,
    RecordProgrammeBody,
    RecordRelaySessionsBody,
    RecordVehicleTripBody,
    SendProgrammeBody,
)
from contracts.broadcast_events import CATALOGUE
from contracts.envelope import Metadata
from libs.common.eventstore.commands import CommandExecutor, CommandResult
from libs.common.eventstore.context import CommandContext
from libs.common.projections.rebuild import rebuild
from libs.common.settings import Settings
from services.broadcast.adapters.registry_view import S as REGISTRY_VIEW
from services.broadcast.application.handlers import BroadcastHandlers
from services.broadcast.application.programmes import SendProgrammeInput
from services.broadcast.entrypoints.registry_projection import RegistryViewProjection
from services.broadcast.seed.ba_be_2022 import DISTRICT, YEAR
from services.broadcast.seed.load import load_ba_be_2022

PRINCIPAL = "tinhso-seed"


class SeedReport(msgspec.Struct, kw_only=True):
    created: int = 0
    unchanged: int = 0
    stations: int = 0


def _sender(pool: asyncpg.Pool, report: SeedReport) -> Callable[[str, dict[str, Any]], Awaitable[dict[str, Any]]]:
    handlers = BroadcastHandlers.on(CommandExecutor(pool, "broadcast", CATALOGUE))
    counter = iter(range(1_000_000))

    async def send(path: str, body: dict[str, Any]) -> dict[str, Any]:
        ctx = CommandContext(
            metadata=Metadata(actor=PRINCIPAL), idempotency_key=f"ba-be-2022:{next(counter)}", request_path=path
        )
        answer: CommandResult
        if path == "relay-sessions/record":
            answer = await handlers.relays.record(msgspec.convert(body, RecordRelaySessionsBody), ctx)
        elif path == "programmes/record":
            answer = await handlers.programmes.record(msgspec.convert(body, RecordProgrammeBody), ctx)
        elif path.startswith("programmes/") and path.endswith("/send"):
            send_body = msgspec.convert(body, SendProgrammeBody)
            answer = await handlers.programmes.send(
                SendProgrammeInput(programme_id=path.split("/")[1], body=send_body), ctx
            )
        elif path == "outreach/sessions/record":
            answer = await handlers.outreach.record_session(msgspec.convert(body, RecordOutreachSessionBody), ctx)
        elif path == "outreach/vehicle-trips/record":
            answer = await handlers.outreach.record_trip(msgspec.convert(body, RecordVehicleTripBody), ctx)
        else:
            raise ValueError(f"the seed does not send {path}")
        if answer.replayed:
            report.unchanged += 1
        else:
            report.created += 1
        result: dict[str, Any] = msgspec.to_builtins(answer)
        return result

    return send


async def seed_ba_be_2022(pool: asyncpg.Pool, settings: Settings) -> SeedReport:
    """Load the dataset; ``stations`` is 0 (and nothing is loaded) without Ba Bể's stations."""
    view = RegistryViewProjection()
    await rebuild(view, pool, topics={s: settings.topic(s) for s in view.sources}, partitions=settings.kafka_partitions)
    rows = await pool.fetch(
        f"""SELECT c.code, s.station_id FROM {REGISTRY_VIEW}.stations s
            JOIN {REGISTRY_VIEW}.units c ON c.unit_id = s.unit_id
            JOIN {REGISTRY_VIEW}.units d ON d.unit_id = c.parent_id
            WHERE d.code = $1 AND s.status <> 'DECOMMISSIONED'
              AND d.valid_from <= $2 AND (d.valid_to IS NULL OR d.valid_to > $2)
              AND c.valid_from <= $2 AND (c.valid_to IS NULL OR c.valid_to > $2)""",
        DISTRICT,
        # The district and communes of the dataset's year: after the 2025 merge has been
        # replayed they have ended, and their codes may name successors.
        datetime.date(YEAR, 12, 31),
    )
    report = SeedReport(stations=len(rows))
    if rows:
        await load_ba_be_2022(_sender(pool, report), {r["code"]: r["station_id"] for r in rows})
    return report
