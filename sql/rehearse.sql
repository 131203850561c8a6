-- migrate.rehearse(): the plan run for real and rolled back. The locks and
-- rewrites of known statements (each rehearsed alone), a whole plan with a
-- merge, a non-transactional revision and a gated one, a failing statement
-- (its real SQLSTATE, CONTEXT naming revision and statement), bad targets
-- (as upgrade() refuses them), and that a rehearsal changes nothing, on
-- success and on failure. Durations are real: shown as `timed` only.
CREATE EXTENSION migrate;
\i test/sql/refusal.sql

CREATE TABLE items (id int PRIMARY KEY, code varchar(10), n int);
INSERT INTO items SELECT g, 'c' || g, g FROM generate_series(1, 50) g;
CREATE INDEX items_code ON items (code);
SELECT migrate.revision('base0', '{}', 'SELECT 1');
SELECT count(*) FROM migrate.upgrade();

-- rehearse_case(sql): registers `sql` as revision case1 on top of base0,
-- rehearses it, and forgets the revision again.
CREATE FUNCTION pg_temp.rehearse_case(sql text, transactional boolean DEFAULT true)
RETURNS TABLE (statement integer, timed boolean, locks text[], rewritten text[], rows bigint, note text)
LANGUAGE plpgsql AS $fn$
DECLARE
  found jsonb;
BEGIN
  BEGIN
    PERFORM migrate.revision('case1', '{base0}', sql, transactional => transactional);
    SELECT jsonb_agg(jsonb_build_array(r.statement, r.duration >= '0', r.locks, r.rewritten, r.rows, r.note)
                     ORDER BY r.statement) INTO found
    FROM migrate.rehearse('case1') r;
    RAISE EXCEPTION USING ERRCODE = 'P0099', MESSAGE = 'undo';
  EXCEPTION WHEN SQLSTATE 'P0099' THEN NULL;
  END;
  RETURN QUERY SELECT (f->>0)::integer, (f->>1)::boolean,
                      CASE WHEN f->>2 IS NOT NULL THEN ARRAY(SELECT jsonb_array_elements_text(f->2)) END,
                      CASE WHEN f->>3 IS NOT NULL THEN ARRAY(SELECT jsonb_array_elements_text(f->3)) END,
                      (f->>4)::bigint, f->>5
               FROM jsonb_array_elements(coalesce(found, '[]')) f;
END
$fn$;

-- Creating a table: its own locks, nothing rewritten.
SELECT * FROM pg_temp.rehearse_case('CREATE TABLE fresh (id int PRIMARY KEY, v text)');
-- ADD COLUMN: a volatile default rewrites the table and its indexes, a
-- constant one does not; both take ACCESS EXCLUSIVE.
SELECT * FROM pg_temp.rehearse_case('ALTER TABLE items ADD c float8 DEFAULT random()');
SELECT * FROM pg_temp.rehearse_case('ALTER TABLE items ADD c int NOT NULL DEFAULT 0');
-- ALTER COLUMN TYPE: int -> bigint rewrites; varchar(10) -> varchar(20) or
-- text keeps the bytes (and the index on the column, re-created on its old
-- storage).
SELECT * FROM pg_temp.rehearse_case('ALTER TABLE items ALTER n TYPE bigint');
SELECT * FROM pg_temp.rehearse_case('ALTER TABLE items ALTER code TYPE varchar(20)');
SELECT * FROM pg_temp.rehearse_case('ALTER TABLE items ALTER code TYPE text');
-- CREATE INDEX: SHARE on the table (writes wait), nothing rewritten.
SELECT * FROM pg_temp.rehearse_case('CREATE INDEX items_n ON items (n)');
-- Rows: what UPDATE, DELETE, INSERT and SELECT affect; NULL for DDL.
SELECT * FROM pg_temp.rehearse_case('UPDATE items SET n = n + 1 WHERE id <= 10; DELETE FROM items WHERE id > 45; '
                                    'INSERT INTO items (id) VALUES (100), (101); SELECT * FROM items WHERE id < 4');
-- A lock held by an earlier statement is not taken again; a rewrite is seen
-- all the same (the second statement rewrites without a new lock).
SELECT * FROM pg_temp.rehearse_case('ALTER TABLE items ADD d int; ALTER TABLE items ALTER d TYPE bigint');
-- TRUNCATE gives new storage; DROP names what it dropped.
SELECT * FROM pg_temp.rehearse_case('TRUNCATE items');
SELECT * FROM pg_temp.rehearse_case('DROP TABLE items');
-- Outside a transaction: listed, not rehearsed.
SELECT * FROM pg_temp.rehearse_case('CREATE INDEX CONCURRENTLY items_n ON items (n); VACUUM items', false);

-- state(): what a rehearsal must leave as it was: the engine's rows, the
-- schema (fingerprint), the data, the storage, the locks of this backend
-- (user relations and advisory), the settings.
CREATE FUNCTION pg_temp.state() RETURNS text LANGUAGE sql AS $fn$
SELECT concat_ws(' | ',
  (SELECT string_agg(version_num, ',' ORDER BY version_num) FROM migrate.version),
  (SELECT count(*) FROM migrate.journal)::text,
  (SELECT md5(string_agg(kind || ' ' || name || ' ' || definition, E'\n' ORDER BY kind, name))
   FROM migrate.fingerprint()),
  (SELECT md5(string_agg(i::text, ',' ORDER BY id)) FROM items i),
  (SELECT string_agg(relname || '=' || relfilenode, ',' ORDER BY relname) FROM pg_class
   WHERE relnamespace = 'public'::regnamespace),
  (SELECT string_agg(l.locktype || ' ' || coalesce(l.relation::regclass::text, l.objid::text) || ' ' || l.mode, ', '
                     ORDER BY 1)
   FROM pg_locks l
   WHERE l.pid = pg_backend_pid() AND (l.locktype = 'advisory' OR (l.locktype = 'relation'
         AND l.relation IN (SELECT c.oid FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace)))),
  current_setting('application_name'), current_setting('search_path'), current_setting('lock_timeout'),
  current_setting('migrate.lint'))
