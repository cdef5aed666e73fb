-- The facts projection's hot path in one round trip per batch: apply many "from this day on,
-- this key contributes this value to this fact" changes in order, and return the changes that
-- took effect (for the change emitter). The table is named without its schema: the caller sets
-- search_path to the projection's schema for its transaction (set_config(..., true)), because a
-- rebuild writes into "<projection>__next" and then renames it, and a function naming the
-- schema would keep referring to the old name. PL/pgSQL replans when search_path changes.
CREATE FUNCTION metrics.set_facts(
    p_keys text[], p_facts text[], p_units text[], p_via text[], p_values float8[], p_days date[]
) RETURNS TABLE (unit_id text, day date, fact text) LANGUAGE plpgsql
-- Every statement here is a lookup by key: an index scan whatever the statistics say. A plan
-- made while the table was small (a fresh start, a seed) would otherwise scan it sequentially
-- for every fact of every event until the next ANALYZE.
SET enable_seqscan = off
AS $$
DECLARE
    i integer;
    old_id bigint;
    old_value float8;
    old_from date;
    old_unit text;
BEGIN
    FOR i IN 1 .. coalesce(array_length(p_keys, 1), 0) LOOP
        old_id := NULL;
        old_unit := NULL;
        SELECT f.id, f.value, f.valid_from, f.unit_id INTO old_id, old_value, old_from, old_unit
        FROM facts f WHERE f.key = p_keys[i] AND f.fact = p_facts[i] AND f.valid_to IS NULL;
        IF old_id IS NOT NULL AND old_value = p_values[i] THEN
            CONTINUE;
        END IF;
        IF old_id IS NOT NULL THEN
            IF old_from >= p_days[i] THEN  -- the same day (or earlier): the old value never held
                DELETE FROM facts f WHERE f.id = old_id;
            ELSE
                UPDATE facts f SET valid_to = p_days[i] WHERE f.id = old_id;
            END IF;
        END IF;
        IF p_values[i] <> 0 THEN
            INSERT INTO facts (key, fact, unit_id, via_station, value, valid_from)
            VALUES (p_keys[i], p_facts[i], coalesce(p_units[i], old_unit), p_via[i], p_values[i], p_days[i]);
        END IF;
        IF old_id IS NOT NULL OR p_values[i] <> 0 THEN
            unit_id := coalesce(p_units[i], old_unit);
            day := p_days[i];
            fact := p_facts[i];
            RETURN NEXT;
        END IF;
    END LOOP;
END $$;
