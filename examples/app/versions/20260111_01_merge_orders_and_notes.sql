-- revision: 20260111_01_merge_orders_and_notes
-- revises: 20260110_01_create_orders, 20260110_02_customer_notes
-- message: merge orders and notes

-- migrate:upgrade

-- migrate:downgrade
