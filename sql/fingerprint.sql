-- migrate.fingerprint(): the schema as rows, every kind of object; never the
-- migrate schema, what belongs to an extension, temporary or system objects;
-- the same rows whatever the session's settings. migrate.drift(): what
-- changed by hand since the engine last moved the database. Neither changes
-- anything the caller can see.
CREATE EXTENSION migrate;
\i test/sql/refusal.sql

-- Schemas and extensions (the suites share one database: other suites'
-- tables in public are left out of what this one prints).
SELECT * FROM migrate.fingerprint() WHERE kind IN ('schema', 'extension');

CREATE SCHEMA app;
CREATE SCHEMA ext;
CREATE EXTENSION citext SCHEMA ext;
CREATE TYPE app.mood AS ENUM ('calm', 'busy');
CREATE TYPE app.pair AS (a int, b text);
CREATE DOMAIN app.positive AS int DEFAULT 1 NOT NULL CONSTRAINT positive_check CHECK (VALUE > 0);
CREATE TYPE app.span AS RANGE (subtype = float8);
CREATE SEQUENCE app.counter START 10 INCREMENT 5;
CREATE TABLE app.customers (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  email ext.citext NOT NULL UNIQUE,
  name text COLLATE "C",
  mood app.mood DEFAULT 'calm');
CREATE TABLE app.orders (
  id serial PRIMARY KEY,
  customer bigint REFERENCES app.customers (id),
  total numeric(12,2) NOT NULL DEFAULT 0 CHECK (total >= 0),
  qty app.positive,
  placed date DEFAULT '2024-01-02',
  at timestamptz DEFAULT '2024-01-02 03:04:05+00',
  doubled numeric GENERATED ALWAYS AS (total * 2) STORED);
ALTER TABLE app.orders ADD CONSTRAINT big_total CHECK (total < 1000000) NOT VALID;
CREATE INDEX orders_placed_idx ON app.orders (placed) WHERE total > 0;
CREATE UNLOGGED TABLE app.scratch (x int) WITH (fillfactor = 70);
CREATE TABLE app.child (y int) INHERITS (app.scratch);
CREATE TABLE app.events (at date NOT NULL, kind text) PARTITION BY RANGE (at);
CREATE TABLE app.events_2024 PARTITION OF app.events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE VIEW app.big_orders AS SELECT id, total FROM app.orders WHERE total > 100;
CREATE MATERIALIZED VIEW app.totals AS SELECT customer, sum(total) AS total FROM app.orders GROUP BY customer;
CREATE FUNCTION app.touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
CREATE PROCEDURE app.noop(n int) LANGUAGE sql AS $$SELECT n$$;
CREATE AGGREGATE app.total_sum (numeric) (SFUNC = numeric_add, STYPE = numeric, INITCOND = '0');
CREATE TRIGGER orders_touch BEFORE UPDATE ON app.orders FOR EACH ROW EXECUTE FUNCTION app.touch();
ALTER TABLE app.orders ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_orders ON app.orders FOR SELECT TO PUBLIC USING (customer > 0);
-- Left out: temporary objects, the migrate schema (citext's type and
-- functions in ext belong to the extension: only the extension shows).
CREATE TEMP TABLE temp_t (x int);
CREATE TABLE migrate.local_notes (x int);

SELECT * FROM migrate.fingerprint() WHERE name NOT LIKE 'public.%';
SELECT count(*) AS citext_objects FROM migrate.fingerprint() WHERE kind <> 'column' AND definition LIKE '%citext%';

-- The same rows whatever the session's settings: search_path, DateStyle,
-- TimeZone, quoting... (they change how PostgreSQL prints definitions).
SELECT md5(string_agg(concat_ws('|', kind, name, definition), E'\n' ORDER BY kind, name)) AS fingerprint
FROM migrate.fingerprint() \gset
SET search_path = app, ext, public;
SET DateStyle = 'SQL, DMY';
SET TimeZone = 'Asia/Tokyo';
SET IntervalStyle = 'sql_standard';
SET extra_float_digits = 0;
SET quote_all_identifiers = on;
SELECT md5(string_agg(concat_ws('|', kind, name, definition), E'\n' ORDER BY kind, name)) = :'fingerprint'
       AS same_fingerprint
FROM migrate.fingerprint();
-- ... and the session's own settings are back afterwards.
SHOW search_path;
SHOW DateStyle;
SHOW TimeZone;
SHOW quote_all_identifiers;
RESET ALL;

