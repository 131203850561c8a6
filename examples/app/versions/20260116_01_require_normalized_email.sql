-- revision: 20260116_01_require_normalized_email
-- revises: 20260115_01_normalized_email
-- message: require normalized email
-- requires-backfills: normalize_emails
-- lock-timeout: 2s

-- migrate:upgrade
-- Contract: refused by the engine until normalize_emails is done.
ALTER TABLE customers ALTER COLUMN email_normalized SET NOT NULL;
ALTER TABLE customers ADD CONSTRAINT customers_email_normalized_key UNIQUE (email_normalized);

-- migrate:downgrade
ALTER TABLE customers DROP CONSTRAINT customers_email_normalized_key;
ALTER TABLE customers ALTER COLUMN email_normalized DROP NOT NULL;
