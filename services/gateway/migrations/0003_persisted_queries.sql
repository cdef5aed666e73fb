-- Automatic persisted queries (Apollo APQ): GraphQL documents by the SHA-256 of their text,
-- shared by every gateway replica. A document never changes under its hash.
CREATE TABLE IF NOT EXISTS gateway.persisted_queries (
    sha256      text        PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    document    text        NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
