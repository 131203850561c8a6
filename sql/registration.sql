-- migrate.revision(): registration, idempotence, updates and every refusal.
CREATE EXTENSION migrate;
\i test/sql/refusal.sql
\pset format unaligned
\pset tuples_only on

SELECT migrate.revision('a1', '{}', 'CREATE TABLE t1 (id int)', 'DROP TABLE t1', 'create t1');
SELECT migrate.revision('b2', '{a1}', 'CREATE TABLE t2 (id int)', 'DROP TABLE t2', 'create t2', '{feature}');
SELECT migrate.revision('c3', '{a1}', 'CREATE TABLE t3 (id int)', NULL, 'create t3 (irreversible)');
SELECT migrate.revision('20260221_01_add_user_tables', '{c3}', 'CREATE TABLE users (id int)');
SELECT migrate.revision('ae1027a6acf', '{}', 'CREATE TABLE other (id int)', branch_labels => '{other}');

-- Loading the same content again is a no-op: same checksum, same created_at.
CREATE TEMP TABLE before AS SELECT id, checksum, created_at FROM migrate.revisions;
SELECT migrate.revision('b2', '{a1}', 'CREATE TABLE t2 (id int)', 'DROP TABLE t2', 'create t2', '{feature}');
SELECT count(*) AS unchanged FROM migrate.revisions r JOIN before b USING (id, checksum, created_at);

-- The checksum is PostgreSQL's sha256, hex; it covers the content.
SELECT id, length(checksum) AS hex_chars, checksum ~ '^[0-9a-f]{64}$' AS is_hex FROM migrate.revisions ORDER BY id;

-- Different content for a pending revision updates it.
SELECT migrate.revision('c3', '{a1}', 'CREATE TABLE t3 (id bigint)', 'DROP TABLE t3', 'create t3, reversible now');
SELECT id, upgrade_sql, downgrade_sql, message, checksum <> (SELECT checksum FROM before WHERE id = 'c3') AS new_checksum
FROM migrate.revisions WHERE id = 'c3';

-- NULLs are refused, each naming its argument.
SELECT pg_temp.refusal($$SELECT migrate.revision(NULL, '{}', 'SELECT 1')$$);
SELECT pg_temp.refusal($$SELECT migrate.revision('x1', NULL, 'SELECT 1')$$);
SELECT pg_temp.refusal($$SELECT migrate.revision('x1', '{}', NULL)$$);
SELECT pg_temp.refusal($$SELECT migrate.revision('x1', '{}', 'SELECT 1', message => NULL)$$);
SELECT pg_temp.refusal($$SELECT migrate.revision('x1', '{}', 'SELECT 1', branch_labels => NULL)$$);
SELECT pg_temp.refusal($$SELECT migrate.revision('x1', '{}', 'SELECT 1', depends_on => NULL)$$);
SELECT pg_temp.refusal($$SELECT migrate.revision('x1', '{}', 'SELECT 1', transactional => NULL)$$);
SELECT pg_temp.refusal($$SELECT migrate.revision('x1', ARRAY['a1', NULL], 'SELECT 1')$$);
SELECT pg_temp.refusal($$SELECT migrate.revision('x1', '{a1}', 'SELECT 1', depends_on => ARRAY[NULL::text])$$);
SELECT pg_temp.refusal($$SELECT migrate.revision('x1', '{a1}', 'SELECT 1', branch_labels => ARRAY[NULL::text])$$);
SELECT pg_temp.refusal($$SELECT migrate.revision('x1', '{{a1}}', 'SELECT 1')$$);

