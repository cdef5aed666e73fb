"""SQL that keeps the operations read model (``broadcast_operations``;
``entrypoints/operations_projection.py`` says what it holds). Deliveries and acknowledgements are
upserts: whichever of them and their programme or alert arrives first creates the row."""

from __future__ import annotations

from collections.abc import Sequence

import msgspec

from contracts.broadcast_events import (
    EmergencyAlertAcknowledged,
    EmergencyAlertCancelled,
    EmergencyAlertDispatched,
    EmergencyAlertIssued,
    LoudspeakerVehicleTripMade,
    OutreachSessionHeld,
    ProgrammeApproved,
    ProgrammeCorrected,
    ProgrammeDeliveryAired,
    ProgrammeDeliveryFailed,
    ProgrammeDeliveryReceived,
    ProgrammeDeliverySent,
    ProgrammeDistributed,
    ProgrammeRecorded,
    ProgrammeRejected,
    ProgrammeSubmitted,
)
from libs.common.db import Conn
from libs.common.projections.projection import Applied

_encode = msgspec.json.encode


def tables_sql(schema: str) -> str:
    s = schema
    return f"""
    CREATE TABLE IF NOT EXISTS {s}.programmes (
        programme_id      text PRIMARY KEY,
        unit_code         text    NOT NULL,
        unit_id           text    NOT NULL,
        title             text    NOT NULL,
        air_date          date    NOT NULL,
        duration_seconds  integer NOT NULL,
        news_items        integer NOT NULL,
        articles          integer NOT NULL,
        segments          text[]  NOT NULL,
        items             jsonb   NOT NULL,
        audio             jsonb,
        corrections       integer NOT NULL DEFAULT 0
    );
    -- Priority and content approval (ADR 0052); a table from before them gains the columns,
    -- and its programmes, recorded before approval existed, stand approved.
    ALTER TABLE {s}.programmes
        ADD COLUMN IF NOT EXISTS priority text NOT NULL DEFAULT 'normal',
        ADD COLUMN IF NOT EXISTS approval text NOT NULL DEFAULT 'approved',
        ADD COLUMN IF NOT EXISTS approval_history jsonb NOT NULL DEFAULT '[]';
    CREATE INDEX IF NOT EXISTS programmes_air_date ON {s}.programmes (air_date, programme_id);
    CREATE INDEX IF NOT EXISTS programmes_unit ON {s}.programmes (unit_id, air_date);
    CREATE TABLE IF NOT EXISTS {s}.deliveries (
        programme_id        text NOT NULL,
        station_id          text NOT NULL,
        unit_code           text NOT NULL,
        producer_unit_code  text NOT NULL,
        status              text NOT NULL,
        sent_at             timestamptz NOT NULL,
        due_at              timestamptz NOT NULL,
        received_at         timestamptz,
        aired_at            timestamptz,
        failed_at           timestamptz,
        failure_reason      text,
        PRIMARY KEY (programme_id, station_id)
    );
    ALTER TABLE {s}.deliveries ADD COLUMN IF NOT EXISTS priority text NOT NULL DEFAULT 'normal';
    CREATE INDEX IF NOT EXISTS deliveries_station ON {s}.deliveries (station_id, due_at);
    CREATE TABLE IF NOT EXISTS {s}.outreach (
        outreach_id  text PRIMARY KEY,
        kind         text NOT NULL,
        unit_code    text NOT NULL,
        on_date      date NOT NULL,
        topic        text,
        audience     integer,
        route        text,
        distance_km  double precision
    );
    CREATE INDEX IF NOT EXISTS outreach_unit ON {s}.outreach (unit_code, on_date);
    CREATE TABLE IF NOT EXISTS {s}.alerts (
        alert_id       text PRIMARY KEY,
        unit_code      text NOT NULL,
        unit_id        text NOT NULL,
        category       text NOT NULL,
        priority       text NOT NULL,
        title          text NOT NULL,
        message        text NOT NULL,
        issued_at      timestamptz NOT NULL,
        expires_at     timestamptz NOT NULL,
        station_count  integer NOT NULL,
        cancelled_at   timestamptz,
        cancel_reason  text
    );
    CREATE TABLE IF NOT EXISTS {s}.alert_stations (
        alert_id         text NOT NULL,
        station_id       text NOT NULL,
        unit_code        text NOT NULL,
        dispatched       boolean NOT NULL DEFAULT false,
        acknowledged_at  timestamptz,
        PRIMARY KEY (alert_id, station_id)
    );
    """


