-- Gate decisions: immutable. One row per judgement the gate stored (promotion requests and re-decisions), with
-- the inputs a replay needs (policy version by hash, evidence by hash, tags, waivers, approvals, decided_at) and
-- the judgement's canonical JSON exactly as hashed. Insert-only: a trigger refuses updates and deletes.
CREATE TABLE gate_decision (
    seq               BIGINT        GENERATED ALWAYS AS IDENTITY UNIQUE,
    id                UUID          PRIMARY KEY,
    model_name        VARCHAR(500)  NOT NULL,
    version           VARCHAR(20)   NOT NULL,
    target            VARCHAR(300)  NOT NULL,   -- alias:<name> or stage:<name>
    policy_name       VARCHAR(63),              -- null when no policy (or a conflict) governs the model
    policy_sha256     VARCHAR(64),
    policy_problem    TEXT,                     -- why there is no policy to judge under
    evidence_sha256   VARCHAR(64),
    model_tags        TEXT          NOT NULL,   -- canonical JSON, as judged
    version_tags      TEXT          NOT NULL,
    waivers           TEXT          NOT NULL,
    approvals         TEXT          NOT NULL,
    outcome           VARCHAR(20)   NOT NULL CHECK (outcome IN ('allow', 'deny', 'needs_approval')),
    requester         VARCHAR(200)  NOT NULL,
    decided_at        TIMESTAMPTZ   NOT NULL,
    judgement_json    TEXT          NOT NULL,
    judgement_sha256  VARCHAR(64)   NOT NULL CHECK (judgement_sha256 ~ '^[0-9a-f]{64}$')
);
CREATE INDEX gate_decision_model_idx ON gate_decision (model_name, seq DESC);
CREATE INDEX gate_decision_seq_idx ON gate_decision (seq DESC);

CREATE FUNCTION gate_decision_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'gate decisions are immutable: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER gate_decision_insert_only
    BEFORE UPDATE OR DELETE ON gate_decision
    FOR EACH ROW EXECUTE FUNCTION gate_decision_refuse_change();
