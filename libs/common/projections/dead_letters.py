"""Events a projection could not apply, kept with the error so the projection can go on.

Operators list, inspect, retry (re-apply through the projection) or discard them with
``tinhso dlq``. A retried event that applies cleanly leaves the table.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import msgspec

from contracts.envelope import Envelope
from libs.common.db import Conn
from libs.common.projections.projection import Applied, Projection

_envelope = msgspec.json.Decoder(Envelope)


class DeadLetter(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    projection: str
    topic: str
    partition: int
    kafka_offset: int | None
    event_id: UUID
    type: str
    error: str
    attempts: int
    failed_at: datetime
    envelope: msgspec.Raw | None = None


async def record(
    conn: Conn,
    service_schema: str,
    projection: str,
    *,
    topic: str,
    partition: int,
    kafka_offset: int | None,
    envelope: Envelope,
    error: str,
) -> None:
    await conn.execute(
        f"""
        INSERT INTO {service_schema}.dead_letters
            (projection, topic, partition, kafka_offset, event_id, type, envelope, error)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
        ON CONFLICT (projection, event_id) DO UPDATE
            SET error = EXCLUDED.error, attempts = {service_schema}.dead_letters.attempts + 1, failed_at = now()
        """,
        projection,
        topic,
        partition,
        kafka_offset,
        envelope.event_id,
        envelope.type,
        msgspec.json.encode(envelope),
        error[:4000],
    )


async def list_dead_letters(conn: Conn, service_schema: str, projection: str | None = None) -> list[DeadLetter]:
    rows = await conn.fetch(
        f"""
        SELECT id, projection, topic, partition, kafka_offset, event_id, type, error, attempts, failed_at
        FROM {service_schema}.dead_letters WHERE $1::text IS NULL OR projection = $1 ORDER BY id
        """,
        projection,
    )
    return [DeadLetter(**dict(row)) for row in rows]


async def get_dead_letter(conn: Conn, service_schema: str, letter_id: int) -> DeadLetter | None:
    row = await conn.fetchrow(f"SELECT * FROM {service_schema}.dead_letters WHERE id = $1", letter_id)
    if row is None:
        return None
    values = dict(row)
    values["envelope"] = msgspec.Raw(values["envelope"])
    return DeadLetter(**values)


async def discard(conn: Conn, service_schema: str, letter_id: int) -> bool:
    status: str = await conn.execute(f"DELETE FROM {service_schema}.dead_letters WHERE id = $1", letter_id)
    return status.endswith(" 1")


async def retry(conn: Conn, service_schema: str, projection: Projection, letter_id: int) -> str | None:
    """Re-apply one dead letter; ``None`` on success (it is removed), else the new error."""
    letter = await get_dead_letter(conn, service_schema, letter_id)
    if letter is None or letter.envelope is None:
        return f"no dead letter {letter_id}"
    envelope = _envelope.decode(letter.envelope)
    try:
        async with conn.transaction():
            # Like a runner's batch (a rebuild's swap waits), and once: a second operator
            # retrying the same letter finds it gone.
            await conn.execute("SELECT pg_advisory_xact_lock_shared($1)", projection.lock_key())
            claimed = await conn.fetchval(
                f"DELETE FROM {service_schema}.dead_letters WHERE id = $1 RETURNING id", letter_id
            )
            if claimed is None:
                return None  # retried meanwhile by someone else
            await projection.apply(conn, projection.name, [Applied(envelope, projection.decode(envelope))])
    except Exception as exc:  # the operator sees why it still fails
        error = f"{type(exc).__name__}: {exc}"
        await conn.execute(
            f"UPDATE {service_schema}.dead_letters SET error = $2, attempts = attempts + 1, failed_at = now() "
            "WHERE id = $1",
            letter_id,
            error,
        )
        return error
    return None
