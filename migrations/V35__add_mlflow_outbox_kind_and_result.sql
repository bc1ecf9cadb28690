-- Outbox writes that are more than one REST call (create a job's run, log its results, register its variant):
-- every row now holds its write's kind and the canonical JSON of the write, from which the dispatcher rebuilds
-- it after a restart, and the answer recorded when it was sent. http_method, path and body keep the REST call
-- of one-call writes (shown in the listing); a composite write has none.
ALTER TABLE mlflow_outbox
    ADD COLUMN kind       VARCHAR(40),
    ADD COLUMN write_json TEXT,
    ADD COLUMN result     TEXT,
    ALTER COLUMN http_method DROP NOT NULL,
    ALTER COLUMN path DROP NOT NULL,
    ALTER COLUMN body DROP NOT NULL;

-- Rows written before this migration: the five one-call writes, rebuilt from their REST bodies.
UPDATE mlflow_outbox SET kind = 'set-alias', write_json = jsonb_build_object('alias', body::jsonb ->> 'alias',
        'model', body::jsonb ->> 'name', 'version', body::jsonb ->> 'version')::text
    WHERE http_method = 'POST' AND path = 'registered-models/alias';
UPDATE mlflow_outbox SET kind = 'delete-alias', write_json = jsonb_build_object('alias', body::jsonb ->> 'alias',
        'model', body::jsonb ->> 'name')::text
    WHERE http_method = 'DELETE' AND path = 'registered-models/alias';
UPDATE mlflow_outbox SET kind = 'set-version-tag', write_json = jsonb_build_object('key', body::jsonb ->> 'key',
        'model', body::jsonb ->> 'name', 'value', body::jsonb ->> 'value', 'version', body::jsonb ->> 'version')::text
    WHERE http_method = 'POST' AND path = 'model-versions/set-tag';
UPDATE mlflow_outbox SET kind = 'delete-version-tag', write_json = jsonb_build_object('key', body::jsonb ->> 'key',
        'model', body::jsonb ->> 'name', 'version', body::jsonb ->> 'version')::text
    WHERE http_method = 'DELETE' AND path = 'model-versions/delete-tag';
UPDATE mlflow_outbox SET kind = 'transition-stage', write_json = jsonb_build_object(
        'archiveExistingVersions', (body::jsonb -> 'archive_existing_versions')::boolean,
        'model', body::jsonb ->> 'name', 'stage', body::jsonb ->> 'stage', 'version', body::jsonb ->> 'version')::text
    WHERE http_method = 'POST' AND path = 'model-versions/transition-stage';

ALTER TABLE mlflow_outbox
    ALTER COLUMN kind SET NOT NULL,
    ALTER COLUMN write_json SET NOT NULL,
    ADD CONSTRAINT mlflow_outbox_call_complete CHECK ((http_method IS NULL) = (path IS NULL) AND (path IS NULL) = (body IS NULL));