$fn$;

-- A plan: two branches merged (the merge has no statements), a revision
-- outside a transaction (listed, not rehearsed; the later ones still are),
-- a revision gated by a backfill not done (listed), settings changed by a
-- revision (undone with the rest).
SELECT migrate.revision('a1', '{base0}', 'CREATE TABLE tags (id int PRIMARY KEY, name text); '
                        'INSERT INTO tags SELECT g, ''t'' || g FROM generate_series(1, 5) g');
SELECT migrate.revision('b1', '{base0}', 'ALTER TABLE items ADD price numeric(10,2) DEFAULT 0');
SELECT migrate.merge('{a1,b1}', 'join', 'm1');
SELECT migrate.revision('c1', '{m1}', 'CREATE INDEX CONCURRENTLY items_price ON items (price)',
                        transactional => false);
SELECT migrate.revision('d1', '{c1}', 'SET application_name = ''rehearsed''; SET search_path = public; '
                        'SELECT pg_catalog.set_config(''lock_timeout'', ''1s'', false); '
                        'UPDATE public.items SET price = 2 WHERE id <= 3');
SELECT migrate.backfill('fill_price', 'd1', 'UPDATE items SET price = 1 WHERE price = 0');
SELECT migrate.revision('e1', '{d1}', 'ALTER TABLE items ALTER price SET NOT NULL', requires_backfills => '{fill_price}');
SELECT pg_temp.state() AS before \gset
SELECT revision, statement, sql, duration >= '0' AS timed, locks, rewritten, rows, note FROM migrate.rehearse();
SELECT pg_temp.state() = :'before' AS unchanged;
SELECT * FROM migrate.current();
-- In a transaction, with a savepoint: the same.
BEGIN;
SAVEPOINT s;
SELECT pg_temp.state() AS before \gset
SELECT count(*) FROM migrate.rehearse('heads');
SELECT pg_temp.state() = :'before' AS unchanged;
ROLLBACK TO SAVEPOINT s;
COMMIT;
-- The migrate.lint setting neither refuses a rehearsal nor warns: a
-- rehearsal is how to measure what lint suspects.
BEGIN;
SELECT migrate.revision('l1', '{base0}', 'ALTER TABLE items ALTER n TYPE bigint');
SET LOCAL migrate.lint = 'error';
SET LOCAL migrate.lint_large_table = '8kB';
SELECT left(pg_temp.refusal('SELECT * FROM migrate.upgrade(''l1'')'), 73) AS upgrade;
SELECT revision, statement, rewritten FROM migrate.rehearse('l1');
ROLLBACK;

-- A failing statement: the error as PostgreSQL raised it (its SQLSTATE),
-- its CONTEXT naming the revision and the statement, and nothing left.
SELECT migrate.revision('f1', '{e1}', 'CREATE TABLE doomed (id int); INSERT INTO doomed VALUES (1); '
                        'UPDATE items SET n = 0; SELECT 1 / 0');
SELECT pg_temp.state() AS before \gset
\set VERBOSITY default
SELECT * FROM migrate.rehearse();
SELECT pg_temp.state() = :'before' AS unchanged;
SELECT pg_temp.refusal('SELECT * FROM migrate.rehearse()');
-- ... also when the caller catches the error and goes on in its transaction.
BEGIN;
SELECT pg_temp.state() AS before \gset
DO $$
BEGIN
  PERFORM migrate.rehearse();
EXCEPTION WHEN division_by_zero THEN
  RAISE NOTICE 'caught: %', SQLERRM;
END
$$;
SELECT pg_temp.state() = :'before' AS unchanged;
SELECT to_regclass('doomed') IS NULL AS no_doomed, count(*) FILTER (WHERE n = 0) AS zeroed FROM items;
COMMIT;

-- Bad targets: refused as upgrade() refuses them, with the same SQLSTATE.
SELECT pg_temp.refusal('SELECT * FROM migrate.rehearse(''nope'')');
SELECT pg_temp.refusal('SELECT * FROM migrate.rehearse(NULL)');
SELECT migrate.revision('x1', '{base0}', 'SELECT 1');
SELECT pg_temp.refusal('SELECT * FROM migrate.rehearse(''head'')');
SELECT t AS target, split_part(pg_temp.refusal(format('SELECT * FROM migrate.rehearse(%L)', t)), ':', 1) AS sqlstate,
       pg_temp.refusal(format('SELECT * FROM migrate.rehearse(%L)', t))
       = pg_temp.refusal(format('SELECT * FROM migrate.upgrade(%L)', t)) AS same_as_upgrade
FROM unnest(ARRAY['nope', NULL, 'head', 'nolabel@head', '-1', 'f1:x1', 'x1+5']) t;
-- Nothing pending: no rows.
SELECT count(*) FROM migrate.rehearse('base0');
SELECT pg_temp.state() = :'before' AS unchanged;

DROP EXTENSION migrate;
DROP TABLE items;
