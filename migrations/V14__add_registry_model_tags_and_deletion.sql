-- Registered-model tags are mirrored too, and so is a whole model's deletion (the poller notices it;
-- MLflow sends no webhook for it).
ALTER TABLE registry_model ADD COLUMN deleted_at TIMESTAMPTZ;  -- when the mirror noticed it is gone from MLflow

CREATE TABLE registry_model_tag (
    id          BIGINT       GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    model_id    BIGINT       NOT NULL REFERENCES registry_model (id),
    tag_key     VARCHAR(250) NOT NULL,
    tag_value   TEXT         NOT NULL,
    updated_at  TIMESTAMPTZ  NOT NULL,
    UNIQUE (model_id, tag_key)
);