async def apply(conn: Conn, schema: str, batch: Sequence[Applied]) -> None:
    for item in batch:
        event = item.event
        if isinstance(event, (ProgrammeSubmitted, ProgrammeApproved, ProgrammeRejected, ProgrammeDistributed)):
            await _approval_step(conn, schema, event)
        else:
            await _apply(conn, schema, item)


async def _apply(conn: Conn, s: str, item: Applied) -> None:
    event = item.event
    match event:
        case ProgrammeRecorded():
            await conn.execute(
                f"INSERT INTO {s}.programmes (programme_id, unit_code, unit_id, title, air_date, "
                "duration_seconds, news_items, articles, segments, items, audio, corrections, priority, approval) "
                "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 0, $12, $13)",
                event.programme_id,
                event.unit_code,
                event.unit_id,
                event.title,
                event.air_date,
                event.duration_seconds,
                event.news_items,
                event.articles,
                event.segments,
                _encode(event.items),
                None if event.audio is None else _encode(event.audio),
                event.priority,
                "draft" if event.approval_required else "approved",
            )
        case ProgrammeCorrected():
            await conn.execute(
                f"""UPDATE {s}.programmes SET
                        title = coalesce($2, title), air_date = coalesce($3, air_date),
                        duration_seconds = coalesce($4, duration_seconds), news_items = coalesce($5, news_items),
                        articles = coalesce($6, articles), segments = coalesce($7, segments),
                        items = coalesce($8, items), audio = coalesce($9, audio),
                        priority = coalesce($10, priority), corrections = corrections + 1
                    WHERE programme_id = $1""",
                event.programme_id,
                event.title,
                event.air_date,
                event.duration_seconds,
                event.news_items,
                event.articles,
                event.segments,
                None if event.items is None else _encode(event.items),
                None if event.audio is None else _encode(event.audio),
                event.priority,
            )
        case ProgrammeDeliverySent():
            await conn.execute(
                f"""INSERT INTO {s}.deliveries (programme_id, station_id, unit_code, producer_unit_code, status,
                                                sent_at, due_at, priority)
                    VALUES ($1, $2, $3, $4, 'sent', $5, $6, $7)
                    ON CONFLICT (programme_id, station_id) DO UPDATE SET status = 'sent', sent_at = $5, due_at = $6,
                        received_at = NULL, aired_at = NULL, failed_at = NULL, failure_reason = NULL,
                        priority = $7""",
                event.programme_id,
                event.station_id,
                event.unit_code,
                event.producer_unit_code,
                event.sent_at,
                event.due_at,
                event.priority,
            )
        case ProgrammeDeliveryReceived():
            await _delivery(conn, s, event, "received", event.received_at)
        case ProgrammeDeliveryAired():
            await _delivery(conn, s, event, "aired", event.aired_at)
        case ProgrammeDeliveryFailed():
            await conn.execute(
                f"""UPDATE {s}.deliveries SET status = 'failed', failed_at = $3, failure_reason = $4
                    WHERE programme_id = $1 AND station_id = $2""",
                event.programme_id,
                event.station_id,
                event.failed_at,
                event.reason,
            )
        case OutreachSessionHeld():
            await conn.execute(
                f"INSERT INTO {s}.outreach (outreach_id, kind, unit_code, on_date, topic, audience, route, "
                "distance_km) VALUES ($1, 'session', $2, $3, $4, $5, NULL, NULL)",
                event.outreach_id,
                event.unit_code,
                event.held_on,
                event.topic,
                event.audience,
            )
        case LoudspeakerVehicleTripMade():
            await conn.execute(
                f"INSERT INTO {s}.outreach (outreach_id, kind, unit_code, on_date, topic, audience, route, "
                "distance_km) VALUES ($1, 'vehicle_trip', $2, $3, NULL, NULL, $4, $5)",
                event.outreach_id,
                event.unit_code,
                event.made_on,
                event.route,
                event.distance_km,
            )
        case EmergencyAlertIssued():
            await conn.execute(
                f"INSERT INTO {s}.alerts (alert_id, unit_code, unit_id, category, priority, title, message, "
                "issued_at, expires_at, station_count, cancelled_at, cancel_reason) "
                "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, NULL, NULL)",
                event.alert_id,
                event.unit_code,
                event.unit_id,
                event.category,
                event.priority,
                event.title,
                event.message,
                event.issued_at,
                event.expires_at,
                event.station_count,
            )
        case EmergencyAlertDispatched():
            await conn.execute(
                f"""INSERT INTO {s}.alert_stations (alert_id, station_id, unit_code, dispatched)
                    VALUES ($1, $2, $3, true)
                    ON CONFLICT (alert_id, station_id) DO UPDATE SET dispatched = true""",
                event.alert_id,
                event.station_id,
                event.unit_code,
            )
        case EmergencyAlertAcknowledged():
            await conn.execute(
                f"""INSERT INTO {s}.alert_stations (alert_id, station_id, unit_code, acknowledged_at)
                    VALUES ($1, $2, $3, $4)
                    ON CONFLICT (alert_id, station_id) DO UPDATE SET acknowledged_at = $4""",
                event.alert_id,
                event.station_id,
                event.unit_code,
                event.acknowledged_at,
            )
        case EmergencyAlertCancelled():
            await conn.execute(
                f"UPDATE {s}.alerts SET cancelled_at = $2, cancel_reason = $3 WHERE alert_id = $1",
                event.alert_id,
                event.cancelled_at,
                event.reason,
            )


