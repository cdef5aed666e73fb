-- Partners (operators, district centres, integrators) and their API keys.
-- A key is stored only as the SHA-256 of its secret; key_id is the public prefix of the key,
-- so authenticating is one primary-key lookup. A revoked partner keeps its rows (audit).
CREATE TABLE gateway.partners (
    name          text        PRIMARY KEY,
    scopes        text[]      NOT NULL,
    organisation  text,
    unit_code     text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    revoked_at    timestamptz
);

CREATE TABLE gateway.api_keys (
    key_id       text        PRIMARY KEY,
    partner      text        NOT NULL REFERENCES gateway.partners (name),
    secret_hash  bytea       NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    -- Set when the key is rotated out (now() + grace) or revoked (now()); NULL while current.
    expires_at   timestamptz
);

CREATE INDEX api_keys_partner ON gateway.api_keys (partner);

-- Token buckets shared by every gateway replica, one row per partner or anonymous host.
-- UNLOGGED: counters are worth no WAL; after a crash PostgreSQL empties the table, which only
-- refills every bucket once.
CREATE UNLOGGED TABLE gateway.rate_limit_buckets (
    bucket      text             PRIMARY KEY,
    tokens      double precision NOT NULL,
    granted     integer          NOT NULL,
    updated_at  timestamptz      NOT NULL
);
