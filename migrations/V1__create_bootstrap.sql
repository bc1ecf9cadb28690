-- Schema history starts here; each feature adds its own migration (V{n}__{verb}_{object}.sql).
CREATE TABLE quantgate_instance (
    id          SMALLINT PRIMARY KEY CHECK (id = 1),
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
INSERT INTO quantgate_instance (id) VALUES (1);
