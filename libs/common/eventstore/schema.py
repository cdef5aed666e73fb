"""The backbone's tables, created in every service's schema by its first migrations."""

from __future__ import annotations

from libs.common.migrations import Migration

_EVENTS = """
CREATE SCHEMA IF NOT EXISTS {s};

CREATE TABLE {s}.events (
    position        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- The writing transaction's id: readers order by (tx_id, position) and read only below the
    -- oldest running transaction, so an event that commits late is never skipped (docs/adr/0003).
    tx_id           xid8        NOT NULL DEFAULT pg_current_xact_id(),
    event_id        uuid        NOT NULL,
    stream_id       text        NOT NULL,
    stream_type     text        NOT NULL,
    version         integer     NOT NULL CHECK (version >= 1),
    type            text        NOT NULL,
    schema_version  integer     NOT NULL CHECK (schema_version >= 1),
    occurred_at     timestamptz NOT NULL,
    recorded_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
    actor           text,
    partner         text,
    correlation_id  uuid,
    causation_id    uuid,
    traceparent     text,
    data            jsonb       NOT NULL,
    CONSTRAINT events_stream_version UNIQUE (stream_id, version),
    CONSTRAINT events_event_id UNIQUE (event_id)
);
CREATE INDEX events_commit_order ON {s}.events (tx_id, position);

CREATE FUNCTION {s}.events_are_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the events table is append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER events_no_update_or_delete BEFORE UPDATE OR DELETE ON {s}.events
    FOR EACH ROW EXECUTE FUNCTION {s}.events_are_append_only();
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON {s}.events
    FOR EACH STATEMENT EXECUTE FUNCTION {s}.events_are_append_only();
REVOKE UPDATE, DELETE, TRUNCATE ON {s}.events FROM PUBLIC;

-- Wakes the outbox relay at commit (NOTIFY is transactional and folded per transaction), so
-- it need not poll fast to keep publish latency low.
CREATE FUNCTION {s}.events_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('{s}_events', '');
    RETURN NULL;
END $$;
CREATE TRIGGER events_appended AFTER INSERT ON {s}.events
    FOR EACH STATEMENT EXECUTE FUNCTION {s}.events_notify();

CREATE TABLE {s}.idempotency_keys (
    principal     text        NOT NULL,
    key           text        NOT NULL,
    request_hash  text        NOT NULL,
    result        jsonb       NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (principal, key)
);

CREATE TABLE {s}.relay_progress (
    topic              text        PRIMARY KEY,
    tx_id              xid8        NOT NULL DEFAULT '0',
    position           bigint      NOT NULL DEFAULT 0,
    partition_offsets  jsonb       NOT NULL DEFAULT '{{}}',
    published          bigint      NOT NULL DEFAULT 0,
    republished        integer     NOT NULL DEFAULT 0,
    updated_at         timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE {s}.dead_letters (
    id            bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    projection    text        NOT NULL,
    topic         text        NOT NULL,
    partition     integer     NOT NULL,
    kafka_offset  bigint,
    event_id      uuid        NOT NULL,
    type          text        NOT NULL,
    envelope      jsonb       NOT NULL,
    error         text        NOT NULL,
    attempts      integer     NOT NULL DEFAULT 1,
    failed_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (projection, event_id)
);
"""


_ITEM_KEYS = """
-- One narrow row per bulk item done (libs/common/eventstore/item_keys.py, docs/adr/0046).
CREATE TABLE {s}.item_keys (
    digest      bytea       PRIMARY KEY,
    item_hash   bytea       NOT NULL,
    ids         json        NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
-- Rows arrive in time order, so a BRIN index finds the expired ones for next to nothing per
-- insert (a B-tree on the time would cost each insert as much again).
CREATE INDEX item_keys_age ON {s}.item_keys USING brin (created_at);
CREATE INDEX idempotency_keys_age ON {s}.idempotency_keys USING brin (created_at);
"""


def backbone_migrations(schema: str) -> list[Migration]:
    """Migrations every service applies before its own, ids prefixed ``backbone_``."""
    return [
        Migration(schema, "backbone_0001_event_store", _EVENTS.format(s=schema)),
        Migration(schema, "backbone_0002_item_keys", _ITEM_KEYS.format(s=schema)),
    ]
