-- The graph a backend builds is kept between calls and rebuilt when the
-- catalog changes: by this transaction, by a savepoint rolled back, by a
-- commit elsewhere, or by direct DML on migrate.revisions.
CREATE EXTENSION migrate;
SELECT migrate.revision('a1', '{}', 'SELECT 1');
SELECT * FROM migrate.heads();                 -- builds and caches the graph

-- Changes of the current transaction are seen at once, and gone after ROLLBACK.
BEGIN;
SELECT migrate.revision('b2', '{a1}', 'SELECT 2');
SELECT * FROM migrate.heads();
SELECT migrate.revision('c3', '{b2}', 'SELECT 3');
SELECT * FROM migrate.heads();
ROLLBACK;
SELECT * FROM migrate.heads();

-- Savepoints: what a rolled-back subtransaction registered is gone, what
-- comes after it is seen.
BEGIN;
SELECT * FROM migrate.heads();
SAVEPOINT s;
SELECT migrate.revision('b2', '{a1}', 'SELECT 2');
SELECT * FROM migrate.heads();
ROLLBACK TO SAVEPOINT s;
SELECT * FROM migrate.heads();
SELECT migrate.revision('x2', '{a1}', 'SELECT 2');
SELECT * FROM migrate.heads();
COMMIT;
SELECT * FROM migrate.heads();

-- One row version per transaction, however many revisions it registers.
SELECT changes AS before FROM migrate.catalog_state \gset
BEGIN;
SELECT count(migrate.revision('bulk' || i, ARRAY[CASE WHEN i = 1 THEN 'x2' ELSE 'bulk' || (i - 1) END], 'SELECT 1'))
FROM generate_series(1, 100) i;
COMMIT;
SELECT changes - :before AS changes_recorded FROM migrate.catalog_state;
SELECT * FROM migrate.heads();

-- Direct DML on the catalog (a superuser's) is seen too.
INSERT INTO migrate.revisions (id, down_revisions, upgrade_sql, checksum) VALUES ('direct', '{bulk100}', 'SELECT 1', 'x');
SELECT * FROM migrate.heads();
DELETE FROM migrate.revisions WHERE id IN ('direct', 'bulk100');
SELECT * FROM migrate.heads();
TRUNCATE migrate.revisions, migrate.backfill_jobs;
SELECT count(*) AS heads_after_truncate FROM migrate.heads();

-- Another session's commit is seen by this session's next call; a
-- REPEATABLE READ transaction keeps seeing its snapshot until it ends.
CREATE EXTENSION dblink;
SELECT dblink_connect('other', format('host=%s port=%s dbname=%s',
  split_part(current_setting('unix_socket_directories'), ',', 1), current_setting('port'), current_database()));
SELECT migrate.revision('s1', '{}', 'SELECT 1');
SELECT * FROM migrate.heads();
SELECT * FROM dblink('other', $$SELECT migrate.revision('s2', '{s1}', 'SELECT 2')$$) AS t(registered text);
SELECT * FROM migrate.heads();
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT * FROM migrate.heads();
SELECT * FROM dblink('other', $$SELECT migrate.revision('s3', '{s2}', 'SELECT 3')$$) AS t(registered text);
SELECT * FROM migrate.heads();
COMMIT;
SELECT * FROM migrate.heads();
-- An uncommitted registration elsewhere is not seen, its rollback changes nothing.
SELECT dblink_exec('other', 'BEGIN');
SELECT * FROM dblink('other', $$SELECT migrate.revision('s4', '{s3}', 'SELECT 4')$$) AS t(registered text);
SELECT * FROM migrate.heads();
SELECT dblink_exec('other', 'ROLLBACK');
SELECT * FROM migrate.heads();
SELECT dblink_disconnect('other');
DROP EXTENSION dblink;

-- The trigger is only a trigger.
SELECT migrate.note_catalog_change();

DROP EXTENSION migrate;
-- A new extension in the same session starts from its own catalog.
CREATE EXTENSION migrate;
SELECT count(*) AS heads_of_new_catalog FROM migrate.heads();
SELECT migrate.revision('n1', '{}', 'SELECT 1');
SELECT * FROM migrate.heads();
DROP EXTENSION migrate;
