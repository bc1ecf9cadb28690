-- Promotion requests and their approvals. A request points at its latest decision; approvals name the decision
-- they were given under (only those under the current decision count).
CREATE TABLE gate_promotion (
    seq           BIGINT        GENERATED ALWAYS AS IDENTITY UNIQUE,
    id            UUID          PRIMARY KEY,
    model_name    VARCHAR(500)  NOT NULL,
    version       VARCHAR(20)   NOT NULL,
    target        VARCHAR(300)  NOT NULL,
    reason        TEXT          NOT NULL,
    requester     VARCHAR(200)  NOT NULL,
    state         VARCHAR(20)   NOT NULL CHECK (state IN ('waiting', 'promoting', 'promoted', 'denied', 'rejected',
                                                          'expired')),
    decision_id   UUID          NOT NULL REFERENCES gate_decision (id),
    outbox_id     BIGINT,
    created_at    TIMESTAMPTZ   NOT NULL,
    expires_at    TIMESTAMPTZ   NOT NULL,
    updated_at    TIMESTAMPTZ   NOT NULL,
    confirmed_at  TIMESTAMPTZ
);
CREATE INDEX gate_promotion_state_idx ON gate_promotion (state, seq);
CREATE INDEX gate_promotion_outbox_idx ON gate_promotion (outbox_id) WHERE outbox_id IS NOT NULL;

CREATE TABLE gate_approval (
    id            BIGINT        GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    promotion_id  UUID          NOT NULL REFERENCES gate_promotion (id),
    decision_id   UUID          NOT NULL REFERENCES gate_decision (id),
    approver      VARCHAR(200)  NOT NULL,
    verdict       VARCHAR(10)   NOT NULL CHECK (verdict IN ('approve', 'reject')),
    comment       TEXT          NOT NULL,
    counted       BOOLEAN       NOT NULL,
    not_counted   VARCHAR(200),              -- why it does not count (the requester's own, a second one by the same person)
    at            TIMESTAMPTZ   NOT NULL
);
CREATE INDEX gate_approval_promotion_idx ON gate_approval (promotion_id, id);
