"""Events a projection could not apply, kept with the error so the projection can go on.

Operators list, inspect, retry (re-apply through the projection) or discard them with
``tinhso dlq``. A retried event that applies cleanly leaves the table.

A retry re-applies only what is safe to (ADR 0022): an event of its source store, exactly as
stored, that the projection has not yet passed with a later version of the same stream. A
letter of a stream whose later versions the projection already applied would write older
state over newer, so it is refused with the reason and the way out (discard, or rebuild).
A run of dead letters of one stream is retried oldest first: later versions that are dead
letters themselves do not count as applied. Untrusted records (not the relay's) are kept as
evidence and never re-applied.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import msgspec

from contracts.envelope import Envelope
from libs.common.db import Conn
from libs.common.projections.decoding import UNTRUSTED
from libs.common.projections.projection import Applied, Projection

_envelope = msgspec.json.Decoder(Envelope)

REFUSED = "not re-applied"
"""How :func:`retry` starts the message of a letter it would not apply (it stays as it was)."""


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


async def count_by_projection(conn: Conn, service_schema: str) -> dict[str, int]:
    """How many dead letters wait per projection (what ``tinhso_dead_letters`` reports)."""
    rows = await conn.fetch(
        f"SELECT projection, count(*) AS waiting FROM {service_schema}.dead_letters GROUP BY projection"
    )
    return {row["projection"]: row["waiting"] for row in rows}


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


class _RefusedError(Exception):
    """A retry that must not apply; the message says why and what to do instead."""


async def retry(conn: Conn, service_schema: str, projection: Projection, letter_id: int) -> str | None:
    """Re-apply one dead letter; ``None`` on success (it is removed), else the new error or
    why it was not re-applied (it then stays, unchanged)."""
    letter = await get_dead_letter(conn, service_schema, letter_id)
    if letter is None or letter.envelope is None:
        return f"no dead letter {letter_id}"
    discard_hint = f"discard it (tinhso dlq discard {service_schema} {letter_id})"
    if letter.error.startswith(UNTRUSTED):
        return (
            f"{REFUSED}: the record was not published by its topic's relay, "
            f"so it is evidence, not an event; {discard_hint}"
        )
    envelope = _envelope.decode(letter.envelope)
    try:
        async with conn.transaction():
            # Like a runner's batch (a rebuild's swap waits), and once: a second operator
            # retrying the same letter finds it gone.
            await conn.execute("SELECT pg_advisory_xact_lock_shared($1)", projection.lock_key())
            await _check_reapply(conn, service_schema, projection, letter, envelope=envelope, discard_hint=discard_hint)
            claimed = await conn.fetchval(
                f"DELETE FROM {service_schema}.dead_letters WHERE id = $1 RETURNING id", letter_id
            )
            if claimed is None:
                return None  # retried meanwhile by someone else
            await projection.apply(conn, projection.name, [Applied(envelope, projection.decode(envelope))])
    except _RefusedError as refused:
        return str(refused)
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


async def _check_reapply(
    conn: Conn,
    service_schema: str,
    projection: Projection,
    letter: DeadLetter,
    *,
    envelope: Envelope,
    discard_hint: str,
) -> None:
    """Raise :class:`_RefusedError` unless the letter is its store's event and no later version of
    its stream has been applied by the projection."""
    source = envelope.type.split(".", 1)[0]
    if source not in projection.sources:
        raise _RefusedError(f"{REFUSED}: {projection.name} reads no events of {source!r}; {discard_hint}")
    stored = await conn.fetchrow(
        f"SELECT stream_id, version, tx_id, position FROM {source}.events WHERE event_id = $1", envelope.event_id
    )
    if stored is None or (stored["stream_id"], stored["version"], (stored["tx_id"], stored["position"])) != (
        envelope.stream_id,
        envelope.version,
        envelope.source_position,
    ):
        raise _RefusedError(
            f"{REFUSED}: event {envelope.event_id} is not in {source}'s event store as kept here; {discard_hint}"
        )
    # The runner locks these rows for each batch: a batch in flight commits (or not) first,
    # so the answer below is not overtaken by a later version applied meanwhile.
    await conn.execute(
        f"SELECT 1 FROM {projection.name}.checkpoints WHERE topic = $1 AND ($2 < 0 OR partition = $2) FOR UPDATE",
        letter.topic,
        letter.partition,
    )
    later: int | None = await conn.fetchval(
        f"""
        SELECT max(e.version) FROM {source}.events e
        WHERE e.stream_id = $1 AND e.version > $2 AND e.type = ANY($3::text[])
          AND EXISTS (SELECT 1 FROM {projection.name}.checkpoints c
                      WHERE c.topic = $4 AND ($5 < 0 OR c.partition = $5)
                        AND (e.tx_id::text::bigint, e.position) <= (c.tx_id, c.position))
          AND NOT EXISTS (SELECT 1 FROM {service_schema}.dead_letters d
                          WHERE d.projection = $6 AND d.event_id = e.event_id)
        """,
        envelope.stream_id,
        envelope.version,
        sorted(projection.handles),
        letter.topic,
        letter.partition,
        projection.name,
    )
    if later is not None:
        raise _RefusedError(
            f"{REFUSED}: {projection.name} has already applied version {later} of stream "
            f"{envelope.stream_id!r}, newer than this letter's version {envelope.version}; applying it now "
            f"would write older state over newer. {discard_hint[0].upper()}{discard_hint[1:]}, or rebuild the "
            f"projection (tinhso projections rebuild) to apply the whole stream in order"
        )
