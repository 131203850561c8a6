-- migrate.lint(): every rule on a table with rows (found) and without (not
-- found), lint's rewrite verdicts against what PostgreSQL really does, what
-- the plan itself creates, silencing, the migrate.lint setting in upgrade()
-- and CALL migrate.run(), and that linting changes nothing.
CREATE EXTENSION migrate;
\i test/sql/refusal.sql

-- full_t has rows, empty_t none; statistics are there (reltuples).
CREATE TABLE full_t (id int PRIMARY KEY, v varchar(10), n numeric(10,2), ts timestamp, t text, i int, e text);
INSERT INTO full_t SELECT g, 'v', g, '2020-01-01', 't', g, 'e' FROM generate_series(1, 1000) g;
CREATE TABLE empty_t (LIKE full_t INCLUDING ALL);
CREATE UNIQUE INDEX full_t_i_key ON full_t (i);
-- checked_t: a validated CHECK proves i NOT NULL; weak_t's CHECK does not,
-- loose_t's is NOT VALID.
CREATE TABLE checked_t (i int CONSTRAINT i_nn CHECK (i IS NOT NULL AND i > 0));
CREATE TABLE weak_t (i int CHECK (i > 0));
CREATE TABLE loose_t (i int);
INSERT INTO checked_t SELECT g FROM generate_series(1, 100) g;
INSERT INTO weak_t SELECT g FROM generate_series(1, 100) g;
INSERT INTO loose_t SELECT g FROM generate_series(1, 100) g;
ALTER TABLE loose_t ADD CONSTRAINT i_nn CHECK (i IS NOT NULL) NOT VALID;
VACUUM ANALYZE full_t, empty_t, checked_t, weak_t, loose_t;
SELECT relname, reltuples FROM pg_class WHERE relname IN ('full_t', 'empty_t') ORDER BY 1;
CREATE DOMAIN dpos AS int CHECK (VALUE > 0);
CREATE DOMAIN dfree AS int;
CREATE TYPE mood AS ENUM ('calm', 'busy');
SELECT migrate.revision('base0', '{}', 'SELECT 1');
SELECT count(*) FROM migrate.upgrade();

-- lint_case(sql): registers `sql` as revision case1 on top of base0, lints
-- it, and forgets the revision again.
CREATE FUNCTION pg_temp.lint_case(sql text, transactional boolean DEFAULT true)
RETURNS TABLE (statement integer, rule text, severity text, object text) LANGUAGE plpgsql AS $fn$
DECLARE
  found jsonb;
BEGIN
  BEGIN
    PERFORM migrate.revision('case1', '{base0}', sql, transactional => transactional);
    SELECT jsonb_agg(jsonb_build_array(l.statement, l.rule, l.severity, l.object)) INTO found
    FROM migrate.lint('case1') l;
    RAISE EXCEPTION USING ERRCODE = 'P0099', MESSAGE = 'undo';
  EXCEPTION WHEN SQLSTATE 'P0099' THEN NULL;
  END;
  RETURN QUERY SELECT (f->>0)::integer, f->>1, f->>2, f->>3 FROM jsonb_array_elements(coalesce(found, '[]')) f;
END
$fn$;

-- rewrites(sql): does PostgreSQL give full_t a new relfilenode when it runs
-- `sql`? (run, then rolled back)
CREATE FUNCTION pg_temp.rewrites(sql text) RETURNS boolean LANGUAGE plpgsql AS $fn$
DECLARE
  before oid;
BEGIN
  SELECT relfilenode INTO before FROM pg_class WHERE oid = 'full_t'::regclass;
  BEGIN
    EXECUTE sql;
    RAISE EXCEPTION USING ERRCODE = 'P0099',
      MESSAGE = ((SELECT relfilenode FROM pg_class WHERE oid = 'full_t'::regclass) <> before)::text;
  EXCEPTION WHEN SQLSTATE 'P0099' THEN
    RETURN SQLERRM::boolean;
  END;
END
$fn$;

