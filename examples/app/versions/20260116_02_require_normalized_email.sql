-- revision: 20260116_02_require_normalized_email
-- revises: 20260116_01_check_normalized_email
-- message: require normalized email
-- lock-timeout: 2s

-- migrate:upgrade
-- Contract, step 2: VALIDATE scans without blocking writes; SET NOT NULL then
-- trusts the validated CHECK instead of scanning again.
ALTER TABLE customers VALIDATE CONSTRAINT customers_email_normalized_present;
ALTER TABLE customers ALTER COLUMN email_normalized SET NOT NULL;
ALTER TABLE customers DROP CONSTRAINT customers_email_normalized_present;

-- migrate:downgrade
ALTER TABLE customers ALTER COLUMN email_normalized DROP NOT NULL;
ALTER TABLE customers ADD CONSTRAINT customers_email_normalized_present
    CHECK (email_normalized IS NOT NULL) NOT VALID;
