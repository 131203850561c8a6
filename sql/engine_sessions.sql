-- Two sessions moving one database: the second waits for the first and does
-- only what is left; a REPEATABLE READ transaction whose snapshot predates the
-- other session's move fails and rolls back instead of running anything twice.
CREATE EXTENSION migrate;
CREATE EXTENSION dblink;
\i test/sql/refusal.sql
-- Each revision appends to a log: a revision run twice would show.
CREATE TABLE ran (revision text NOT NULL);
SELECT count(migrate.revision('s' || i, CASE WHEN i = 1 THEN '{}'::text[] ELSE ARRAY['s' || (i - 1)] END,
                              format('INSERT INTO ran VALUES (%L)', 's' || i), format('DELETE FROM ran WHERE revision = %L', 's' || i)))
FROM generate_series(1, 5) i;
SELECT dblink_connect('other', format('host=%s port=%s dbname=%s',
  split_part(current_setting('unix_socket_directories'), ',', 1), current_setting('port'), current_database()));
SELECT dblink_exec('other', 'SET client_min_messages = warning');

-- From an empty database: this snapshot sees no version rows.
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT count(*) AS rows_seen FROM migrate.current();
SELECT * FROM dblink('other', $$SELECT count(*) FROM migrate.upgrade('s3')$$) AS t(steps bigint);
SELECT pg_temp.refusal($$SELECT count(*) FROM migrate.upgrade('s5')$$);
ROLLBACK;
SELECT revision, count(*) FROM ran GROUP BY revision ORDER BY revision;
SELECT * FROM migrate.current();

-- With a version row to lock: FOR UPDATE sees it changed, a serialization failure.
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT * FROM migrate.current();
SELECT * FROM dblink('other', $$SELECT count(*) FROM migrate.upgrade('s4')$$) AS t(steps bigint);
SELECT pg_temp.refusal($$SELECT count(*) FROM migrate.upgrade('s5')$$);
ROLLBACK;
SELECT revision, count(*) FROM ran GROUP BY revision ORDER BY revision;
SELECT * FROM migrate.current();

-- READ COMMITTED: the next call sees the other session's work and does the rest.
SELECT * FROM dblink('other', $$SELECT count(*) FROM migrate.downgrade('s2')$$) AS t(steps bigint);
SELECT revision FROM migrate.upgrade('s5');
SELECT revision, count(*) FROM ran GROUP BY revision ORDER BY revision;

SELECT dblink_disconnect('other');
DROP TABLE ran;
DROP EXTENSION dblink;
DROP EXTENSION migrate;
