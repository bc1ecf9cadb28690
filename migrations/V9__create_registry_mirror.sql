-- Mirror of MLflow's model registry, kept current from webhook deliveries and the poller.
CREATE TABLE registry_model (
    id           BIGINT       GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name         VARCHAR(500) NOT NULL UNIQUE,
    description  TEXT,
    created_at   TIMESTAMPTZ,            -- MLflow's creation_timestamp
    mirrored_at  TIMESTAMPTZ  NOT NULL,  -- when the mirror first saw it
    updated_at   TIMESTAMPTZ  NOT NULL   -- last mirror change to the model, its versions or aliases
);

CREATE TABLE registry_version (
    id             BIGINT       GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    model_id       BIGINT       NOT NULL REFERENCES registry_model (id),
    version        INTEGER      NOT NULL CHECK (version > 0),
    source         TEXT,
    run_id         VARCHAR(100),
    status         VARCHAR(50),           -- READY, PENDING_REGISTRATION, FAILED_REGISTRATION
    description    TEXT,
    created_at     TIMESTAMPTZ,           -- MLflow's creation_timestamp
    current_stage  VARCHAR(50)  NOT NULL DEFAULT 'None',
    deleted_at     TIMESTAMPTZ,           -- when the mirror noticed it is gone from MLflow
    mirrored_at    TIMESTAMPTZ  NOT NULL,
    updated_at     TIMESTAMPTZ  NOT NULL,
    UNIQUE (model_id, version)
);

CREATE TABLE registry_version_tag (
    id          BIGINT       GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    version_id  BIGINT       NOT NULL REFERENCES registry_version (id),
    tag_key     VARCHAR(250) NOT NULL,
    tag_value   TEXT         NOT NULL,
    updated_at  TIMESTAMPTZ  NOT NULL,
    UNIQUE (version_id, tag_key)
);

-- Which version each alias points at now.
CREATE TABLE registry_alias (
    id          BIGINT       GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    model_id    BIGINT       NOT NULL REFERENCES registry_model (id),
    alias       VARCHAR(256) NOT NULL,
    version     INTEGER      NOT NULL,
    since       TIMESTAMPTZ  NOT NULL,
    UNIQUE (model_id, alias)
);

-- Which version held which alias, from when until when (valid_to NULL: still holds it).
-- "What was champion at T": valid_from <= T AND (valid_to IS NULL OR T < valid_to).
CREATE TABLE registry_alias_history (
    id          BIGINT       GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    model_id    BIGINT       NOT NULL REFERENCES registry_model (id),
    alias       VARCHAR(256) NOT NULL,
    version     INTEGER      NOT NULL,
    valid_from  TIMESTAMPTZ  NOT NULL,
    valid_to    TIMESTAMPTZ,
    set_by      VARCHAR(200) NOT NULL,   -- origin of the event that set it
    cleared_by  VARCHAR(200),
    CHECK (valid_to IS NULL OR valid_to >= valid_from)
);
CREATE UNIQUE INDEX registry_alias_history_open_idx ON registry_alias_history (model_id, alias) WHERE valid_to IS NULL;
CREATE INDEX registry_alias_history_lookup_idx ON registry_alias_history (model_id, alias, valid_from);
