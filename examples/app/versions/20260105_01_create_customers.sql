-- revision: 20260105_01_create_customers
-- revises:
-- message: create customers

-- migrate:upgrade
CREATE TABLE customers (
    id    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name  text NOT NULL,
    email text NOT NULL
);

-- migrate:downgrade
DROP TABLE customers;
