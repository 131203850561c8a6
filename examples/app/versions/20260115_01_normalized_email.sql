-- revision: 20260115_01_normalized_email
-- revises: 20260111_01_merge_orders_and_notes
-- message: normalized email

-- migrate:upgrade
-- Expand: a nullable column, filled by the backfill below in small
-- committed batches while the application keeps writing.
ALTER TABLE customers ADD COLUMN email_normalized text;

-- migrate:downgrade
ALTER TABLE customers DROP COLUMN email_normalized;

-- migrate:backfill normalize_emails
-- max-batches: 100000
UPDATE customers SET email_normalized = lower(btrim(email))
WHERE id IN (SELECT id FROM customers WHERE email_normalized IS NULL ORDER BY id LIMIT 500);