-- table-rewrite: lint's verdict is PostgreSQL's, statement by statement
-- (a non-volatile default, varchar(n) -> varchar(m > n) or text, numeric
-- precision up, domains without constraints do not rewrite).
SET TimeZone = 'Europe/Paris';
CREATE TABLE pg_temp.cases (n serial, sql text);
INSERT INTO pg_temp.cases (sql) VALUES
  ('ALTER TABLE full_t ADD c timestamptz DEFAULT now()'),
  ('ALTER TABLE full_t ADD c text DEFAULT ''x'' || now()'),
  ('ALTER TABLE full_t ADD c float8 DEFAULT random()'),
  ('ALTER TABLE full_t ADD c uuid DEFAULT gen_random_uuid()'),
  ('ALTER TABLE full_t ADD c bigserial'),
  ('ALTER TABLE full_t ADD c bigint GENERATED ALWAYS AS IDENTITY'),
  ('ALTER TABLE full_t ADD c int GENERATED ALWAYS AS (i * 2) STORED'),
  ('ALTER TABLE full_t ADD c dpos'),
  ('ALTER TABLE full_t ADD c dfree DEFAULT 1'),
  ('ALTER TABLE full_t ADD c int NOT NULL DEFAULT 0'),
  ('ALTER TABLE full_t ADD c mood DEFAULT ''calm'''),
  ('ALTER TABLE full_t ADD c int DEFAULT NULL'),
  ('ALTER TABLE full_t ALTER v TYPE varchar(20)'),
  ('ALTER TABLE full_t ALTER v TYPE varchar(10)'),
  ('ALTER TABLE full_t ALTER v TYPE varchar(5)'),
  ('ALTER TABLE full_t ALTER v TYPE text'),
  ('ALTER TABLE full_t ALTER t TYPE varchar'),
  ('ALTER TABLE full_t ALTER t TYPE varchar(100)'),
  ('ALTER TABLE full_t ALTER n TYPE numeric(12,2)'),
  ('ALTER TABLE full_t ALTER n TYPE numeric(12,3)'),
  ('ALTER TABLE full_t ALTER n TYPE numeric'),
  ('ALTER TABLE full_t ALTER i TYPE bigint'),
  ('ALTER TABLE full_t ALTER i TYPE oid'),
  ('ALTER TABLE full_t ALTER i TYPE dfree'),
  ('ALTER TABLE full_t ALTER i TYPE dpos'),
  ('ALTER TABLE full_t ALTER i TYPE int USING i'),
  ('ALTER TABLE full_t ALTER i TYPE int USING i + 0'),
  ('ALTER TABLE full_t ALTER t TYPE varchar USING t::varchar'),
  ('ALTER TABLE full_t ALTER ts TYPE timestamptz'),
  ('ALTER TABLE full_t SET UNLOGGED'),
  ('ALTER TABLE full_t SET LOGGED'),
  ('ALTER TABLE full_t SET ACCESS METHOD heap');
SELECT sql, pg_temp.rewrites(sql) AS postgres_rewrites,
       EXISTS (SELECT FROM pg_temp.lint_case(sql) WHERE rule = 'table-rewrite') AS lint_finds
FROM pg_temp.cases ORDER BY n;
-- timestamp -> timestamptz keeps its bytes when the session's TimeZone is UTC.
SET TimeZone = 'UTC';
SELECT pg_temp.rewrites('ALTER TABLE full_t ALTER ts TYPE timestamptz') AS postgres_rewrites,
       EXISTS (SELECT FROM pg_temp.lint_case('ALTER TABLE full_t ALTER ts TYPE timestamptz')
               WHERE rule = 'table-rewrite') AS lint_finds;
RESET TimeZone;
-- None of it on an empty table.
SELECT count(*) AS findings FROM pg_temp.cases c, pg_temp.lint_case(replace(c.sql, 'full_t', 'empty_t'));

-- What a finding says: the table's rows and size from the catalog, why, and what to do.
SELECT * FROM pg_temp.lint_case('ALTER TABLE full_t ALTER i TYPE bigint');
BEGIN;
SELECT migrate.revision('case1', '{base0}', E'-- widen\nALTER TABLE full_t\n  ALTER i TYPE bigint');
\x on
SELECT * FROM migrate.lint();
\x off
ROLLBACK;
-- Severity: an error from migrate.lint_large_table on, a warning below.
SET migrate.lint_large_table = '32kB';
SELECT * FROM pg_temp.lint_case('ALTER TABLE full_t ALTER i TYPE bigint');
RESET migrate.lint_large_table;
SHOW migrate.lint_large_table;

