-- The link to the source-information system (docs/adr/0054).
-- Bulletins received, written in the same transaction as their events: which programme each
-- became, so the aired results of that programme's deliveries are reported to its sender.
CREATE TABLE broadcast.source_bulletins (
    sender        text        NOT NULL,
    bulletin_id   text        NOT NULL,
    programme_id  text        NOT NULL UNIQUE,
    priority      text        NOT NULL,
    received_at   timestamptz NOT NULL,
    PRIMARY KEY (sender, bulletin_id)
);

-- Each step of a received bulletin at a station (sent, received, aired, failed), once per
-- delivery event: the pull endpoint's feed (by sequence) and the webhook's outbox (each row
-- posted until the receiver accepts it). Kept outside any projection's schema: a rebuild of the
-- projection that writes it must neither renumber the feed nor post anything again.
CREATE TABLE broadcast.source_results (
    sequence         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    delivery_id      uuid        NOT NULL UNIQUE,
    sender           text        NOT NULL,
    bulletin_id      text        NOT NULL,
    programme_id     text        NOT NULL,
    station_id       text        NOT NULL,
    unit_code        text        NOT NULL,
    status           text        NOT NULL,
    at               timestamptz NOT NULL,
    reason           text,
    attempts         integer     NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    posted_at        timestamptz,
    last_error       text
);
CREATE INDEX source_results_sender ON broadcast.source_results (sender, sequence);
-- The webhook's question: not yet accepted, due now, oldest first.
CREATE INDEX source_results_unposted ON broadcast.source_results (next_attempt_at, sequence) WHERE posted_at IS NULL;