-- Fingerprinting changes nothing the caller can see.
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
  current_setting('extra_float_digits'), current_setting('quote_all_identifiers'),
  (SELECT string_agg(version_num, ',') FROM migrate.version),
  (SELECT count(*) FROM migrate.journal)::text,
  (SELECT concat(count(*), ' ', md5(string_agg(concat(kind, name, definition), ',' ORDER BY kind, name)))
   FROM migrate.schema_fingerprint),
  (SELECT concat(hash, recorded_at) FROM migrate.schema_fingerprint_state))
$fn$;
BEGIN;
SET LOCAL TimeZone = 'Asia/Tokyo';
SET LOCAL search_path = app, public;
SELECT pg_temp.state() AS before \gset
SELECT count(*) > 40 AS many_rows FROM migrate.fingerprint();
SELECT pg_temp.state() = :'before' AS unchanged;
ROLLBACK;

-- drift(): nothing to compare with before the engine first moved the database.
SELECT pg_temp.refusal($$SELECT * FROM migrate.drift()$$);
SELECT migrate.revision('a1', '{}', 'CREATE TABLE app.items (id int PRIMARY KEY, name text)', 'DROP TABLE app.items');
SELECT migrate.revision('b2', '{a1}', 'ALTER TABLE app.items ADD price numeric', 'ALTER TABLE app.items DROP price');
SELECT migrate.revision('c3', '{b2}', 'CREATE INDEX CONCURRENTLY items_price_idx ON app.items (price)',
                        'DROP INDEX app.items_price_idx', transactional => false);
SELECT revision FROM migrate.upgrade('a1');
-- Right after a move: no drift; the stored rows are the fingerprint.
SELECT * FROM migrate.drift();
SELECT (SELECT count(*) FROM migrate.schema_fingerprint) = (SELECT count(*) FROM migrate.fingerprint()) AS all_stored;
SELECT version_rows, recorded_by = current_user AS by_me FROM migrate.schema_fingerprint_state;

-- Out of band: a column, an index, a default and a view, by hand.
ALTER TABLE app.items ADD COLUMN note text;
CREATE INDEX items_name_idx ON app.items (name);
ALTER TABLE app.orders ALTER total SET DEFAULT 1;
DROP VIEW app.big_orders;
SELECT * FROM migrate.drift();
-- Rolled back, gone from drift() too.
BEGIN;
DROP TABLE app.scratch CASCADE;
SELECT kind, name, change FROM migrate.drift() WHERE name LIKE 'app.scratch%' OR name LIKE 'app.child%';
ROLLBACK;
SELECT count(*) AS drifted FROM migrate.drift();

-- drift() changes nothing the caller can see either.
BEGIN;
SELECT pg_temp.state() AS before \gset
SELECT count(*) AS drifted FROM migrate.drift();
SELECT pg_temp.state() = :'before' AS unchanged;
ROLLBACK;

-- A no-op upgrade records nothing (nothing moved, nothing taken): the drift stays.
SELECT pg_temp.state() AS before \gset
SELECT count(*) FROM migrate.upgrade('a1');
SELECT pg_temp.state() = :'before' AS untouched;

-- The next move takes the schema as it is: drift is relative to the last
-- move. Only the rows that changed are written.
CREATE TEMP TABLE stored AS SELECT kind, name, xmin::text AS written FROM migrate.schema_fingerprint;
SELECT revision FROM migrate.upgrade('b2');
SELECT * FROM migrate.drift();
SELECT f.kind, f.name FROM migrate.schema_fingerprint f
LEFT JOIN stored s ON (s.kind, s.name, s.written) = (f.kind, f.name, f.xmin::text)
WHERE s.name IS NULL ORDER BY 1, 2;
SELECT version_rows FROM migrate.schema_fingerprint_state;

-- A downgrade records too.
DROP INDEX app.items_name_idx;
SELECT kind, name, change FROM migrate.drift();
SELECT revision FROM migrate.downgrade('a1');
SELECT * FROM migrate.drift();
-- A move rolled back leaves the record as it was.
CREATE TABLE app.by_hand (x int);
BEGIN;
SELECT revision FROM migrate.downgrade('base');
SELECT count(*) AS drifted FROM migrate.drift();
ROLLBACK;
SELECT kind, name, change FROM migrate.drift();
-- stamp() where the database is takes the schema as it is as the reference.
SELECT migrate.stamp('a1');
SELECT * FROM migrate.drift();
SELECT version_rows FROM migrate.schema_fingerprint_state;
-- CALL migrate.run() records at each revision it commits.
CALL migrate.run();
SELECT * FROM migrate.drift();
SELECT version_rows FROM migrate.schema_fingerprint_state;
SELECT name FROM migrate.schema_fingerprint WHERE kind = 'index' AND name LIKE 'app.items%' ORDER BY 1;

DROP TABLE migrate.local_notes;
DROP EXTENSION migrate;
DROP SCHEMA app, ext CASCADE;
