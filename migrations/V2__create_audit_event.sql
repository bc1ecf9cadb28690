-- Append-only, hash-chained audit trail. Rows are only ever inserted; triggers refuse the rest.
CREATE TABLE audit_event (
    seq          BIGINT       PRIMARY KEY CHECK (seq > 0),
    occurred_at  TIMESTAMPTZ  NOT NULL,  -- microsecond precision; hashed as uuuu-MM-ddTHH:mm:ss.SSSSSSZ
    actor        VARCHAR(200) NOT NULL,
    action       VARCHAR(200) NOT NULL,
    subject      VARCHAR(500) NOT NULL,
    payload      TEXT         NOT NULL,  -- canonical JSON, exactly the bytes that were hashed
    prev_hash    VARCHAR(64)  NOT NULL,
    hash         VARCHAR(64)  NOT NULL
);
CREATE INDEX audit_event_subject_idx ON audit_event (subject text_pattern_ops, seq);
CREATE INDEX audit_event_action_idx ON audit_event (action text_pattern_ops, seq);

-- The chain head: one row, locked by every append so that two appends never share a previous hash.
CREATE TABLE audit_chain_head (
    id    SMALLINT    PRIMARY KEY CHECK (id = 1),
    seq   BIGINT      NOT NULL,
    hash  VARCHAR(64) NOT NULL
);
INSERT INTO audit_chain_head (id, seq, hash) VALUES (1, 0, repeat('0', 64));

CREATE FUNCTION audit_event_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_event is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER audit_event_no_update_delete
    BEFORE UPDATE OR DELETE ON audit_event
    FOR EACH ROW EXECUTE FUNCTION audit_event_refuse_change();

CREATE TRIGGER audit_event_no_truncate
    BEFORE TRUNCATE ON audit_event
    FOR EACH STATEMENT EXECUTE FUNCTION audit_event_refuse_change();

-- The head only moves forward, one event at a time, and is never deleted.
CREATE FUNCTION audit_chain_head_forward_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'UPDATE' OR NEW.seq <> OLD.seq + 1 OR NEW.id <> OLD.id THEN
        RAISE EXCEPTION 'audit_chain_head only advances by one: % refused', TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER audit_chain_head_forward_only
    BEFORE UPDATE OR DELETE ON audit_chain_head
    FOR EACH ROW EXECUTE FUNCTION audit_chain_head_forward_only();