-- index-not-concurrent
SELECT * FROM pg_temp.lint_case('CREATE INDEX full_e ON full_t (e)');
SELECT * FROM pg_temp.lint_case('CREATE INDEX empty_e ON empty_t (e)');
SELECT * FROM pg_temp.lint_case('CREATE INDEX CONCURRENTLY full_e ON full_t (e)', transactional => false);
-- IF NOT EXISTS of what exists does nothing.
SELECT * FROM pg_temp.lint_case('CREATE INDEX IF NOT EXISTS full_t_i_key ON full_t (i)');
SELECT * FROM pg_temp.lint_case('ALTER TABLE full_t ADD COLUMN IF NOT EXISTS e int NOT NULL');
SELECT * FROM pg_temp.lint_case('ALTER TABLE full_t ADD COLUMN IF NOT EXISTS e2 int NOT NULL');

-- constraint-not-valid: CHECK and FOREIGN KEY without NOT VALID; VALIDATE in
-- the transaction that added it NOT VALID.
SELECT * FROM pg_temp.lint_case('ALTER TABLE full_t ADD CONSTRAINT i_pos CHECK (i > 0)');
SELECT * FROM pg_temp.lint_case('ALTER TABLE full_t ADD CONSTRAINT i_pos CHECK (i > 0) NOT VALID');
SELECT * FROM pg_temp.lint_case('ALTER TABLE empty_t ADD CONSTRAINT i_pos CHECK (i > 0)');
SELECT * FROM pg_temp.lint_case('ALTER TABLE full_t ADD CONSTRAINT i_fk FOREIGN KEY (i) REFERENCES full_t (id)');
SELECT * FROM pg_temp.lint_case('ALTER TABLE full_t ADD CONSTRAINT i_fk FOREIGN KEY (i) REFERENCES full_t (id) NOT VALID');
SELECT * FROM pg_temp.lint_case('ALTER TABLE full_t ADD c int CHECK (c > 0)');
SELECT * FROM pg_temp.lint_case('ALTER TABLE full_t ADD CONSTRAINT i_pos CHECK (i > 0) NOT VALID; '
                                'ALTER TABLE full_t VALIDATE CONSTRAINT i_pos');

-- not-null-scan: SET NOT NULL scans unless a validated CHECK proves it (PostgreSQL 12+).
SELECT * FROM pg_temp.lint_case('ALTER TABLE full_t ALTER i SET NOT NULL');
SELECT * FROM pg_temp.lint_case('ALTER TABLE empty_t ALTER i SET NOT NULL');
SELECT * FROM pg_temp.lint_case('ALTER TABLE full_t ALTER id SET NOT NULL');
SELECT * FROM pg_temp.lint_case('ALTER TABLE checked_t ALTER i SET NOT NULL');
SELECT * FROM pg_temp.lint_case('ALTER TABLE weak_t ALTER i SET NOT NULL');
SELECT * FROM pg_temp.lint_case('ALTER TABLE loose_t ALTER i SET NOT NULL');
-- ... which is what PostgreSQL does: with a NULL hidden behind a CHECK
-- marked validated by hand, SET NOT NULL trusts the CHECK and reads no row.
CREATE TABLE proof_t (i int);
INSERT INTO proof_t VALUES (1), (NULL);
ALTER TABLE proof_t ADD CONSTRAINT i_nn CHECK (i IS NOT NULL) NOT VALID;
ANALYZE proof_t;
SELECT pg_temp.refusal('ALTER TABLE proof_t ALTER i SET NOT NULL');
BEGIN;
UPDATE pg_constraint SET convalidated = true WHERE conrelid = 'proof_t'::regclass;
SELECT * FROM pg_temp.lint_case('ALTER TABLE proof_t ALTER i SET NOT NULL');
ALTER TABLE proof_t ALTER i SET NOT NULL;
ROLLBACK;
DROP TABLE proof_t;

-- unique-without-index
SELECT * FROM pg_temp.lint_case('ALTER TABLE full_t ADD CONSTRAINT full_t_i_unique UNIQUE (i)');
SELECT * FROM pg_temp.lint_case('ALTER TABLE full_t ADD CONSTRAINT full_t_i_unique UNIQUE USING INDEX full_t_i_key');
SELECT * FROM pg_temp.lint_case('ALTER TABLE empty_t ADD PRIMARY KEY (i)');
SELECT * FROM pg_temp.lint_case('ALTER TABLE loose_t ADD PRIMARY KEY (i)');

