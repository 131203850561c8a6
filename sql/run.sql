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

DROP EXTENSION migrate;
DROP TABLE rt, moods;
DROP TYPE mood;