-- Ids and labels: [A-Za-z0-9_]{1,128}, not a target keyword.
SELECT pg_temp.refusal($$SELECT migrate.revision('', '{}', 'SELECT 1')$$);
SELECT pg_temp.refusal($$SELECT migrate.revision('add-users', '{}', 'SELECT 1')$$);
SELECT pg_temp.refusal($$SELECT migrate.revision('a1@x', '{}', 'SELECT 1')$$);
SELECT pg_temp.refusal($$SELECT migrate.revision('ünïcode', '{}', 'SELECT 1')$$);
-- A 10 MB id is quoted in 200 bytes, as is any refused name.
SELECT pg_temp.refusal($$SELECT migrate.revision(repeat('r', 10000000) || '-', '{}', 'SELECT 1')$$);
SELECT pg_temp.refusal($$SELECT migrate.revision('x1', ARRAY[repeat('p', 5000) || '.'], 'SELECT 1')$$);
SELECT pg_temp.refusal($$SELECT migrate.revision('x1', '{}', 'SELECT 1', depends_on => ARRAY[repeat('d', 300) || ' '])$$);
SELECT pg_temp.refusal($$SELECT migrate.revision('x1', '{}', 'SELECT 1', branch_labels => ARRAY[repeat('l', 300) || '@'])$$);
SELECT pg_temp.refusal($$SELECT migrate.backfill(repeat('n', 5000), 'a1', 'DELETE FROM t')$$);
SELECT pg_temp.refusal(format('SELECT migrate.revision(%L, %L, %L)', repeat('a', 129), '{}', 'SELECT 1'));
SELECT migrate.revision(repeat('a', 128), '{}', 'SELECT 1') = repeat('a', 128) AS max_length_ok;
SELECT pg_temp.refusal($$SELECT migrate.revision('head', '{}', 'SELECT 1')$$);
SELECT pg_temp.refusal($$SELECT migrate.revision('base', '{}', 'SELECT 1')$$);
SELECT pg_temp.refusal($$SELECT migrate.revision('x1', '{a1}', 'SELECT 1', branch_labels => '{bad-label}')$$);
SELECT pg_temp.refusal($$SELECT migrate.revision('x1', '{a1}', 'SELECT 1', branch_labels => '{heads}')$$);

-- The graph: parents and dependencies must exist, no self-loop, no cycle.
SELECT pg_temp.refusal($$SELECT migrate.revision('x1', '{nope}', 'SELECT 1')$$);
SELECT pg_temp.refusal($$SELECT migrate.revision('x1', '{a1}', 'SELECT 1', depends_on => '{nope}')$$);
SELECT pg_temp.refusal($$SELECT migrate.revision('x1', '{x1}', 'SELECT 1')$$);
SELECT pg_temp.refusal($$SELECT migrate.revision('x1', '{a1}', 'SELECT 1', depends_on => '{x1}')$$);
SELECT pg_temp.refusal($$SELECT migrate.revision('x1', '{a1,a1}', 'SELECT 1')$$);
-- A pending revision updated to descend from its own descendant closes a cycle.
SELECT pg_temp.refusal($$SELECT migrate.revision('a1', '{20260221_01_add_user_tables}', 'CREATE TABLE t1 (id int)')$$);
SELECT pg_temp.refusal($$SELECT migrate.revision('a1', '{}', 'CREATE TABLE t1 (id int)', depends_on => '{b2}')$$);
SELECT pg_temp.refusal($$SELECT migrate.revision('a1', '{}', 'CREATE TABLE t1 (id int)', depends_on => '{feature}')$$);
SELECT down_revisions, depends_on FROM migrate.revisions WHERE id = 'a1';

-- depends_on may name a branch label.
SELECT migrate.revision('d4', '{c3}', 'CREATE TABLE t4 (id int)', depends_on => '{feature}');

-- Branch labels: unique, and never a revision id (in either order).
SELECT pg_temp.refusal($$SELECT migrate.revision('x1', '{a1}', 'SELECT 1', branch_labels => '{feature}')$$);
SELECT pg_temp.refusal($$SELECT migrate.revision('x1', '{a1}', 'SELECT 1', branch_labels => '{a1}')$$);
SELECT pg_temp.refusal($$SELECT migrate.revision('x1', '{a1}', 'SELECT 1', branch_labels => '{x1}')$$);
SELECT pg_temp.refusal($$SELECT migrate.revision('feature', '{a1}', 'SELECT 1')$$);
SELECT pg_temp.refusal($$SELECT migrate.revision('x1', '{a1}', 'SELECT 1', branch_labels => '{l1,l1}')$$);
-- Updating a pending revision to take a label another revision holds.
SELECT pg_temp.refusal($$SELECT migrate.revision('c3', '{a1}', 'CREATE TABLE t3 (id bigint)', 'DROP TABLE t3', 'create t3, reversible now', '{other}')$$);

