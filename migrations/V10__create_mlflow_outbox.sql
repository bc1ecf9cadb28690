-- Durable writes to MLflow: inserted in the caller's transaction, sent by the dispatcher, retried
-- with backoff while MLflow is unreachable or overloaded, parked (with the error) when MLflow refuses.
CREATE TABLE mlflow_outbox (
    id               BIGINT       GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    model_name       VARCHAR(500) NOT NULL,   -- writes to one model are sent in id order
    description      VARCHAR(500) NOT NULL,   -- e.g. "set-alias champion=3"
    http_method      VARCHAR(10)  NOT NULL,
    path             VARCHAR(200) NOT NULL,   -- under /api/2.0/mlflow/
    body             TEXT         NOT NULL,   -- the JSON request body
    status           VARCHAR(10)  NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'SENT', 'PARKED')),
    attempts         INTEGER      NOT NULL DEFAULT 0,
    next_attempt_at  TIMESTAMPTZ  NOT NULL,
    last_error       TEXT,
    created_at       TIMESTAMPTZ  NOT NULL,
    created_by       VARCHAR(200) NOT NULL,
    sent_at          TIMESTAMPTZ
);
CREATE INDEX mlflow_outbox_due_idx ON mlflow_outbox (next_attempt_at, id) WHERE status = 'PENDING';
CREATE INDEX mlflow_outbox_model_pending_idx ON mlflow_outbox (model_name, id) WHERE status = 'PENDING';
