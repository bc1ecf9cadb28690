-- One quantization job per (source version, quantization spec): planned from the policy version that
-- selected the model, leased by workers under a token (claim_token / claimed_until, as the kernel's
-- claiming queues), heartbeated, and finished once. preparing: its MLflow run is being created.
CREATE TABLE quantization_job (
    id               BIGINT       GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    model_name       VARCHAR(500) NOT NULL,
    version          INTEGER      NOT NULL CHECK (version > 0),
    scheme           VARCHAR(50)  NOT NULL,
    spec_json        TEXT         NOT NULL,
    spec_sha256      VARCHAR(64)  NOT NULL CHECK (spec_sha256 ~ '^[0-9a-f]{64}$'),
    policy_name      VARCHAR(63)  NOT NULL,
    policy_sha256    VARCHAR(64)  NOT NULL REFERENCES policy_version (sha256),
    requirement      VARCHAR(3)   NOT NULL CHECK (requirement IN ('cpu', 'gpu')),
    cpu_fallback     BOOLEAN      NOT NULL DEFAULT FALSE,
    state            VARCHAR(20)  NOT NULL CHECK (state IN
                         ('preparing', 'queued', 'leased', 'running', 'succeeded', 'not_applicable', 'failed', 'parked')),
    attempts         INTEGER      NOT NULL DEFAULT 0,
    next_attempt_at  TIMESTAMPTZ  NOT NULL,
    claim_token      VARCHAR(64),
    claimed_until    TIMESTAMPTZ,
    applied_token    VARCHAR(64),           -- the lease whose report was applied (a repeat of it changes nothing)
    worker_id        VARCHAR(200),
    ran_on_fallback  BOOLEAN      NOT NULL DEFAULT FALSE,
    stage            VARCHAR(20),
    percent          INTEGER      CHECK (percent BETWEEN 0 AND 100),
    stage_since      TIMESTAMPTZ,
    run_id           VARCHAR(100),
    run_artifact_uri TEXT,
    evidence_sha256  VARCHAR(64),
    variant_version  INTEGER,
    error_code       VARCHAR(200),
    error_message    TEXT,
    created_at       TIMESTAMPTZ  NOT NULL,
    updated_at       TIMESTAMPTZ  NOT NULL,
    started_at       TIMESTAMPTZ,
    finished_at      TIMESTAMPTZ,
    UNIQUE (model_name, version, spec_sha256)
);
CREATE INDEX quantization_job_queued_idx ON quantization_job (requirement, id) WHERE state = 'queued';
CREATE INDEX quantization_job_leased_idx ON quantization_job (claimed_until) WHERE state IN ('leased', 'running');
CREATE INDEX quantization_job_state_idx ON quantization_job (state, id);
CREATE INDEX quantization_job_model_idx ON quantization_job (model_name, id);
