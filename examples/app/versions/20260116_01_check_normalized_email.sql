-- revision: 20260116_01_check_normalized_email
-- revises: 20260115_01_normalized_email
-- message: check normalized email
-- requires-backfills: normalize_emails
-- lock-timeout: 2s

-- migrate:upgrade
-- Contract, step 1: refused by the engine until normalize_emails is done.
-- NOT VALID: new rows are checked, the table is not scanned under this lock.
ALTER TABLE customers ADD CONSTRAINT customers_email_normalized_present
    CHECK (email_normalized IS NOT NULL) NOT VALID;

-- migrate:downgrade
ALTER TABLE customers DROP CONSTRAINT customers_email_normalized_present;
