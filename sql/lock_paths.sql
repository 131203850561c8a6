-- Which statements of a step run in a subtransaction of their own (so that a
-- lock timeout can be retried) and which run without one because they wait
-- for no lock but their schema's (docs/run.md). A subtransaction that
-- changes the catalog gets a transaction id of its own: the catalog rows a
-- statement wrote (xmin) tell which transaction it ran in.
CREATE EXTENSION migrate;
\i test/sql/refusal.sql
-- 'own' when relation `rel` (or its column `col`) was made in a subtransaction, 'top' when in this transaction itself.
CREATE FUNCTION pg_temp.made_in(rel regclass, col name DEFAULT NULL) RETURNS text LANGUAGE sql AS
  $$SELECT CASE WHEN x::text = (pg_current_xact_id()::text::bigint % 4294967296)::text THEN 'top' ELSE 'own' END
    FROM (SELECT CASE WHEN col IS NULL THEN (SELECT xmin FROM pg_class WHERE oid = rel)
                      ELSE (SELECT xmin FROM pg_attribute WHERE attrelid = rel AND attname = col) END AS x) s$$;
CREATE FUNCTION pg_temp.schema_locks() RETURNS text LANGUAGE sql AS
  $$SELECT coalesce(string_agg(n.nspname || ' ' || l.mode, ', ' ORDER BY n.nspname), '-') FROM pg_locks l
    JOIN pg_namespace n ON n.oid = l.objid
    WHERE l.pid = pg_backend_pid() AND l.locktype = 'object' AND l.classid = 'pg_namespace'::regclass$$;
CREATE TYPE mood AS ENUM ('calm');
CREATE SEQUENCE counter;
CREATE SCHEMA app;

-- Only new objects, built-in types, constant defaults: no subtransaction.
SELECT migrate.revision('p1', '{}', $$CREATE TABLE plain (id int PRIMARY KEY, v text NOT NULL DEFAULT '',
  n bigint DEFAULT -1, ok boolean DEFAULT true, at timestamptz DEFAULT now(), made date DEFAULT CURRENT_DATE,
  tag varchar(20) UNIQUE, s serial, g bigint GENERATED ALWAYS AS IDENTITY, list int[])$$, 'DROP TABLE plain');
SELECT migrate.revision('p2', '{p1}', 'CREATE TABLE app.two (id bigint PRIMARY KEY); CREATE UNLOGGED TABLE three (id int)',
                        'DROP TABLE app.two, three');
-- Each of these may wait for another session's lock: a subtransaction each.
SELECT migrate.revision('s1', '{p2}', 'CREATE TABLE refs (id int REFERENCES plain)', 'DROP TABLE refs');
SELECT migrate.revision('s2', '{s1}', 'CREATE TABLE moods (m mood)', 'DROP TABLE moods');
SELECT migrate.revision('s3', '{s2}', $$CREATE TABLE checked (v text CHECK (v <> ''))$$, 'DROP TABLE checked');
SELECT migrate.revision('s4', '{s3}', $$CREATE TABLE counted (n bigint DEFAULT nextval('counter'))$$, 'DROP TABLE counted');
SELECT migrate.revision('s5', '{s4}', 'CREATE TABLE copied (LIKE plain)', 'DROP TABLE copied');
SELECT migrate.revision('s6', '{s5}', 'CREATE TABLE child () INHERITS (three)', 'DROP TABLE child');
SELECT migrate.revision('s7', '{s6}', 'CREATE TABLE collated (v text COLLATE "C")', 'DROP TABLE collated');
SELECT migrate.revision('s8', '{s7}', 'ALTER TABLE plain ADD extra int', 'ALTER TABLE plain DROP extra');
SELECT migrate.revision('s9', '{s8}', 'CREATE INDEX plain_v ON plain (v)', 'DROP INDEX plain_v');

SET client_min_messages = warning;
BEGIN;
SELECT pg_temp.schema_locks() AS before;
SELECT count(*) AS steps FROM migrate.upgrade('s9');
SELECT pg_temp.schema_locks() AS taken_once_each;
-- (a table's columns: later steps may update its pg_class row)
SELECT r AS relation, pg_temp.made_in(r, c) FROM (VALUES ('plain', 'id'), ('plain_s_seq', NULL), ('plain_pkey', NULL),
  ('app.two', 'id'), ('three', 'id'), ('refs', 'id'), ('moods', 'm'), ('checked', 'v'), ('counted', 'n'),
  ('copied', 'id'), ('child', 'id'), ('collated', 'v'), ('plain', 'extra'), ('plain_v', NULL)) AS t(r, c);
ROLLBACK;

-- With migrate.lock_timeout = 0 nothing is retried: no subtransaction at all.
SET migrate.lock_timeout = 0;
BEGIN;
SELECT count(*) AS steps FROM migrate.upgrade('s9');
SELECT pg_temp.made_in('refs') AS refs, pg_temp.made_in('plain', 'extra') AS plain_extra;
ROLLBACK;
RESET migrate.lock_timeout;
RESET client_min_messages;

-- A user-defined type named like a built-in one comes first on this
-- search_path (pg_catalog after it): the table's column uses it, so the
-- statement may wait, so a subtransaction. With pg_catalog implicitly first,
-- the built-in type wins and no subtransaction is needed.
CREATE DOMAIN app.text AS pg_catalog.text;
SELECT migrate.revision('q1', '{}', 'CREATE TABLE shadowed (v text)', 'DROP TABLE shadowed');
SET search_path = app, pg_catalog, public;
BEGIN;
SELECT revision FROM migrate.upgrade('q1');
SELECT pg_temp.made_in('app.shadowed', 'v'), pg_temp.schema_locks(),
       (SELECT atttypid = 'app.text'::regtype FROM pg_attribute WHERE attrelid = 'app.shadowed'::regclass AND attname = 'v') AS domain_used;
ROLLBACK;
SET search_path = app, public;
BEGIN;
SELECT revision FROM migrate.upgrade('q1');
SELECT pg_temp.made_in('app.shadowed', 'v'), pg_temp.schema_locks(),
       (SELECT atttypid = 'pg_catalog.text'::regtype FROM pg_attribute WHERE attrelid = 'app.shadowed'::regclass AND attname = 'v') AS builtin_used;
ROLLBACK;
RESET search_path;

-- Errors on the path without a subtransaction still name the step.
SELECT migrate.revision('x1', '{}', 'CREATE TABLE plain (id int)', 'DROP TABLE plain');
CREATE TABLE plain (id int);
SELECT pg_temp.refusal($$SELECT * FROM migrate.upgrade('x1')$$);
\set VERBOSITY default
SELECT * FROM migrate.upgrade('x1');
SELECT * FROM migrate.current();

DROP TABLE plain;
DROP EXTENSION migrate;
DROP SCHEMA app CASCADE;
DROP TYPE mood;
DROP SEQUENCE counter;
