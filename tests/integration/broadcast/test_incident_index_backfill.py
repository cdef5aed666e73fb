"""The incident index's migration fills it from the incidents the store already holds, so
incidents opened before it are handled, and escalated, like the new ones."""

from __future__ import annotations

import datetime
import json
import uuid

import asyncpg

from libs.common.migrations import Migration, apply_migrations
from services.cli.catalogue import migrations_for

OPENED = datetime.datetime(2026, 11, 2, 7, 0, tzinfo=datetime.UTC)


async def _event(conn: asyncpg.Connection, stream: str, version: int, kind: str, data: dict[str, object]) -> None:
    await conn.execute(
        """INSERT INTO broadcast.events (event_id, stream_id, stream_type, version, type, schema_version,
                                         occurred_at, data)
           VALUES ($1, $2, 'cluster_signal', $3, $4, 1, $5, $6::jsonb)""",
        uuid.uuid4(),
        stream,
        version,
        f"broadcast.{kind}",
        OPENED,
        json.dumps(data),
    )


async def test_the_migration_indexes_the_incidents_opened_and_closed_before_it(fresh_database: str) -> None:
    before: list[Migration] = []
    index: list[Migration] = []
    for migration in migrations_for("broadcast"):
        (index if migration.id.endswith("incidents_handled") else before).append(migration)
    assert len(index) == 1
    conn = await asyncpg.connect(fresh_database)
    try:
        await apply_migrations(conn, before)
        common = {"station_id": "st-1", "unit_code": "00001", "down_since": OPENED.isoformat()}
        for n, closed in ((1, True), (2, False)):
            stream = f"cluster_signal-cl-{n}"
            opened = {**common, "incident_id": f"inc-{n}", "cluster_id": f"cl-{n}", "opened_at": OPENED.isoformat(),
                      "threshold_seconds": 300, "cause": "SILENT"}  # fmt: skip
            await _event(conn, stream, 1, "signal_incident_opened", opened)
            if closed:
                ended = (OPENED + datetime.timedelta(hours=1)).isoformat()
                await _event(conn, stream, 2, "signal_incident_closed", {**opened, "closed_at": ended})
        await apply_migrations(conn, index)
        rows = await conn.fetch(
            "SELECT incident_id, cluster_id, unit_code, opened_at, closed_at FROM broadcast.incident_index ORDER BY 1"
        )
    finally:
        await conn.close()
    assert [dict(r) for r in rows] == [
        {"incident_id": "inc-1", "cluster_id": "cl-1", "unit_code": "00001", "opened_at": OPENED,
         "closed_at": OPENED + datetime.timedelta(hours=1)},
        {"incident_id": "inc-2", "cluster_id": "cl-2", "unit_code": "00001", "opened_at": OPENED, "closed_at": None},
    ]  # fmt: skip
