-- Accent-insensitive search ("Ba Be" finds "Ba Bể") uses PostgreSQL's unaccent dictionary,
-- which knows Vietnamese letters (đ -> d, ể -> e), and trigram indexes for partial matches.
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- unaccent() is only STABLE (its dictionary could change), so it cannot feed an index
-- directly; this wrapper names the dictionary explicitly and is declared IMMUTABLE, the
-- usual way to index it.
CREATE OR REPLACE FUNCTION public.tinhso_search_text(text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, $1)) $$;
