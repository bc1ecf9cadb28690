-- Inbox claims: a processor takes a delivery in a short committed transaction (claim_token, claimed_until),
-- reads MLflow with no transaction open, then applies and marks it done in a second short transaction
-- that checks the token. Other processors skip a claimed delivery; a claim left by a crash expires.
-- next_attempt_at NULL: due at once. Retry times are written from the application's clock and compared
-- with it, never with the database's now().
ALTER TABLE webhook_delivery
    ADD COLUMN claim_token   VARCHAR(64),
    ADD COLUMN claimed_until TIMESTAMPTZ,
    ALTER COLUMN next_attempt_at DROP NOT NULL,
    ALTER COLUMN next_attempt_at DROP DEFAULT;
