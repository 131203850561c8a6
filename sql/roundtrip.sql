-- migrate.check_roundtrip(): the stairway test. For each pending step:
-- upgrade, fingerprint, downgrade, compare with the schema before it,
-- upgrade again; all of it rolled back. Symmetric and asymmetric revisions,
-- irreversible and non-transactional ones, failing SQL, a chain, bad
-- targets; and that nothing the caller can see changed, on success and on
-- failure.
CREATE EXTENSION migrate;
\i test/sql/refusal.sql
CREATE SCHEMA rt;
CREATE TABLE rt.keep (id int PRIMARY KEY, v text DEFAULT 'k');
INSERT INTO rt.keep VALUES (1, 'one'), (2, 'two');

-- What the caller can see: locks on its tables and advisory locks, its
-- transaction id, the version rows, the journal, the recorded fingerprint,
-- the schema, the rows of rt.keep.
CREATE FUNCTION pg_temp.state() RETURNS text LANGUAGE sql AS $fn$
SELECT concat_ws(' | ',
  (SELECT string_agg(l.locktype || ' ' || coalesce(l.relation::regclass::text, l.objid::text) || ' ' || l.mode, ', '
                     ORDER BY 1)
   FROM pg_locks l
   WHERE l.pid = pg_backend_pid() AND (l.locktype = 'advisory' OR (l.locktype = 'relation'
         AND l.relation IN (SELECT c.oid FROM pg_class c
                            WHERE c.relnamespace NOT IN ('pg_catalog'::regnamespace, 'migrate'::regnamespace))))),
  current_setting('search_path'), current_setting('lock_timeout'), current_setting('statement_timeout'),
  (SELECT string_agg(version_num, ',' ORDER BY version_num) FROM migrate.version),
  (SELECT count(*) FROM migrate.journal)::text,
  (SELECT concat(hash, recorded_at) FROM migrate.schema_fingerprint_state),
  (SELECT md5(string_agg(concat(kind, name, definition), ',' ORDER BY kind, name)) FROM migrate.fingerprint()),
  (SELECT string_agg(concat(id, '=', v), ',' ORDER BY id) FROM rt.keep))
$fn$;

-- Nothing registered: nothing to check.
SELECT * FROM migrate.check_roundtrip();

-- A chain. a1 and b2 are symmetric; b2 works on a1's table (the stairway:
-- each step is checked on the schema the previous ones left).
SELECT migrate.revision('a1', '{}', $$CREATE TABLE rt.t (id int PRIMARY KEY, v text DEFAULT 'a')$$, 'DROP TABLE rt.t', 'table t');
SELECT migrate.revision('b2', '{a1}', 'ALTER TABLE rt.t ADD COLUMN w int; CREATE INDEX t_w_idx ON rt.t (w)',
                        'DROP INDEX rt.t_w_idx; ALTER TABLE rt.t DROP COLUMN w', 'column w, indexed');
SELECT * FROM migrate.check_roundtrip();

