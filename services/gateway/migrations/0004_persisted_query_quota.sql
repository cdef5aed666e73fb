-- Who stored a persisted query (the partner, or the subject of a caller without one), so each
-- partner's stored documents are counted against its quota (ADR 0019). Documents stored before
-- this have no owner and count against no one.
ALTER TABLE gateway.persisted_queries ADD COLUMN IF NOT EXISTS stored_by text;
CREATE INDEX IF NOT EXISTS persisted_queries_stored_by ON gateway.persisted_queries (stored_by);
