-- revision: 20260110_02_customer_notes
-- revises: 20260105_01_create_customers
-- message: customer notes

-- migrate:upgrade
ALTER TABLE customers ADD COLUMN note text;

-- migrate:downgrade
ALTER TABLE customers DROP COLUMN note;
