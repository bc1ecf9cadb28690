-- A registered version a policy selects is first inspected: its MLmodel file is read through MLflow to learn the
-- model's flavor before any job is planned (only the onnx flavor can be quantized). One row per version; the
-- inspection loop claims pending rows (claim_token / claimed_until) and retries MLflow outages with backoff.
CREATE TABLE source_inspection (
    id               BIGINT        GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    model_name       VARCHAR(500)  NOT NULL,
    version          INTEGER       NOT NULL,
    state            VARCHAR(20)   NOT NULL CHECK (state IN ('pending', 'planned', 'unsupported', 'unselected')),
    flavor           VARCHAR(200),          -- what the MLmodel names (null while pending or when unreadable)
    attempts         INTEGER       NOT NULL DEFAULT 0,
    next_attempt_at  TIMESTAMPTZ   NOT NULL,
    last_error       TEXT,
    claim_token      VARCHAR(64),
    claimed_until    TIMESTAMPTZ,
    created_at       TIMESTAMPTZ   NOT NULL,
    updated_at       TIMESTAMPTZ   NOT NULL,
    UNIQUE (model_name, version)
);
CREATE INDEX source_inspection_pending_idx ON source_inspection (next_attempt_at) WHERE state = 'pending';
