-- Evidence records: immutable, content-addressed (sha256 = SHA-256 of the canonical JSON, RFC 8785),
-- the canonical text kept exactly as hashed, the content as JSONB for queries, and the columns the gate
-- queries. Insert-only: only variant_version may be filled in once, later (when MLflow registered it).
CREATE TABLE evidence (
    seq              BIGINT       GENERATED ALWAYS AS IDENTITY UNIQUE,
    sha256           VARCHAR(64)  PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    canonical_json   TEXT         NOT NULL,
    content          JSONB        NOT NULL,
    job_id           BIGINT       NOT NULL REFERENCES quantization_job (id),
    model_name       VARCHAR(500) NOT NULL,
    source_version   INTEGER      NOT NULL,
    scheme           VARCHAR(50)  NOT NULL,
    spec_sha256      VARCHAR(64)  NOT NULL,
    policy_sha256    VARCHAR(64)  NOT NULL,
    variant_version  INTEGER,
    recorded_at      TIMESTAMPTZ  NOT NULL
);
CREATE INDEX evidence_version_idx ON evidence (model_name, source_version, seq DESC);
CREATE INDEX evidence_job_idx ON evidence (job_id);
CREATE INDEX evidence_spec_idx ON evidence (spec_sha256, policy_sha256);

CREATE FUNCTION evidence_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.variant_version IS NULL
            AND (NEW.sha256, NEW.canonical_json, NEW.content, NEW.job_id, NEW.model_name, NEW.source_version,
                 NEW.scheme, NEW.spec_sha256, NEW.policy_sha256, NEW.recorded_at, NEW.seq)
            IS NOT DISTINCT FROM
                (OLD.sha256, OLD.canonical_json, OLD.content, OLD.job_id, OLD.model_name, OLD.source_version,
                 OLD.scheme, OLD.spec_sha256, OLD.policy_sha256, OLD.recorded_at, OLD.seq) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'evidence rows are immutable: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER evidence_insert_only
    BEFORE UPDATE OR DELETE ON evidence
    FOR EACH ROW EXECUTE FUNCTION evidence_refuse_change();
