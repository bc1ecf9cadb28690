-- Waivers of one rule for one model version, until expires_at (exclusive) or until revoked.
CREATE TABLE gate_waiver (
    seq          BIGINT        GENERATED ALWAYS AS IDENTITY UNIQUE,
    id           UUID          PRIMARY KEY,
    model_name   VARCHAR(500)  NOT NULL,
    version      VARCHAR(20)   NOT NULL,
    rule_id      VARCHAR(100)  NOT NULL,
    reason       TEXT          NOT NULL,
    created_by   VARCHAR(200)  NOT NULL,
    created_at   TIMESTAMPTZ   NOT NULL,
    expires_at   TIMESTAMPTZ   NOT NULL,
    revoked_at   TIMESTAMPTZ,
    revoked_by   VARCHAR(200)
);
CREATE INDEX gate_waiver_version_idx ON gate_waiver (model_name, version);
