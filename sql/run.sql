-- CALL migrate.run(): refusals, a run, and the settings behind lock-safe steps.
CREATE EXTENSION migrate;
\i test/sql/refusal.sql

SELECT migrate.revision('a1', '{}', 'CREATE TABLE rt (id int)', 'DROP TABLE rt', 'table');
SELECT migrate.revision('b2', '{a1}', 'CREATE INDEX CONCURRENTLY rt_id_idx ON rt (id)', 'DROP INDEX rt_id_idx',
                        'index', transactional => false);
SELECT migrate.revision('c3', '{b2}', 'ALTER TABLE rt ADD v int', 'ALTER TABLE rt DROP v', 'column',
                        lock_timeout => '2 s', statement_timeout => '1 min');
SELECT revision, lock_timeout, statement_timeout FROM migrate.show('c3');
SELECT revision, lock_timeout, statement_timeout FROM migrate.show('a1');

-- Refused at registration in a transactional => false revision.
SELECT pg_temp.refusal($$SELECT migrate.revision('x1', '{c3}', 'CREATE INDEX CONCURRENTLY ON rt (id)', transactional => false)$$);
SELECT pg_temp.refusal($$SELECT migrate.revision('x1', '{c3}', 'BEGIN; CREATE INDEX CONCURRENTLY i ON rt (id); COMMIT', transactional => false)$$);
SELECT pg_temp.refusal($$SELECT migrate.revision('x1', '{c3}', 'SELECT 1', lock_timeout => '-1 s')$$);
SELECT pg_temp.refusal($$SELECT migrate.revision('x1', '{c3}', 'SELECT 1', lock_timeout => '-0.5 ms')$$);
-- ... and timeouts PostgreSQL's lock_timeout and statement_timeout cannot
-- take: more milliseconds than they hold, fractions of a millisecond.
SELECT pg_temp.refusal($$SELECT migrate.revision('x1', '{c3}', 'SELECT 1', lock_timeout => '1 month')$$);
SELECT pg_temp.refusal($$SELECT migrate.revision('x1', '{c3}', 'SELECT 1', statement_timeout => '2147483648 ms')$$);
SELECT pg_temp.refusal($$SELECT migrate.revision('x1', '{c3}', 'SELECT 1', statement_timeout => '2000000000 days')$$);
SELECT pg_temp.refusal($$SELECT migrate.revision('x1', '{c3}', 'SELECT 1', lock_timeout => '0.4 ms')$$);
SELECT pg_temp.refusal($$SELECT migrate.revision('x1', '{c3}', 'SELECT 1', statement_timeout => '1.0005 s')$$);
SELECT pg_temp.refusal($$SELECT migrate.revision('x1', '{c3}', 'SELECT 1', lock_timeout => '1 month 0.5 ms')$$);
-- An invalid id is refused first, without quoting it in a timeout's refusal.
SELECT pg_temp.refusal($$SELECT migrate.revision('x 1', '{c3}', 'SELECT 1', lock_timeout => '1 month')$$);
-- Nothing was registered.
SELECT count(*) FROM migrate.revisions WHERE id LIKE 'x%';
-- Timeouts are not content: changing them is allowed, also once applied.
SELECT migrate.revision('c3', '{b2}', 'ALTER TABLE rt ADD v int', 'ALTER TABLE rt DROP v', 'column',
                        lock_timeout => '3 s');
SELECT revision, lock_timeout, statement_timeout FROM migrate.show('c3');

-- upgrade() refuses the non-transactional revision, pointing to the runner.
SELECT pg_temp.refusal($$SELECT * FROM migrate.upgrade('head')$$);
SELECT pg_temp.refusal($$SELECT * FROM migrate.plan('head')$$);
-- The runner commits, so not inside a transaction block or a function.
BEGIN;
CALL migrate.run();
ROLLBACK;
SELECT pg_temp.refusal($$CALL migrate.run()$$);
CALL migrate.run(NULL);
CALL migrate.run('nope');
CALL migrate.run('b2');
SELECT * FROM migrate.current();
SELECT indexrelid::regclass AS index, indisvalid FROM pg_index WHERE indrelid = 'rt'::regclass;
CALL migrate.run();
CALL migrate.run();
SELECT revision, direction, from_heads, to_heads FROM migrate.journal ORDER BY id;

