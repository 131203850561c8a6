-- revision: 20260110_01_create_orders
-- revises: 20260105_01_create_customers
-- message: create orders

-- migrate:upgrade
CREATE TABLE orders (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_id bigint NOT NULL REFERENCES customers,
    total_cents bigint NOT NULL CHECK (total_cents >= 0),
    placed_at   timestamptz NOT NULL DEFAULT now()
);

-- migrate:downgrade
DROP TABLE orders;