-- Upgrade SQL: present, parseable, and able to run inside one transaction.
SELECT pg_temp.refusal($$SELECT migrate.revision('x1', '{a1}', '')$$);
SELECT pg_temp.refusal($$SELECT migrate.revision('x1', '{a1}', E'  \n ')$$);
SELECT pg_temp.refusal($$SELECT migrate.revision('x1', '{a1}', '-- nothing but a comment')$$);
SELECT pg_temp.refusal($$SELECT migrate.revision('x1', '{a1}', 'CREATE TABL t (id int)')$$);
SELECT pg_temp.refusal($$SELECT migrate.revision('x1', '{a1}', 'SELECT 1', 'DROP TABL t')$$);
SELECT pg_temp.refusal($$SELECT migrate.revision('x1', '{a1}', E'CREATE TABLE t (id int);\nCOMMIT;')$$);
SELECT pg_temp.refusal($$SELECT migrate.revision('x1', '{a1}', 'BEGIN; CREATE TABLE t (id int); END')$$);
SELECT pg_temp.refusal($$SELECT migrate.revision('x1', '{a1}', 'SAVEPOINT s')$$);
SELECT pg_temp.refusal($$SELECT migrate.revision('x1', '{a1}', E'CREATE TABLE t (id int);\n\nCREATE INDEX CONCURRENTLY t_id ON t (id);')$$);
SELECT pg_temp.refusal($$SELECT migrate.revision('x1', '{a1}', 'DROP INDEX CONCURRENTLY t_id')$$);
SELECT pg_temp.refusal($$SELECT migrate.revision('x1', '{a1}', 'REINDEX TABLE CONCURRENTLY t')$$);
SELECT pg_temp.refusal($$SELECT migrate.revision('x1', '{a1}', 'VACUUM t')$$);
SELECT pg_temp.refusal($$SELECT migrate.revision('x1', '{a1}', 'CREATE DATABASE other')$$);
SELECT pg_temp.refusal($$SELECT migrate.revision('x1', '{a1}', 'ALTER SYSTEM SET work_mem = ''8MB''')$$);
SELECT pg_temp.refusal($$SELECT migrate.revision('x1', '{a1}', 'COPY t FROM STDIN')$$);
SELECT pg_temp.refusal($$SELECT migrate.revision('x1', '{a1}', 'SELECT 1', 'VACUUM t')$$);
-- ANALYZE and a plain CREATE INDEX run fine in a transaction.
SELECT migrate.revision('e5', '{d4}', 'CREATE INDEX t4_id ON t4 (id); ANALYZE t4', 'DROP INDEX t4_id');
-- transactional => false revisions may hold them (they are for the non-atomic runner).
SELECT migrate.revision('f6', '{e5}', 'CREATE INDEX CONCURRENTLY t4_id2 ON t4 (id)', 'DROP INDEX CONCURRENTLY t4_id2', transactional => false);
-- A merge revision needs no upgrade SQL.
SELECT migrate.revision('m7', '{b2,f6}', '', message => 'merge feature');

-- A refusal changes nothing.
SELECT count(*) AS revisions FROM migrate.revisions;

-- Applied revisions are immutable (checksum mismatch); pending ones still change.
INSERT INTO migrate.version VALUES ('d4');
SELECT pg_temp.refusal($$SELECT migrate.revision('c3', '{a1}', 'CREATE TABLE t3 (id int)')$$);
SELECT pg_temp.refusal($$SELECT migrate.revision('b2', '{a1}', 'CREATE TABLE t2 (id int)', 'DROP TABLE t2', 'create t2 again', '{feature}')$$);
SELECT migrate.revision('e5', '{d4}', 'CREATE INDEX t4_id ON t4 (id)', 'DROP INDEX t4_id');
SELECT migrate.revision('c3', '{a1}', 'CREATE TABLE t3 (id bigint)', 'DROP TABLE t3', 'create t3, reversible now') AS same_content_is_fine;
DELETE FROM migrate.version;

-- Registration order is kept, also within one transaction.
SELECT string_agg(id, ' ' ORDER BY created_at, id) FROM migrate.revisions;

-- One statement can load a whole chain: each call sees the revisions the
-- calls before it registered.
SELECT count(migrate.revision('bulk' || i, CASE WHEN i = 1 THEN '{}'::text[] ELSE ARRAY['bulk' || (i - 1)] END,
                              'CREATE TABLE bulk_' || i || ' (id int)'))
FROM generate_series(1, 200) i;
SELECT count(*) FROM migrate.revisions WHERE id LIKE 'bulk%';

-- The catalog is dumped by pg_dump.
SELECT unnest(extconfig)::regclass FROM pg_extension WHERE extname = 'migrate' ORDER BY 1::text;

DROP EXTENSION migrate;
