-- Backfills: registration, the gate on a revision that needs them, and
-- CALL migrate.run_backfills() committing batch by batch.
CREATE EXTENSION migrate;
CREATE EXTENSION dblink;
\i test/sql/refusal.sql

-- expand (e1: add a nullable column) -> backfill (fill_y) -> contract (c1: NOT NULL).
SELECT migrate.revision('e1', '{}', 'CREATE TABLE items (id bigint PRIMARY KEY, x int, y int, fills int NOT NULL DEFAULT 0)',
                        'DROP TABLE items', 'expand');
SELECT migrate.revision('c1', '{e1}', 'ALTER TABLE items ALTER y SET NOT NULL', 'ALTER TABLE items ALTER y DROP NOT NULL',
                        'contract', requires_backfills => '{fill_y}');
SELECT revision, requires_backfills FROM migrate.show('c1');

-- Keyset batches: the largest id a batch returns is $1 of the next one.
SELECT migrate.backfill('fill_y', 'e1', $$
  UPDATE items SET y = x * 2, fills = fills + 1
  WHERE id IN (SELECT id FROM items WHERE id > coalesce($1::bigint, 0) ORDER BY id LIMIT 10)
  RETURNING id$$);
SELECT name, revision, state, batches, rows_done, started_at, finished_at, last_error, runner_pid, resume_key,
       pause, max_batches, max_duration
FROM migrate.backfills;

-- Registration refusals.
SELECT pg_temp.refusal($$SELECT migrate.backfill('bad name', 'e1', 'DELETE FROM items')$$);
SELECT pg_temp.refusal($$SELECT migrate.backfill('head', 'e1', 'DELETE FROM items')$$);
SELECT pg_temp.refusal($$SELECT migrate.backfill(NULL, 'e1', 'DELETE FROM items')$$);
SELECT pg_temp.refusal($$SELECT migrate.backfill('f', NULL, 'DELETE FROM items')$$);
SELECT pg_temp.refusal($$SELECT migrate.backfill('f', 'e1', NULL)$$);
SELECT pg_temp.refusal($$SELECT migrate.backfill('f', 'nope', 'DELETE FROM items')$$);
SELECT pg_temp.refusal($$SELECT migrate.backfill('f', 'e1', '  ')$$);
SELECT pg_temp.refusal($$SELECT migrate.backfill('f', 'e1', 'DELETE FROM items; DELETE FROM items')$$);
SELECT pg_temp.refusal($$SELECT migrate.backfill('f', 'e1', 'SELECT 1')$$);
SELECT pg_temp.refusal($$SELECT migrate.backfill('f', 'e1', 'VACUUM items')$$);
SELECT pg_temp.refusal($$SELECT migrate.backfill('f', 'e1', 'WITH d AS (DELETE FROM items RETURNING 1) SELECT count(*) FROM d')$$);
SELECT pg_temp.refusal($$SELECT migrate.backfill('f', 'e1', 'UPDATE items SET y = 1 WHERE')$$);
SELECT pg_temp.refusal($$SELECT migrate.backfill('f', 'e1', 'DELETE FROM items', pause => '-1 second')$$);
SELECT pg_temp.refusal($$SELECT migrate.backfill('f', 'e1', 'DELETE FROM items', pause => NULL)$$);
SELECT pg_temp.refusal($$SELECT migrate.backfill('f', 'e1', 'DELETE FROM items', max_batches => 0)$$);
SELECT pg_temp.refusal($$SELECT migrate.backfill('f', 'e1', 'DELETE FROM items', max_duration => '0')$$);
SELECT pg_temp.refusal($$SELECT migrate.revision('c2', '{e1}', 'SELECT 1', requires_backfills => '{fill_y,fill_y}')$$);
SELECT pg_temp.refusal($$SELECT migrate.revision('c2', '{e1}', 'SELECT 1', requires_backfills => '{"no such"}')$$);
SELECT pg_temp.refusal($$SELECT migrate.revision('c2', '{e1}', 'SELECT 1', requires_backfills => NULL)$$);
SELECT count(*) AS backfills FROM migrate.backfills;

-- The same content again is a no-op; limits may change at any time.
SELECT migrate.backfill('fill_y', 'e1', $$
  UPDATE items SET y = x * 2, fills = fills + 1
  WHERE id IN (SELECT id FROM items WHERE id > coalesce($1::bigint, 0) ORDER BY id LIMIT 10)
  RETURNING id$$, pause => '1 ms', max_duration => '1 hour');
SELECT name, pause, max_batches, max_duration, length(checksum) AS checksum_length FROM migrate.backfill_jobs;

-- The gate: upgrading into c1 before fill_y is done is refused, naming it.
SELECT pg_temp.refusal($$SELECT * FROM migrate.upgrade('c1')$$);
SELECT pg_temp.refusal($$SELECT * FROM migrate.plan('c1')$$);
SELECT * FROM migrate.current();
SELECT revision, direction, message FROM migrate.upgrade('e1');
INSERT INTO items (id, x) SELECT g, g FROM generate_series(1, 25) g;
SELECT pg_temp.refusal($$SELECT * FROM migrate.upgrade('c1')$$);

-- The runner commits, so it refuses to run inside a transaction or a function.
BEGIN;
CALL migrate.run_backfills();
ROLLBACK;
SELECT pg_temp.refusal($$CALL migrate.run_backfills()$$);
SELECT pg_temp.refusal($$CALL migrate.run_backfills(names => '{nope,fill_y}')$$);
CALL migrate.run_backfills(names => '{nope}');
CALL migrate.run_backfills(names => '{fill_y,NULL}');
CALL migrate.run_backfills(max_duration => '-1 s');

