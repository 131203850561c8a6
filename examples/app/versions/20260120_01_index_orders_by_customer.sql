-- revision: 20260120_01_index_orders_by_customer
-- revises: 20260116_02_require_normalized_email
-- message: index orders by customer, unique normalized email
-- transactional: false

-- migrate:upgrade
CREATE INDEX CONCURRENTLY orders_customer_id_idx ON orders (customer_id, placed_at);
CREATE UNIQUE INDEX CONCURRENTLY customers_email_normalized_key ON customers (email_normalized);

-- migrate:downgrade
DROP INDEX CONCURRENTLY customers_email_normalized_key;
DROP INDEX CONCURRENTLY orders_customer_id_idx;
