-- Each event records how its hash was computed, so chains sealed before RFC 8785 keep verifying:
-- 1 = the form used until now (events already sealed), 2 = RFC 8785 (JCS) of the whole event.
-- Adding a column with a default touches no row (no trigger fires); the default is then dropped so
-- that the sealer must always name the form it used.
ALTER TABLE audit_event ADD COLUMN hash_form SMALLINT NOT NULL DEFAULT 1 CHECK (hash_form IN (1, 2));
ALTER TABLE audit_event ALTER COLUMN hash_form DROP DEFAULT;
