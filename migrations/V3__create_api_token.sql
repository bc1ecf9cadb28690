-- API tokens: the secret is shown once at creation; only its SHA-256 is kept.
CREATE TABLE api_token (
    id          UUID         PRIMARY KEY,
    name        VARCHAR(100) NOT NULL,
    roles       VARCHAR(200) NOT NULL,  -- comma-separated, sorted
    token_hash  VARCHAR(64)  NOT NULL UNIQUE,
    prefix      VARCHAR(16)  NOT NULL,  -- first characters of the secret, to recognise it in lists
    created_at  TIMESTAMPTZ  NOT NULL,
    created_by  VARCHAR(200) NOT NULL,
    revoked_at  TIMESTAMPTZ,
    revoked_by  VARCHAR(200)
);
-- A name identifies one live token (it is the actor recorded in the audit trail).
CREATE UNIQUE INDEX api_token_live_name_idx ON api_token (name) WHERE revoked_at IS NULL;
