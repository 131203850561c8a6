-- The C++ / PostgreSQL error boundary: errors cross it intact, the backend
-- survives, and repeated failures leak nothing.
CREATE EXTENSION migrate;
\i test/sql/refusal.sql
SELECT migrate.revision('a1', '{}', 'CREATE TABLE t1 (id int)');

-- An error raised in the C++ core reaches psql with its SQLSTATE, message, DETAIL and HINT.
SELECT pg_temp.refusal($$SELECT migrate.revision('b2', '{nope}', 'SELECT 1')$$);
SELECT pg_temp.refusal($$SELECT * FROM migrate.show('head')$$);
SELECT migrate.revision('b2', '{a1}', 'SELECT 1'), migrate.revision('c3', '{a1}', 'SELECT 2');
SELECT pg_temp.refusal($$SELECT * FROM migrate.show('head')$$);
-- As psql shows it:
SELECT migrate.revision('x1', '{a1}', 'SELECT 1', branch_labels => '{a1}');
SELECT * FROM migrate.show('head');

-- An error raised by PostgreSQL under a C++ frame is converted and reported
-- as PostgreSQL raised it: the parser's syntax error, pointing into the revision's SQL.
SELECT pg_temp.refusal($$SELECT migrate.revision('x1', '{a1}', E'CREATE TABLE ok (id int);\nCREATE TABLE bad (id int,);')$$);
SELECT migrate.revision('x1', '{a1}', E'CREATE TABLE ok (id int);\nCREATE TABLE bad (id int,);');
-- ... and a permission check, for a role that may call the function but not
-- read the tables. The graph this session built above is cached in the
-- backend: it must not answer a role that may not read the catalog.
CREATE ROLE migrate_reader;
SET ROLE migrate_reader;
SELECT pg_temp.refusal($$SELECT * FROM migrate.heads()$$);
SELECT * FROM migrate.heads();
RESET ROLE;

-- The backend survived all of it: the same session goes on working.
SELECT * FROM migrate.heads() ORDER BY 1;
SELECT pg_backend_pid() = pg_backend_pid() AS same_session;

-- 10,000 failing calls in one session keep backend memory flat: each kind of
-- failure (core refusal before SPI, core refusal after SPI queries, parser
-- error under a C++ frame, resolution error) in a loop.
CREATE FUNCTION pg_temp.fail_many(n int) RETURNS void LANGUAGE plpgsql AS $fn$
BEGIN
  FOR i IN 1..n LOOP
    BEGIN
      CASE i % 4
        WHEN 0 THEN PERFORM migrate.revision('bad id ' || i, '{}', 'SELECT 1');
        WHEN 1 THEN PERFORM migrate.revision('x' || i, ARRAY['missing' || i], 'SELECT 1');
        WHEN 2 THEN PERFORM migrate.revision('x' || i, '{a1}', 'CREATE TABL t' || i);
        ELSE PERFORM * FROM migrate.show('nope' || i);
      END CASE;
      RAISE EXCEPTION 'call % did not fail', i;
    EXCEPTION WHEN OTHERS THEN
      IF SQLERRM LIKE 'call % did not fail' THEN RAISE; END IF;
    END;
  END LOOP;
END
$fn$;
-- Memory the backend holds: PostgreSQL's contexts, and the process's anonymous
-- resident memory (where a C++ heap leak would show).
CREATE FUNCTION pg_temp.backend_memory(OUT contexts bigint, OUT rss_anon bigint) LANGUAGE sql AS $fn$
  SELECT (SELECT sum(total_bytes)::bigint FROM pg_backend_memory_contexts),
         (SELECT substring(line FROM '(\d+)')::bigint * 1024
            FROM regexp_split_to_table(pg_read_file('/proc/self/status'), E'\n') AS line
           WHERE line LIKE 'RssAnon:%')
$fn$;
SELECT pg_temp.fail_many(2000);  -- warm up caches and allocator arenas
CREATE TEMP TABLE mem_before AS SELECT * FROM pg_temp.backend_memory();
SELECT pg_temp.fail_many(10000);
CREATE TEMP TABLE mem_after AS SELECT * FROM pg_temp.backend_memory();
-- Growth under 256 kB of contexts and under 1 MB of RSS across 10,000 failures
-- (a leak of 100 bytes per failure would already exceed it).
SELECT a.contexts - b.contexts < 256 * 1024 AS contexts_flat,
       a.rss_anon - b.rss_anon < 1024 * 1024 AS rss_flat
FROM mem_before b, mem_after a;

DROP EXTENSION migrate;
DROP ROLE migrate_reader;