-- required-column
SELECT * FROM pg_temp.lint_case('ALTER TABLE full_t ADD c int NOT NULL');
SELECT * FROM pg_temp.lint_case('ALTER TABLE full_t ADD c int NOT NULL DEFAULT 0');
SELECT * FROM pg_temp.lint_case('ALTER TABLE empty_t ADD c int NOT NULL');

-- vacuum-full and cluster
SELECT * FROM pg_temp.lint_case('VACUUM FULL full_t', transactional => false);
SELECT * FROM pg_temp.lint_case('VACUUM full_t', transactional => false);
SELECT * FROM pg_temp.lint_case('VACUUM FULL empty_t', transactional => false);
SELECT * FROM pg_temp.lint_case('VACUUM (FULL) full_t, empty_t', transactional => false);
SELECT * FROM pg_temp.lint_case('VACUUM FULL', transactional => false);
SELECT * FROM pg_temp.lint_case('CLUSTER full_t USING full_t_pkey');
SELECT * FROM pg_temp.lint_case('CLUSTER empty_t USING empty_t_pkey');

-- drops and renames of what a running application may use: warnings, also
-- on an empty table; nothing for what the plan itself created.
SELECT * FROM pg_temp.lint_case('DROP TABLE full_t, empty_t');
SELECT * FROM pg_temp.lint_case('DROP TABLE IF EXISTS no_such_table');
SELECT * FROM pg_temp.lint_case('ALTER TABLE full_t DROP COLUMN e');
SELECT * FROM pg_temp.lint_case('ALTER TABLE full_t RENAME TO renamed_t');
SELECT * FROM pg_temp.lint_case('ALTER TABLE full_t RENAME COLUMN e TO f');
SELECT * FROM pg_temp.lint_case('CREATE TABLE fresh (a int, b int); ALTER TABLE fresh RENAME COLUMN a TO c; '
                                'ALTER TABLE fresh DROP COLUMN b; ALTER TABLE fresh RENAME TO fresh2; DROP TABLE fresh2');
SELECT * FROM pg_temp.lint_case('ALTER TABLE full_t ADD draft int; ALTER TABLE full_t DROP COLUMN draft');

-- The plan's own creations have no rows and no readers, across revisions;
-- a renamed table keeps its rows.
BEGIN;
SELECT migrate.revision('p1', '{base0}', 'CREATE TABLE plan_t (id int, v text)');
SELECT migrate.revision('p2', '{p1}', 'CREATE INDEX ON plan_t (v); ALTER TABLE plan_t ALTER id TYPE bigint; '
                        'ALTER TABLE plan_t ADD PRIMARY KEY (id); ALTER TABLE plan_t ALTER v SET NOT NULL');
SELECT migrate.revision('p3', '{p2}', 'ALTER TABLE full_t RENAME TO moved_t; CREATE INDEX ON moved_t (e)');
SELECT revision, statement, rule, object FROM migrate.lint();
ROLLBACK;

-- A CHECK the plan adds NOT VALID and validates in a later revision lets SET
-- NOT NULL skip its scan. Under upgrade() (one transaction) the validation
-- holds the lock ADD CONSTRAINT took; with a transactional => false
-- revision in the plan, it runs under CALL migrate.run(), which commits in between.
BEGIN;
SELECT migrate.revision('v1', '{base0}', 'ALTER TABLE full_t ADD CONSTRAINT i_nn CHECK (i IS NOT NULL) NOT VALID');
SELECT migrate.revision('v2', '{v1}', 'ALTER TABLE full_t VALIDATE CONSTRAINT i_nn');
SELECT migrate.revision('v3', '{v2}', 'ALTER TABLE full_t ALTER i SET NOT NULL');
SELECT revision, statement, rule, object FROM migrate.lint();
SELECT migrate.revision('v4', '{v3}', 'CREATE INDEX CONCURRENTLY full_t_e ON full_t (e)', transactional => false);
SELECT revision, statement, rule, object FROM migrate.lint();
ROLLBACK;

