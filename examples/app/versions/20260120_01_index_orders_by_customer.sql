-- revision: 20260120_01_index_orders_by_customer
-- revises: 20260116_01_require_normalized_email
-- message: index orders by customer
-- transactional: false

-- migrate:upgrade
CREATE INDEX CONCURRENTLY orders_customer_id_idx ON orders (customer_id, placed_at);

-- migrate:downgrade
DROP INDEX CONCURRENTLY orders_customer_id_idx;
