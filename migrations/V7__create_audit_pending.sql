-- Appends land here, in the appending transaction (no lock, so commits group); a single sealer
-- then moves committed rows, in batches, into the hash chain (audit_event) and deletes them here.
CREATE TABLE audit_pending (
    id           BIGINT       GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    occurred_at  TIMESTAMPTZ  NOT NULL,
    actor        VARCHAR(200) NOT NULL,
    action       VARCHAR(200) NOT NULL,
    subject      VARCHAR(500) NOT NULL,
    payload      TEXT         NOT NULL
);

CREATE FUNCTION audit_pending_refuse_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_pending rows cannot be changed: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER audit_pending_no_update
    BEFORE UPDATE ON audit_pending
    FOR EACH ROW EXECUTE FUNCTION audit_pending_refuse_update();

-- The sealer advances the head by a whole batch at a time.
CREATE OR REPLACE FUNCTION audit_chain_head_forward_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'UPDATE' OR NEW.seq <= OLD.seq OR NEW.id <> OLD.id THEN
        RAISE EXCEPTION 'audit_chain_head only moves forward: % refused', TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END;
$$;
