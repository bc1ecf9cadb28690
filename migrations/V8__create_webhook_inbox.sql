-- The MLflow webhook inbox: every delivery is stored here before it is acknowledged, then
-- processed asynchronously, in order per registered model (order_key), exactly once.
CREATE TABLE webhook_delivery (
    id               BIGINT        GENERATED ALWAYS AS IDENTITY PRIMARY KEY,  -- arrival order
    delivery_id      VARCHAR(200)  NOT NULL UNIQUE,   -- X-MLflow-Delivery-Id: the idempotency key
    signed_at        BIGINT,                          -- X-MLflow-Timestamp (unix seconds)
    received_at      TIMESTAMPTZ   NOT NULL DEFAULT now(),
    entity           VARCHAR(100),
    action           VARCHAR(100),
    model_name       VARCHAR(500),
    order_key        VARCHAR(600)  NOT NULL,          -- model name, or the delivery itself when it names none
    body             TEXT          NOT NULL,          -- the raw body as signed
    status           VARCHAR(20)   NOT NULL
        CHECK (status IN ('pending', 'retrying', 'processed', 'ignored', 'parked', 'rejected')),
    attempts         INT           NOT NULL DEFAULT 0,
    next_attempt_at  TIMESTAMPTZ   NOT NULL DEFAULT now(),
    last_error       TEXT,
    processed_at     TIMESTAMPTZ,
    mirror_changes   INT,
    receipt_audited  BOOLEAN       NOT NULL DEFAULT false  -- the 'accepted' audit event is written
);

-- Deliveries still to process, per ordering key: the processor claims only the oldest of each key.
CREATE INDEX webhook_delivery_open_idx ON webhook_delivery (order_key, id)
    WHERE status IN ('pending', 'retrying');
CREATE INDEX webhook_delivery_due_idx ON webhook_delivery (id)
    WHERE status IN ('pending', 'retrying');
CREATE INDEX webhook_delivery_status_idx ON webhook_delivery (status, id);