-- Asymmetric: a forgotten DROP INDEX; a column left behind; a default the
-- downgrade sets to something else; a downgrade that drops more than the
-- upgrade created (keep's default). An irreversible revision in between is
-- upgraded and not run down.
SELECT migrate.revision('c3', '{b2}', 'CREATE INDEX t_v_idx ON rt.t (v)', '', 'index on v, never dropped');
SELECT migrate.revision('d4', '{c3}', 'ALTER TABLE rt.t ADD COLUMN x int, ADD COLUMN y int',
                        'ALTER TABLE rt.t DROP COLUMN y', 'x and y; only y dropped');
SELECT migrate.revision('e5', '{d4}', $$ALTER TABLE rt.t ALTER v SET DEFAULT 'new'$$,
                        $$ALTER TABLE rt.t ALTER v SET DEFAULT 'old'$$, 'default of v');
SELECT migrate.revision('f6', '{e5}', 'CREATE TABLE rt.gone (id int)', 'DROP TABLE rt.gone; ALTER TABLE rt.keep ALTER v DROP DEFAULT',
                        'downgrade drops more');
SELECT migrate.revision('g7', '{f6}', 'ALTER TABLE rt.t ADD COLUMN z int', NULL, 'irreversible');
SELECT migrate.revision('h8', '{g7}', 'CREATE VIEW rt.tv AS SELECT id, z FROM rt.t', 'DROP VIEW rt.tv', 'view on z');

BEGIN;
SELECT pg_temp.state() AS before \gset
SELECT * FROM migrate.check_roundtrip('head');
SELECT pg_temp.state() = :'before' AS unchanged;
-- No "Running upgrade" NOTICE; no step left in the journal; no lock kept.
SELECT count(*) AS advisory_locks FROM pg_locks WHERE pid = pg_backend_pid() AND locktype = 'advisory';
COMMIT;
SELECT pg_temp.state() = :'before' AS unchanged_after_commit;

-- From where the database is: applied revisions are not checked again.
SELECT revision FROM migrate.upgrade('b2');
SELECT pg_temp.state() AS before \gset
SELECT * FROM migrate.check_roundtrip('d4');
SELECT pg_temp.state() = :'before' AS unchanged;
-- A target that is already current: no rows. A relative one, as upgrade() reads it.
SELECT * FROM migrate.check_roundtrip('b2');
SELECT * FROM migrate.check_roundtrip('+1');

-- Bad targets: the SQLSTATEs upgrade() gives.
SELECT pg_temp.refusal($$SELECT * FROM migrate.check_roundtrip(NULL)$$);
SELECT pg_temp.refusal($$SELECT * FROM migrate.upgrade(NULL)$$);
SELECT pg_temp.refusal($$SELECT * FROM migrate.check_roundtrip('nope')$$);
SELECT pg_temp.refusal($$SELECT * FROM migrate.upgrade('nope')$$);
SELECT pg_temp.refusal($$SELECT * FROM migrate.check_roundtrip('a1')$$);
SELECT pg_temp.refusal($$SELECT * FROM migrate.upgrade('a1')$$);
SELECT pg_temp.refusal($$SELECT * FROM migrate.check_roundtrip('-1')$$);
SELECT pg_temp.refusal(format('SELECT * FROM migrate.check_roundtrip(%L)', repeat('x', 2000)));
SELECT pg_temp.state() = :'before' AS unchanged;

-- Failing SQL: the step's row says which phase failed, with its SQLSTATE
-- and message. A failed downgrade (or second upgrade) is undone and the
-- stairway goes on from the revision's upgrade; a failed upgrade ends it,
-- and the revisions after it are listed as not checked. Nothing stays.
SELECT migrate.revision('i9', '{h8}', 'CREATE INDEX t_x_idx ON rt.t (x)', 'DROP INDEX rt.no_such_idx', 'bad downgrade');
SELECT migrate.revision('j10', '{i9}', 'ALTER TABLE rt.t ADD COLUMN q int', 'ALTER TABLE rt.t DROP COLUMN q', 'after it');
SELECT pg_temp.state() AS before \gset
SELECT revision, ok, difference FROM migrate.check_roundtrip('heads') WHERE revision IN ('i9', 'j10');
SELECT pg_temp.state() = :'before' AS unchanged;
SELECT migrate.revision('i9', '{h8}', 'CREATE INDEX t_x_idx ON rt.no_such_table (x)', 'DROP INDEX rt.t_x_idx', 'bad upgrade');
SELECT revision, ok, difference FROM migrate.check_roundtrip('heads') WHERE revision IN ('i9', 'j10');
SELECT pg_temp.state() = :'before' AS unchanged;
-- An upgrade that cannot run twice: its downgrade left data behind.
SELECT migrate.revision('i9', '{h8}', $$INSERT INTO rt.keep VALUES (3, 'three')$$, 'SELECT 1', 'data left behind');
SELECT revision, ok, difference FROM migrate.check_roundtrip('heads') WHERE revision IN ('i9', 'j10');
SELECT pg_temp.state() = :'before' AS unchanged;
-- Inside the caller's transaction, after failures, the caller's
-- transaction goes on as it was.
BEGIN;
SELECT count(*) FROM migrate.check_roundtrip('heads');
SELECT pg_temp.state() = :'before' AS unchanged;
SELECT count(*) AS still_usable FROM rt.keep;
ROLLBACK;

-- A cancel or statement_timeout is no step's failure: it ends the call, and
-- nothing stays either.
SELECT migrate.revision('i9', '{h8}', 'SELECT pg_sleep(5)', 'SELECT 1', 'slow');
BEGIN;
SET LOCAL statement_timeout = '200ms';
SELECT * FROM migrate.check_roundtrip('heads');
ROLLBACK;
SELECT pg_temp.state() = :'before' AS unchanged;

-- A non-transactional revision cannot run inside the check's transaction:
-- reported as not checked, and so is what follows it.
SELECT migrate.revision('i9', '{h8}', 'CREATE INDEX CONCURRENTLY t_x_idx ON rt.t (x)', 'DROP INDEX CONCURRENTLY rt.t_x_idx',
                        'concurrently', transactional => false);
SELECT revision, ok, difference FROM migrate.check_roundtrip('heads') WHERE revision IN ('i9', 'j10');
SELECT pg_temp.state() = :'before' AS unchanged;

-- migrate.lint = 'error' refuses upgrade() here, not check_roundtrip().
SELECT migrate.revision('i9', '{h8}', 'INSERT INTO rt.keep VALUES (3)', 'DELETE FROM rt.keep WHERE id = 3', 'fine again');
SELECT migrate.revision('j10', '{i9}', 'ALTER TABLE rt.keep ALTER COLUMN id TYPE bigint', 'ALTER TABLE rt.keep ALTER COLUMN id TYPE int', 'rewrite');
SET migrate.lint = 'error';
SET migrate.lint_large_table = '1kB';
SELECT pg_temp.refusal($$SELECT * FROM migrate.upgrade('heads')$$);
SELECT revision, ok, difference FROM migrate.check_roundtrip('heads') WHERE revision IN ('i9', 'j10');
RESET migrate.lint;
RESET migrate.lint_large_table;
SELECT pg_temp.state() = :'before' AS unchanged;

-- A merge and its branches, as upgrade('heads') runs them.
SELECT migrate.revision('k1', '{b2}', 'CREATE TABLE rt.side (id int)', 'DROP TABLE rt.side', 'a branch');
SELECT migrate.merge('{j10,k1}', 'join', 'm1');
SELECT revision, ok FROM migrate.check_roundtrip('heads');
SELECT pg_temp.state() = :'before' AS unchanged;

-- Only what a step touched is read again (the relations PostgreSQL's
-- relcache invalidations name, and those whose definitions name them): a
-- rename and its undoing are symmetric, also for a view over the renamed
-- table checked later; an index renamed alone, a CHECK constraint, a
-- function left behind are found.
SELECT migrate.revision('n1', '{m1}', 'CREATE TABLE rt.base (id int PRIMARY KEY); CREATE VIEW rt.base_v AS SELECT id FROM rt.base',
                        'DROP VIEW rt.base_v; DROP TABLE rt.base', 'a table and a view');
SELECT migrate.revision('n2', '{n1}', 'ALTER TABLE rt.base RENAME TO base2', 'ALTER TABLE rt.base2 RENAME TO base', 'rename');
SELECT migrate.revision('n3', '{n2}', 'ALTER VIEW rt.base_v RENAME COLUMN id TO ident',
                        'ALTER VIEW rt.base_v RENAME COLUMN ident TO id', 'rename a view column');
SELECT migrate.revision('n4', '{n3}', 'ALTER INDEX rt.base_pkey RENAME TO base_key', 'SELECT 1', 'index renamed');
SELECT migrate.revision('n5', '{n4}', 'ALTER TABLE rt.base2 ADD CONSTRAINT base_id_positive CHECK (id > 0)', 'SELECT 1',
                        'check constraint');
SELECT migrate.revision('n6', '{n5}', 'CREATE FUNCTION rt.answer() RETURNS int LANGUAGE sql AS $$SELECT 42$$', 'SELECT 1',
                        'a function');
SELECT migrate.revision('n7', '{n6}', 'ALTER TABLE rt.base2 RENAME COLUMN id TO key', 'ALTER TABLE rt.base2 RENAME COLUMN key TO id',
                        'rename a column the view uses');
SELECT revision, ok, difference FROM migrate.check_roundtrip('heads') WHERE revision LIKE 'n%';
SELECT pg_temp.state() = :'before' AS unchanged;

-- Not PUBLIC's: it runs the revisions' SQL.
CREATE ROLE regress_migrate_roundtrip;
SET ROLE regress_migrate_roundtrip;
SELECT pg_temp.refusal($$SELECT * FROM migrate.check_roundtrip()$$);
RESET ROLE;
DROP ROLE regress_migrate_roundtrip;

DROP EXTENSION migrate;
DROP SCHEMA rt CASCADE;
