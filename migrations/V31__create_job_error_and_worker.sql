-- Every failed attempt of a job (a worker's report or an expired lease), oldest first.
CREATE TABLE quantization_job_error (
    id           BIGINT       GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    job_id       BIGINT       NOT NULL REFERENCES quantization_job (id),
    attempt      INTEGER      NOT NULL,
    code         VARCHAR(200) NOT NULL,
    message      TEXT         NOT NULL,
    worker_id    VARCHAR(200),
    at           TIMESTAMPTZ  NOT NULL
);
CREATE INDEX quantization_job_error_job_idx ON quantization_job_error (job_id, id);

-- Workers as they last presented themselves when leasing (what a GPU job waits for).
CREATE TABLE job_worker (
    id            VARCHAR(200) PRIMARY KEY,
    kind          VARCHAR(3)   NOT NULL CHECK (kind IN ('cpu', 'gpu')),
    hardware      JSONB        NOT NULL,
    last_seen_at  TIMESTAMPTZ  NOT NULL
);

-- What QuantGate last wrote on a source version's quantgate.status / quantgate.variants tags (each once).
CREATE TABLE job_source_status (
    model_name  VARCHAR(500) NOT NULL,
    version     INTEGER      NOT NULL,
    status      VARCHAR(300),
    variants    TEXT,
    updated_at  TIMESTAMPTZ  NOT NULL,
    PRIMARY KEY (model_name, version)
);