-- enum-value-in-transaction: PostgreSQL refuses a value added by ALTER TYPE
-- ... ADD VALUE until it is committed (55P04).
SELECT * FROM pg_temp.lint_case($$ALTER TYPE mood ADD VALUE 'sleepy'; SELECT 'sleepy'::mood$$);
SELECT * FROM pg_temp.lint_case($$ALTER TYPE mood ADD VALUE 'sleepy'; SELECT 'calm'::mood$$);
BEGIN;
SELECT migrate.revision('m1', '{base0}', $$ALTER TYPE mood ADD VALUE 'sleepy'$$);
SELECT migrate.revision('m2', '{m1}', $$ALTER TABLE full_t ADD m mood DEFAULT 'sleepy'$$);
SELECT revision, statement, rule, severity, object, message FROM migrate.lint();
-- With a commit between them (CALL migrate.run()) it works.
SELECT migrate.revision('m3', '{m2}', 'CREATE INDEX CONCURRENTLY full_t_e ON full_t (e)', transactional => false);
SELECT revision, statement, rule, object FROM migrate.lint();
ROLLBACK;

-- syntax-error and not-analyzed (a row written to the catalog directly can
-- hold anything; a function the plan has not created yet).
BEGIN;
SELECT migrate.revision('s1', '{base0}', 'ALTER TABLE full_t ADD z int DEFAULT no_such_function()');
SELECT migrate.revision('s2', '{s1}', 'SELECT 1');
UPDATE migrate.revisions SET upgrade_sql = E'SELECT 1;\nSELEC 2;' WHERE id = 's2';
SELECT revision, statement, line, rule, severity, object, message FROM migrate.lint();
-- The transaction is still usable.
SELECT 1 AS still_usable;
ROLLBACK;

-- Silencing: lint_ignore, per revision; not part of the checksum, so it may
-- change once applied; unknown rules are refused.
BEGIN;
SELECT migrate.revision('q1', '{base0}', 'ALTER TABLE full_t ALTER i TYPE bigint; CREATE INDEX ON full_t (e)',
                        lint_ignore => '{table-rewrite}');
SELECT migrate.revision('q2', '{q1}', 'ALTER TABLE full_t ALTER n TYPE bigint');
SELECT revision, statement, rule FROM migrate.lint();
SELECT lint_ignore FROM migrate.revisions WHERE id = 'q1';
ROLLBACK;
SELECT pg_temp.refusal($$SELECT migrate.revision('q1', '{base0}', 'SELECT 1', lint_ignore => '{table-rewrites}')$$);
SELECT pg_temp.refusal($$SELECT migrate.revision('q1', '{base0}', 'SELECT 1', lint_ignore => NULL)$$);
SELECT pg_temp.refusal($$SELECT migrate.revision('q1', '{base0}', 'SELECT 1', lint_ignore => '{cluster,cluster}')$$);
SELECT checksum AS base0_checksum FROM migrate.revisions WHERE id = 'base0' \gset
SELECT migrate.revision('base0', '{}', 'SELECT 1', lint_ignore => '{drop-table}');
SELECT lint_ignore, checksum = :'base0_checksum' AS same_checksum FROM migrate.revisions WHERE id = 'base0';

-- Targets as plan() takes them; an unknown one is refused.
SELECT pg_temp.refusal($$SELECT * FROM migrate.lint('nope')$$);
SELECT pg_temp.refusal($$SELECT * FROM migrate.lint(NULL)$$);
SELECT count(*) AS nothing_pending FROM migrate.lint();

-- Linting changes nothing the caller can see: no lock on its tables, no
-- transaction id, its settings, the catalog, also when the SQL is broken.
CREATE FUNCTION pg_temp.state() RETURNS text LANGUAGE sql AS $fn$
SELECT concat_ws(' | ',
  (SELECT string_agg(l.locktype || ' ' || coalesce(l.relation::regclass::text, l.objid::text) || ' ' || l.mode, ', '
                     ORDER BY 1)
   FROM pg_locks l
   WHERE l.pid = pg_backend_pid() AND (l.locktype = 'advisory' OR (l.locktype = 'relation'
         AND l.relation IN (SELECT c.oid FROM pg_class c
                            WHERE c.relnamespace NOT IN ('pg_catalog'::regnamespace, 'migrate'::regnamespace))))),
  coalesce(pg_current_xact_id_if_assigned()::text, 'no xid'),
  current_setting('search_path'), current_setting('TimeZone'), current_setting('DateStyle'),
  current_setting('migrate.lint'),
  (SELECT string_agg(id || ':' || checksum, ',' ORDER BY id) FROM migrate.revisions),
  (SELECT string_agg(version_num, ',') FROM migrate.version),
  (SELECT count(*) FROM migrate.journal)::text,
  (SELECT string_agg(relname || '=' || relfilenode, ',' ORDER BY relname) FROM pg_class
   WHERE relname IN ('full_t', 'empty_t', 'checked_t')))
