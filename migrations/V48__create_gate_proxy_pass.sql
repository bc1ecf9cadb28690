-- Calls to a protected alias or stage that QuantGate's MLflow proxy let through (decided allow, or covered by an
-- approved promotion), so that the echo MLflow then reports (webhook or poll) is recognised as sanctioned and never
-- reverted. outbox_seen orders a pass against QuantGate's own outbox writes to the same alias: the id of the newest
-- set/delete write to it when the call was let through (null: there was none).
CREATE TABLE gate_proxy_pass (
    id            BIGINT        GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    model_name    VARCHAR(500)  NOT NULL,
    target        VARCHAR(300)  NOT NULL,   -- alias:<name> or stage:<name>
    version       VARCHAR(20)   NOT NULL,
    decision_id   UUID          NOT NULL REFERENCES gate_decision (id),
    promotion_id  UUID          REFERENCES gate_promotion (id),   -- the approved promotion that covered it, if any
    outbox_seen   BIGINT,
    requester     VARCHAR(200)  NOT NULL,
    passed_at     TIMESTAMPTZ   NOT NULL
);
CREATE INDEX gate_proxy_pass_target_idx ON gate_proxy_pass (model_name, target, id DESC);
