-- Outbox claims: the dispatcher commits a claim (claim_token, claimed_until), sends the HTTP call with no
-- transaction open, then records the outcome in a new short transaction that checks the token. A claim
-- left by a crash expires and the write is sent again (writes look for their own earlier attempt).
ALTER TABLE mlflow_outbox
    ADD COLUMN claim_token   VARCHAR(64),
    ADD COLUMN claimed_until TIMESTAMPTZ;