$fn$;
BEGIN;
SELECT migrate.revision('n1', '{base0}', 'ALTER TABLE full_t ALTER i TYPE bigint; CREATE INDEX ON full_t (e); '
                        'ALTER TABLE checked_t ALTER i SET NOT NULL; VACUUM FULL full_t', transactional => false);
SELECT migrate.revision('n2', '{n1}', 'ALTER TABLE full_t ADD z int DEFAULT no_such_function()');
SELECT migrate.revision('n3', '{n2}', 'SELECT 1');
UPDATE migrate.revisions SET upgrade_sql = 'SELEC 1' WHERE id = 'n3';
SAVEPOINT s;
SELECT pg_temp.state() AS before \gset
SELECT count(*) AS findings FROM migrate.lint();
SELECT pg_temp.state() = :'before' AS unchanged;
ROLLBACK TO SAVEPOINT s;
SELECT pg_temp.state() = :'before' AS unchanged_after_savepoint;
ROLLBACK;

-- The setting migrate.lint in upgrade(): off, warn (the default), error.
SHOW migrate.lint;
SELECT migrate.revision('u1', '{base0}', 'ALTER TABLE full_t ALTER i TYPE bigint', 'ALTER TABLE full_t ALTER i TYPE int');
SELECT migrate.revision('u2', '{u1}', 'ALTER TABLE full_t ADD c int NOT NULL DEFAULT 0', 'ALTER TABLE full_t DROP c');
SET migrate.lint = 'off';
BEGIN;
SELECT revision FROM migrate.upgrade();
ROLLBACK;
SET migrate.lint = 'warn';
BEGIN;
SELECT revision FROM migrate.upgrade();
ROLLBACK;
-- error: a finding of severity error refuses the plan before anything runs
-- (55M01)...
SET migrate.lint = 'error';
SET migrate.lint_large_table = '32kB';
SELECT pg_temp.refusal($$SELECT * FROM migrate.upgrade()$$);
SELECT * FROM migrate.current();
-- ... warnings stay warnings...
RESET migrate.lint_large_table;
BEGIN;
SELECT revision FROM migrate.upgrade();
ROLLBACK;
-- ... and a silenced rule does not count.
SET migrate.lint_large_table = '32kB';
SELECT migrate.revision('u1', '{base0}', 'ALTER TABLE full_t ALTER i TYPE bigint', 'ALTER TABLE full_t ALTER i TYPE int',
                        lint_ignore => '{table-rewrite}');
BEGIN;
SELECT revision FROM migrate.upgrade();
ROLLBACK;
RESET migrate.lint_large_table;
SELECT pg_temp.refusal($$SET migrate.lint = 'loud'$$);
-- A no-op upgrade lints nothing; a clean plan runs silently under error.
SELECT count(*) FROM migrate.upgrade('base0');
SELECT count(*) FROM migrate.upgrade('u2');

-- ... and in CALL migrate.run().
SELECT migrate.revision('u3', '{u2}', 'CREATE INDEX u3_e ON full_t (e)', 'DROP INDEX u3_e');
SET migrate.lint_large_table = '32kB';
CALL migrate.run();
SELECT * FROM migrate.current();
SET migrate.lint = 'warn';
CALL migrate.run();
SELECT * FROM migrate.current();
SET migrate.lint = 'off';
SELECT migrate.revision('u4', '{u3}', 'DROP INDEX u3_e', 'SELECT 1');
CALL migrate.run();
SELECT * FROM migrate.current();
RESET migrate.lint;
RESET migrate.lint_large_table;

DROP EXTENSION migrate;
DROP TABLE full_t, empty_t, checked_t, weak_t, loose_t;
DROP DOMAIN dpos;
DROP DOMAIN dfree;
DROP TYPE mood;
