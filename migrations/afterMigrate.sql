-- Flyway callback: runs after every migrate, as the migrating (owner) role. The application role
-- (${appRole}) gets exactly what the service needs on every table, new ones included, and never the
-- right to change or remove audit history: no UPDATE, DELETE or TRUNCATE on audit_event, no UPDATE
-- on waiting events, no DELETE on the chain head, no writes to Flyway's history. It owns nothing, so
-- it cannot ALTER a table or disable a trigger either. Skipped when the service migrates as itself.
DO $$
DECLARE
    app text := '${appRole}';
BEGIN
    IF app = '' OR app = current_user OR NOT EXISTS (SELECT FROM pg_roles WHERE rolname = app) THEN
        RETURN;
    END IF;
    EXECUTE format('GRANT USAGE ON SCHEMA public TO %I', app);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO %I', app);
    EXECUTE format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO %I', app);
    EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE, TRIGGER, REFERENCES ON audit_event FROM %I', app);
    EXECUTE format('REVOKE UPDATE, TRUNCATE, TRIGGER, REFERENCES ON audit_pending FROM %I', app);
    EXECUTE format('REVOKE INSERT, DELETE, TRUNCATE, TRIGGER, REFERENCES ON audit_chain_head FROM %I', app);
    EXECUTE format('REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON flyway_schema_history FROM %I', app);
END $$;
