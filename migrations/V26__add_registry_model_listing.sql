-- Each registered model keeps its entry of GET /api/v1/registry/models as ready JSON text (the same
-- bytes Jackson writes for ModelView: fields in record order, times as ISO-8601 instants, nulls kept),
-- so that a page is read as 50 short texts instead of being aggregated and formatted per request.
-- Triggers keep it current inside the same transaction as any change to the model, its aliases, its
-- tags or its number of versions.
ALTER TABLE registry_model ADD COLUMN listing TEXT;

-- A JSON string as Jackson writes it. PostgreSQL's own escaping matches Jackson's except for two rare
-- cases, taken character by character: control characters without a short form (Jackson: upper-case
-- hex digits) and characters beyond U+FFFF (Jackson: escaped as a UTF-16 surrogate pair).
CREATE FUNCTION registry_json_string(s TEXT) RETURNS TEXT LANGUAGE plpgsql IMMUTABLE STRICT AS $$
DECLARE
    out TEXT := '"';
    c TEXT;
    code INTEGER;
BEGIN
    IF s !~ '[\x01-\x07\x0b\x0e-\x1f\U00010000-\U0010FFFF]' THEN
        RETURN to_json(s)::text;
    END IF;
    FOR i IN 1 .. length(s) LOOP
        c := substr(s, i, 1);
        code := ascii(c);
        out := out || CASE
            WHEN c = '"' THEN '\"'
            WHEN c = '\' THEN '\\'
            WHEN code = 8 THEN '\b'
            WHEN code = 9 THEN '\t'
            WHEN code = 10 THEN '\n'
            WHEN code = 12 THEN '\f'
            WHEN code = 13 THEN '\r'
            WHEN code < 32 THEN '\u00' || upper(lpad(to_hex(code), 2, '0'))
            WHEN code > 65535 THEN '\u' || upper(to_hex(55296 + ((code - 65536) >> 10)))
                || '\u' || upper(to_hex(56320 + ((code - 65536) & 1023)))
            ELSE c END;
    END LOOP;
    RETURN out || '"';
END $$;

-- An instant as Jackson writes java.time.Instant (ISO_INSTANT: fraction in groups of three digits,
-- none when zero), quoted; null as null.
CREATE FUNCTION registry_json_instant(t TIMESTAMPTZ) RETURNS TEXT LANGUAGE sql STABLE AS $$
    SELECT CASE
        WHEN t IS NULL THEN 'null'
        ELSE '"' || CASE WHEN t >= '10000-01-01 00:00:00+00' THEN '+' ELSE '' END
            || to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS')
            || CASE
                WHEN to_char(t AT TIME ZONE 'UTC', 'US') = '000000' THEN ''
                WHEN to_char(t AT TIME ZONE 'UTC', 'US') LIKE '%000' THEN '.' || to_char(t AT TIME ZONE 'UTC', 'MS')
                ELSE '.' || to_char(t AT TIME ZONE 'UTC', 'US') END
            || 'Z"'
        END
$$;

CREATE FUNCTION registry_model_listing(m registry_model) RETURNS TEXT LANGUAGE sql STABLE AS $$
    SELECT '{"name":' || registry_json_string(m.name)
        || ',"description":' || coalesce(registry_json_string(m.description), 'null')
        || ',"createdAt":' || registry_json_instant(m.created_at)
        || ',"mirroredAt":' || registry_json_instant(m.mirrored_at)
        || ',"updatedAt":' || registry_json_instant(m.updated_at)
        || ',"versions":' || (SELECT count(*) FROM registry_version v WHERE v.model_id = m.id)
        || ',"aliases":[' || coalesce((SELECT string_agg('{"alias":' || registry_json_string(a.alias)
                || ',"version":"' || a.version || '","since":' || registry_json_instant(a.since) || '}',
                ',' ORDER BY a.alias) FROM registry_alias a WHERE a.model_id = m.id), '')
        || '],"tags":{' || coalesce((SELECT string_agg(registry_json_string(t.tag_key) || ':'
                || registry_json_string(t.tag_value), ',' ORDER BY t.tag_key)
                FROM registry_model_tag t WHERE t.model_id = m.id), '')
        || '},"deletedAt":' || registry_json_instant(m.deleted_at) || '}'
$$;

CREATE FUNCTION registry_model_listing_build() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
    NEW.listing := registry_model_listing(NEW);
    RETURN NEW;
END $$;

CREATE TRIGGER registry_model_listing_build BEFORE INSERT OR UPDATE ON registry_model
    FOR EACH ROW EXECUTE FUNCTION registry_model_listing_build();

-- A change to a model's aliases, tags or versions rewrites the model's row once per statement, which
-- rebuilds its listing through the trigger above.
CREATE FUNCTION registry_model_listing_touch() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE registry_model SET listing = NULL WHERE id IN (SELECT model_id FROM changed_new);
    ELSIF TG_OP = 'DELETE' THEN
        UPDATE registry_model SET listing = NULL WHERE id IN (SELECT model_id FROM changed_old);
    ELSE
        UPDATE registry_model SET listing = NULL
        WHERE id IN (SELECT model_id FROM changed_new UNION SELECT model_id FROM changed_old);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER registry_alias_listing_insert AFTER INSERT ON registry_alias
    REFERENCING NEW TABLE AS changed_new FOR EACH STATEMENT EXECUTE FUNCTION registry_model_listing_touch();
CREATE TRIGGER registry_alias_listing_update AFTER UPDATE ON registry_alias
    REFERENCING OLD TABLE AS changed_old NEW TABLE AS changed_new
    FOR EACH STATEMENT EXECUTE FUNCTION registry_model_listing_touch();
CREATE TRIGGER registry_alias_listing_delete AFTER DELETE ON registry_alias
    REFERENCING OLD TABLE AS changed_old FOR EACH STATEMENT EXECUTE FUNCTION registry_model_listing_touch();

CREATE TRIGGER registry_model_tag_listing_insert AFTER INSERT ON registry_model_tag
    REFERENCING NEW TABLE AS changed_new FOR EACH STATEMENT EXECUTE FUNCTION registry_model_listing_touch();
CREATE TRIGGER registry_model_tag_listing_update AFTER UPDATE ON registry_model_tag
    REFERENCING OLD TABLE AS changed_old NEW TABLE AS changed_new
    FOR EACH STATEMENT EXECUTE FUNCTION registry_model_listing_touch();
CREATE TRIGGER registry_model_tag_listing_delete AFTER DELETE ON registry_model_tag
    REFERENCING OLD TABLE AS changed_old FOR EACH STATEMENT EXECUTE FUNCTION registry_model_listing_touch();

-- Only the number of versions is listed, so only inserts and deletes of versions matter.
CREATE TRIGGER registry_version_listing_insert AFTER INSERT ON registry_version
    REFERENCING NEW TABLE AS changed_new FOR EACH STATEMENT EXECUTE FUNCTION registry_model_listing_touch();
CREATE TRIGGER registry_version_listing_delete AFTER DELETE ON registry_version
    REFERENCING OLD TABLE AS changed_old FOR EACH STATEMENT EXECUTE FUNCTION registry_model_listing_touch();

UPDATE registry_model SET listing = NULL;
ALTER TABLE registry_model ALTER COLUMN listing SET NOT NULL;