ApprovalEvent = ProgrammeSubmitted | ProgrammeApproved | ProgrammeRejected | ProgrammeDistributed


def _step_entry(event: ApprovalEvent) -> dict[str, object]:
    match event:
        case ProgrammeSubmitted():
            return {"step": "submitted", "at": event.submitted_at, "by": event.submitted_by, "note": event.note}
        case ProgrammeApproved():
            return {"step": "approved", "at": event.approved_at, "by": event.approved_by, "note": event.note}
        case ProgrammeRejected():
            return {"step": "rejected", "at": event.rejected_at, "by": event.rejected_by, "note": event.reason}
        case ProgrammeDistributed():
            return {"step": "distributed", "at": event.distributed_at, "by": event.distributed_by, "note": None}


async def _approval_step(conn: Conn, s: str, event: ApprovalEvent) -> None:
    # A step already in the history is not added twice: applying an event again changes nothing.
    entry = _step_entry(event)
    await conn.execute(
        f"""UPDATE {s}.programmes SET approval = $2,
                approval_history = CASE WHEN approval_history @> $3::jsonb THEN approval_history
                                        ELSE approval_history || $3::jsonb END
            WHERE programme_id = $1""",
        event.programme_id,
        entry["step"],
        _encode([entry]),
    )


async def _delivery(
    conn: Conn, s: str, event: ProgrammeDeliveryReceived | ProgrammeDeliveryAired, status: str, at: object
) -> None:
    column = "received_at" if status == "received" else "aired_at"
    await conn.execute(
        f"UPDATE {s}.deliveries SET status = $3, {column} = $4 WHERE programme_id = $1 AND station_id = $2",
        event.programme_id,
        event.station_id,
        status,
        at,
    )
