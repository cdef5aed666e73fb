-- Persisted queries' owners take the caller key the rate limit and the execution slots use
-- (services/gateway/security/callers.py): `partner:<name>` or `subject:<subject>`, so a token
-- subject that reads like a partner's name no longer shares that partner's quota. Owners
-- stored before were the bare partner name or, for a caller without a partner, its subject.
-- A partner's name has no ':' (partners.normalise_name) and every subject the gateway makes
-- has one (`partner:…`, `jwt:…`), so the old value says which it was.
UPDATE gateway.persisted_queries
SET stored_by = CASE WHEN strpos(stored_by, ':') = 0 THEN 'partner:' ELSE 'subject:' END || stored_by
WHERE stored_by IS NOT NULL;
