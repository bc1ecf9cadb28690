-- Every accepted version of every policy file, by the SHA-256 of the file's bytes, so a decision can
-- name (and replay under) the exact policy it used. Versions are immutable: stored once, never changed.
CREATE TABLE policy_version (
    sha256          VARCHAR(64)  PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    name            VARCHAR(63)  NOT NULL,
    file            VARCHAR(255) NOT NULL,   -- file name inside the policies folder when first loaded
    source_text     TEXT         NOT NULL,   -- the file as written (UTF-8)
    canonical_json  TEXT         NOT NULL,   -- the parsed document, canonical JSON (sorted keys)
    loaded_at       TIMESTAMPTZ  NOT NULL    -- when a QuantGate process first accepted it
);
CREATE INDEX policy_version_name_loaded_idx ON policy_version (name, loaded_at DESC, sha256);

CREATE FUNCTION policy_version_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'policy_version rows are immutable: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER policy_version_no_update_delete
    BEFORE UPDATE OR DELETE ON policy_version
    FOR EACH ROW EXECUTE FUNCTION policy_version_refuse_change();
