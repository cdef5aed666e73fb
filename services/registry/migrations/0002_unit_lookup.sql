-- The command side's own index of units: which unit holds an official code on a given day.
-- Updated in the same transaction as the unit's events, so "duplicate code" and "unknown
-- parent" are decided on committed truth, not on a read model that may lag. The exclusion
-- constraint lets a code be reused after its holder ended (codes are reused in 2025).
CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE TABLE registry.unit_lookup (
    unit_id   text      PRIMARY KEY,
    code      text      NOT NULL,
    level     text      NOT NULL,
    validity  daterange NOT NULL,
    CONSTRAINT unit_code_unique_in_time EXCLUDE USING gist (code WITH =, validity WITH &&)
);
CREATE INDEX unit_lookup_code ON registry.unit_lookup (code);
