-- The app's migrations as CI runs them: register the bundle that
-- `pg_migrate bundle` wrote from versions/, upgrade the way a deploy does
-- (with data in the tables between the steps), and check the schema.
CREATE EXTENSION migrate;
\set ECHO none
\i test/build/bundle.sql
\set ECHO all
SELECT * FROM migrate.heads();
SELECT count(*) AS revisions FROM migrate.revisions;
-- Loading the same bundle again changes nothing.
SELECT pg_catalog.max(created_at) AS loaded_at FROM migrate.revisions \gset
\set ECHO none
\i test/build/bundle.sql
\set ECHO all
SELECT count(*) AS changed FROM migrate.revisions WHERE created_at > :'loaded_at';

-- Expand: up to the revision that adds the column and its backfill, in one transaction.
SELECT revision, direction FROM migrate.upgrade('20260115_01_normalized_email');
INSERT INTO customers (name, email)
SELECT 'customer ' || i, ' Customer' || i || '@Example.COM ' FROM generate_series(1, 1200) AS i;
INSERT INTO orders (customer_id, total_cents) SELECT id, id * 100 FROM customers WHERE id % 3 = 0;

-- Every downgrade so far works and leaves no table behind (rolled back: a dry run).
BEGIN;
SELECT revision, direction FROM migrate.downgrade('base');
SELECT count(*) AS tables_left FROM pg_tables WHERE schemaname = 'public';
ROLLBACK;

-- Contract: refused while normalize_emails has not run.
SELECT revision FROM migrate.upgrade('20260116_01_check_normalized_email');
CALL migrate.run_backfills();
SELECT name, state, batches, rows_done FROM migrate.backfills;
SELECT count(*) AS not_normalized FROM customers WHERE email_normalized IS DISTINCT FROM lower(btrim(email));

-- The rest, concurrent index included: CALL migrate.run() commits per revision.
CALL migrate.run('head');
SELECT * FROM migrate.current();

-- The schema the application expects.
SELECT table_name, column_name, data_type, is_nullable
FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, ordinal_position;
SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY indexname;
SELECT i.indexrelid::regclass::text AS index, i.indisvalid FROM pg_index i
WHERE i.indrelid = 'orders'::regclass ORDER BY 1;
SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
WHERE conrelid IN ('customers'::regclass, 'orders'::regclass) ORDER BY conname;

-- The contract holds: a duplicate normalized email is refused.
INSERT INTO customers (name, email, email_normalized) VALUES ('again', 'Customer1@example.com', 'customer1@example.com');