-- Another runner holds fill_y (its advisory lock): this one leaves it alone,
-- and the view and the gate say it is running.
SELECT dblink_connect('other', format('host=%s port=%s dbname=%s',
  split_part(current_setting('unix_socket_directories'), ',', 1), current_setting('port'), current_database()));
SELECT * FROM dblink('other', $$SELECT pg_advisory_lock(1835624306, (SELECT id FROM migrate.backfill_jobs WHERE name = 'fill_y'))::text$$) AS t(locked text);
SELECT name, state, runner_pid = (SELECT pid FROM dblink('other', 'SELECT pg_backend_pid()') AS t(pid int)) AS runner_is_other
FROM migrate.backfills;
CALL migrate.run_backfills();
SELECT pg_temp.refusal($$SELECT * FROM migrate.upgrade('c1')$$);
SELECT * FROM dblink('other', $$SELECT pg_advisory_unlock_all()::text$$) AS t(unlocked text);

-- Now it runs: three batches of at most 10 rows, then an empty one.
CALL migrate.run_backfills();
SELECT name, state, batches, rows_done, resume_key, started_at IS NOT NULL AS started,
       finished_at >= started_at AS finished, last_error, runner_pid
FROM migrate.backfills;
SELECT count(*) FILTER (WHERE y = x * 2) AS filled, max(fills) AS max_fills FROM items;
-- Done is done: another call finds nothing to do.
CALL migrate.run_backfills();
SELECT revision, direction, message FROM migrate.upgrade('c1');
-- A finished backfill's content cannot change.
SELECT pg_temp.refusal($$SELECT migrate.backfill('fill_y', 'e1', 'DELETE FROM items')$$);

-- max_batches: a share of each call; the next call goes on where it stopped.
SELECT migrate.revision('e2', '{c1}', 'ALTER TABLE items ADD z int', 'ALTER TABLE items DROP z', 'add z');
SELECT revision, direction, message FROM migrate.upgrade('e2');
SELECT migrate.backfill('fill_z', 'e2', $$
  UPDATE items SET z = x WHERE id IN (SELECT id FROM items WHERE z IS NULL ORDER BY id LIMIT 10)$$, max_batches => 2);
CALL migrate.run_backfills();
SELECT name, state, batches, rows_done, resume_key FROM migrate.backfills WHERE name = 'fill_z';
CALL migrate.run_backfills();
SELECT name, state, batches, rows_done FROM migrate.backfills WHERE name = 'fill_z';
SELECT count(*) FILTER (WHERE z = x) AS filled FROM items;

-- A failing batch: the batches before it stay, the backfill is failed with
-- the error, the other backfills still run, and the next call retries it.
SELECT migrate.revision('e3', '{e2}', 'ALTER TABLE items ADD q int', 'ALTER TABLE items DROP q', 'add q');
SELECT revision, direction, message FROM migrate.upgrade('e3');
UPDATE items SET x = 0 WHERE id = 15;
SELECT migrate.backfill('fill_q', 'e3', $$
  UPDATE items SET q = 100 / x WHERE id > coalesce($1::int, 0) AND id <= coalesce($1::int, 0) + 10 RETURNING id$$);
SELECT migrate.backfill('clean_q', 'e3', $$
  DELETE FROM items WHERE id IN (SELECT id FROM items WHERE id > 100 LIMIT 5)$$);
INSERT INTO items (id, x, y) SELECT g, g, g FROM generate_series(101, 112) g;
CALL migrate.run_backfills();
SELECT name, state, batches, rows_done, resume_key, last_error FROM migrate.backfills WHERE revision = 'e3' ORDER BY name;
SELECT count(q) AS q_filled, count(*) FILTER (WHERE id > 100) AS left_over FROM items;
UPDATE items SET x = 1 WHERE id = 15;
CALL migrate.run_backfills();
SELECT name, state, batches, rows_done, resume_key, last_error FROM migrate.backfills WHERE revision = 'e3' ORDER BY name;
SELECT count(q) AS q_filled FROM items;

-- Failures found while running: more than one parameter, and a RETURNING
-- column that cannot be ordered to give the next $1.
SELECT migrate.backfill('two_params', 'e3', 'UPDATE items SET q = $2 WHERE id = $1');
SELECT migrate.backfill('unordered', 'e3', $$UPDATE items SET q = q WHERE id = 1 AND $1::point IS NULL RETURNING point(id, id)$$);
CALL migrate.run_backfills(names => '{two_params,unordered}');
SELECT name, state, last_error FROM migrate.backfills WHERE name IN ('two_params', 'unordered') ORDER BY name;

-- A backfill whose revision is not applied waits.
SELECT migrate.revision('e4', '{e3}', 'CREATE TABLE later (id int)', 'DROP TABLE later', 'later');
SELECT migrate.backfill('fill_later', 'e4', 'INSERT INTO later SELECT 1 WHERE NOT EXISTS (SELECT FROM later)');
CALL migrate.run_backfills(names => '{fill_later}');
SELECT name, state, batches FROM migrate.backfills WHERE name = 'fill_later';

-- Downgrading a revision starts its backfills over.
SELECT revision FROM migrate.downgrade('base');
SELECT name, state, batches, rows_done, resume_key, started_at IS NULL AS not_started, finished_at, last_error
FROM migrate.backfills ORDER BY name;
SELECT pg_temp.refusal($$SELECT * FROM migrate.upgrade('c1')$$);
SELECT revision FROM migrate.upgrade('e1');
INSERT INTO items (id, x) SELECT g, g FROM generate_series(1, 5) g;
CALL migrate.run_backfills(names => '{fill_y}');
SELECT revision FROM migrate.upgrade('c1');

SELECT dblink_disconnect('other');
DROP EXTENSION migrate CASCADE;
DROP TABLE items;
DROP EXTENSION dblink;
