-- Command-side tables of the broadcast service, written in the same transaction as the
-- events they index (never by projections), so their rules hold on committed truth.

-- Relay sessions on air, per station: no two may overlap. The exclusion constraint settles
-- two concurrent writers too (the second waits for the first, then fails).
CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE TABLE broadcast.relay_index (
    session_id  text      PRIMARY KEY,
    station_id  text      NOT NULL,
    during      tstzrange NOT NULL,
    CONSTRAINT relay_sessions_do_not_overlap EXCLUDE USING gist (station_id WITH =, during WITH &&)
);

-- Each cluster's signal state as of its latest report: the heartbeats themselves are not
-- events (see docs/adr/0007), only the state changes they cause. ``reference_at`` is from when
-- the incident threshold counts (NULL: no incident can come), indexed for the detector.
CREATE TABLE broadcast.cluster_signal (
    cluster_id        text        PRIMARY KEY,
    station_id        text        NOT NULL,
    unit_code         text        NOT NULL,
    status            text        NOT NULL DEFAULT 'UNKNOWN',
    last_observed_at  timestamptz,
    down_since        timestamptz,
    down_cause        text,
    incident_id       text,
    reference_at      timestamptz,
    version           integer     NOT NULL DEFAULT 0,
    reports           bigint      NOT NULL DEFAULT 0,
    out_of_order      bigint      NOT NULL DEFAULT 0,
    updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX cluster_signal_due ON broadcast.cluster_signal (reference_at) WHERE reference_at IS NOT NULL;

-- The signal-monitoring configuration in force (its history is the signal_config stream).
CREATE TABLE broadcast.signal_settings (
    id                         integer PRIMARY KEY CHECK (id = 1),
    silence_threshold_seconds  integer NOT NULL,
    version                    integer NOT NULL
);