-- ALTER TYPE ... ADD VALUE, then a revision using the new value: one
-- transaction (upgrade()) cannot, a commit per revision (run()) can.
SELECT migrate.revision('e1', '{c3}', $$CREATE TYPE mood AS ENUM ('calm')$$, 'DROP TYPE mood', 'enum');
SELECT migrate.revision('e2', '{e1}', $$ALTER TYPE mood ADD VALUE 'busy'$$, 'SELECT 1', 'enum value');
SELECT migrate.revision('e3', '{e2}', $$CREATE TABLE moods (m mood DEFAULT 'busy')$$, 'DROP TABLE moods', 'use it');
SELECT pg_temp.refusal($$SELECT * FROM migrate.upgrade('e3')$$);
SELECT * FROM migrate.current();
CALL migrate.run('e3');
SELECT * FROM migrate.current();
SELECT pg_get_expr(adbin, adrelid) AS default FROM pg_attrdef WHERE adrelid = 'moods'::regclass;

-- The settings (GUCs) a DBA sets per database or role.
SHOW migrate.lock_timeout;
SHOW migrate.lock_retries;
SHOW migrate.lock_retry_delay;
SHOW migrate.statement_timeout;
SET migrate.lock_timeout = '250ms';
SHOW migrate.lock_timeout;
SET migrate.lock_retries = -1;
RESET migrate.lock_timeout;
-- A step's statement_timeout stops a step that runs too long.
SELECT migrate.revision('d4', '{e3}', 'SELECT pg_sleep(2)', 'SELECT 1', 'slow', statement_timeout => '100 ms');
SELECT revision FROM migrate.upgrade('d4');
SELECT * FROM migrate.current();
-- The step's lock_timeout is back to the caller's afterwards.
SHOW lock_timeout;
-- The largest timeouts PostgreSQL takes are accepted, and armed.
SELECT migrate.revision('t1', '{e3}', 'SELECT 1', 'SELECT 1', 'longest timeouts',
                        lock_timeout => '2147483647 ms', statement_timeout => '24 days 20:31:23.647');
SELECT revision, lock_timeout, statement_timeout FROM migrate.show('t1');
SELECT revision FROM migrate.upgrade('t1');
-- The settings take what PostgreSQL's own take.
SELECT pg_temp.refusal($$SET migrate.lock_timeout = '25d'$$);
SELECT pg_temp.refusal($$SET migrate.statement_timeout = '-1'$$);
SET migrate.statement_timeout = '24d';
SHOW migrate.statement_timeout;
RESET migrate.statement_timeout;

-- run() fails after a step's SQL ran (here: no INSERT on the journal): the
-- WARNING names where the database is after the rollback, not the failed revision.
SELECT migrate.revision('t2', '{t1}', 'SELECT 1', 'SELECT 1', 'journal refused');
CREATE ROLE regress_migrate_no_journal;
GRANT EXECUTE ON PROCEDURE migrate.run(text) TO regress_migrate_no_journal;
GRANT SELECT ON migrate.revisions, migrate.backfill_jobs TO regress_migrate_no_journal;
GRANT SELECT, INSERT, UPDATE, DELETE ON migrate.version TO regress_migrate_no_journal;
GRANT SELECT, INSERT, DELETE ON migrate.schema_fingerprint TO regress_migrate_no_journal;
GRANT SELECT, INSERT, UPDATE ON migrate.schema_fingerprint_state TO regress_migrate_no_journal;
SET ROLE regress_migrate_no_journal;
\set VERBOSITY terse
CALL migrate.run('t2');
\set VERBOSITY default
RESET ROLE;
SELECT * FROM migrate.current();
SELECT count(*) FROM migrate.journal WHERE revision = 't2';
DROP OWNED BY regress_migrate_no_journal;
DROP ROLE regress_migrate_no_journal;

-- The worker runs with the caller's whole search_path, however long: here
-- the table's schema comes after 60 others (1,900 bytes of path).
CREATE SCHEMA far_schema;
CREATE TABLE far_schema.far_t (id int);
SELECT migrate.revision('t3', '{t2}', 'CREATE INDEX CONCURRENTLY far_t_id_idx ON far_t (id)', 'DROP INDEX far_t_id_idx',
                        transactional => false);
SELECT pg_catalog.set_config('search_path',
         (SELECT string_agg('no_such_schema_number_' || lpad(g::text, 6, '0'), ', ') FROM generate_series(1, 60) g)
         || ', far_schema, public', false) IS NOT NULL AS path_set;
SELECT length(current_setting('search_path')) > 1024 AS long_path;
CALL migrate.run('t3');
RESET search_path;
SELECT indexrelid::regclass, indisvalid FROM pg_index WHERE indrelid = 'far_schema.far_t'::regclass;
DROP SCHEMA far_schema CASCADE;

DROP EXTENSION migrate;
DROP TABLE rt, moods;
DROP TYPE mood;
