-- upgrade(), downgrade(), stamp(), plan(), merge(): the engine, atomic and in
-- the caller's transaction.
CREATE EXTENSION migrate;
\i test/sql/refusal.sql

-- a1 -- b2 ------ m4 (merge) -- e5
--    \- c3 (feature) -/
-- x1 (another base, label "aux") -- x2 depends on b2
SELECT migrate.revision('a1', '{}', 'CREATE TABLE t1 (id int)', 'DROP TABLE t1', 'create t1') \gset
SELECT migrate.revision('b2', '{a1}', 'CREATE TABLE t2 (id int)', 'DROP TABLE t2', 'create t2') \gset
SELECT migrate.revision('c3', '{a1}', 'CREATE TABLE t3 (id int)', 'DROP TABLE t3', 'create t3', '{feature}') \gset
SELECT migrate.revision('x1', '{}', 'CREATE SCHEMA aux', 'DROP SCHEMA aux', 'aux schema', '{aux}') \gset
SELECT migrate.revision('x2', '{x1}', 'CREATE TABLE aux.t (id int)', 'DROP TABLE aux.t', 'aux table', depends_on => '{b2}') \gset

-- Several heads: 'head' is refused, naming them.
SELECT pg_temp.refusal($$SELECT * FROM migrate.upgrade()$$);
SELECT pg_temp.refusal($$SELECT * FROM migrate.upgrade('head')$$);

-- plan() says what would run, runs nothing.
SELECT * FROM migrate.plan('feature@head');
SELECT * FROM migrate.current();

-- Upgrade one branch by label; a NOTICE and a row per step.
SELECT revision, direction, message, duration >= '0' AS timed FROM migrate.upgrade('feature@head');
SELECT * FROM migrate.current();
-- A dependency is brought in first: x2 needs b2 (and a1, already there).
SELECT revision, direction FROM migrate.upgrade('aux@head');
-- current() is what `alembic current` prints: b2 too, which x2 depends on;
-- the rows themselves are migrate.version.
SELECT * FROM migrate.current();
SELECT version_num FROM migrate.version ORDER BY 1;
SELECT to_regclass('aux.t') IS NOT NULL AS aux_t_exists, to_regclass('t2') IS NOT NULL AS t2_exists;

-- Already there: nothing to do.
SELECT count(*) AS steps FROM migrate.upgrade('aux@head');

-- A merge joins the two main-line heads.
SELECT migrate.merge('{b2, c3}', 'merge feature', 'm4');
SELECT revision, direction, message FROM migrate.upgrade('m4');
SELECT * FROM migrate.current();
SELECT migrate.revision('e5', '{m4}', 'CREATE TABLE t5 (id int)', 'DROP TABLE t5', 'create t5') \gset
SELECT revision FROM migrate.upgrade('heads');
SELECT * FROM migrate.current();

-- Downgrade to b2: what stands on b2 goes (e5, then the merge m4, which gives
-- back the c3 row); c3's own branch stays, and b2 stays implied by x2.
SELECT revision, direction FROM migrate.downgrade('b2');
SELECT * FROM migrate.current();
SELECT to_regclass('t3') IS NULL AS t3_dropped, to_regclass('t5') IS NULL AS t5_dropped;
SELECT revision, direction FROM migrate.upgrade('e5');
-- Relative: -1 from e5 is m4; +1 from there is e5 again.
SELECT revision, direction FROM migrate.downgrade('-1');
SELECT * FROM migrate.current();
-- +1 is ambiguous with two version rows; rev+N is not.
SELECT pg_temp.refusal($$SELECT * FROM migrate.upgrade('+1')$$);
SELECT revision, direction FROM migrate.upgrade('m4+1');
-- Walking down past a merge point is ambiguous.
SELECT pg_temp.refusal($$SELECT * FROM migrate.downgrade('e5-2')$$);
-- label@-N and label@+N walk one branch.
SELECT revision, direction FROM migrate.downgrade('aux@-1');
SELECT * FROM migrate.current();
SELECT revision, direction FROM migrate.upgrade('aux@+1');
-- label@base and label@rev.
SELECT revision, direction FROM migrate.downgrade('aux@base');
SELECT * FROM migrate.current();
SELECT revision, direction FROM migrate.upgrade('aux@x1');
SELECT pg_temp.refusal($$SELECT * FROM migrate.upgrade('aux@c3')$$);
SELECT revision, direction FROM migrate.upgrade('aux@head');
-- A unique prefix works like the full id (keys longer than three characters).
SELECT migrate.revision('x2000abc', '{x2}', 'SELECT 1', 'SELECT 1', 'long id') \gset
SELECT revision, direction FROM migrate.upgrade('x200');
SELECT revision, direction FROM migrate.downgrade('x2');
-- A pending revision elsewhere in the graph.
SELECT migrate.revision('p1', '{}', 'SELECT 1', 'SELECT 1', 'pending base') \gset

-- Refusals: nothing runs, nothing changes.
CREATE TEMP TABLE rows_before AS SELECT * FROM migrate.current() c;
SELECT pg_temp.refusal($$SELECT * FROM migrate.upgrade('nope')$$);
SELECT pg_temp.refusal($$SELECT * FROM migrate.upgrade('a1:e5')$$);
SELECT pg_temp.refusal($$SELECT * FROM migrate.upgrade('+5')$$);
SELECT pg_temp.refusal($$SELECT * FROM migrate.upgrade('-1')$$);
SELECT pg_temp.refusal($$SELECT * FROM migrate.downgrade('+1')$$);
SELECT pg_temp.refusal($$SELECT * FROM migrate.downgrade('-9')$$);
SELECT pg_temp.refusal($$SELECT * FROM migrate.downgrade('p1')$$);
SELECT pg_temp.refusal($$SELECT * FROM migrate.downgrade('x2000abc')$$);
SELECT pg_temp.refusal($$SELECT * FROM migrate.downgrade(NULL)$$);
SELECT pg_temp.refusal($$SELECT * FROM migrate.upgrade(NULL)$$);
SELECT pg_temp.refusal($$SELECT * FROM migrate.plan('head', 'sideways')$$);
-- Text no target looks like. A long one is refused before it is parsed
-- (this one overflowed the stack inside std::regex and took the server down);
-- the session goes on.
SELECT pg_temp.refusal($$SELECT * FROM migrate.plan(repeat('a', 30000) || '+1')$$);
SELECT pg_temp.refusal($$SELECT * FROM migrate.upgrade(repeat('a', 30000) || '+1')$$);
SELECT 'still here' AS session;
SELECT pg_temp.refusal($$SELECT * FROM migrate.downgrade('b2-' || repeat('0', 1021) || '1')$$);
SELECT length('b2-' || repeat('0', 1020) || '1') AS longest, count(*) AS steps
FROM migrate.plan('b2-' || repeat('0', 1020) || '1', 'downgrade');
-- Non-ASCII: Python reads U+0663 as the digit 3, we refuse it.
SELECT pg_temp.refusal($$SELECT * FROM migrate.upgrade('a1+٣')$$);
-- A step beyond a bigint is 22003 (-9223372036854775808 used to plan nothing).
SELECT pg_temp.refusal($$SELECT * FROM migrate.plan('-9223372036854775808', 'downgrade')$$);
SELECT pg_temp.refusal($$SELECT * FROM migrate.downgrade('-9223372036854775808')$$);
SELECT pg_temp.refusal($$SELECT * FROM migrate.upgrade('+9223372036854775808')$$);
SELECT pg_temp.refusal($$SELECT * FROM migrate.downgrade('feature@c3-99999999999999999999')$$);
-- The largest step is a step: it walks to the end.
SELECT pg_temp.refusal($$SELECT * FROM migrate.plan('a1-9223372036854775807', 'downgrade')$$);
-- Errors quote at most 200 bytes of what was typed, and say how long it was.
SELECT pg_temp.refusal($$SELECT * FROM migrate.upgrade(repeat('z', 1000))$$);
SELECT pg_temp.refusal($$SELECT * FROM migrate.downgrade(repeat('q', 600) || '@-1')$$);
SELECT pg_temp.refusal($$SELECT * FROM migrate.upgrade(repeat('e', 300) || '@head')$$);
SELECT pg_temp.refusal($$SELECT * FROM migrate.plan('head', repeat('sideways', 100))$$);
SELECT pg_temp.refusal($$SELECT migrate.merge(ARRAY['e5', repeat('y', 900)])$$);
SELECT pg_temp.refusal($$SELECT migrate.merge(ARRAY['e5', 'p1'], id => repeat('m', 900))$$);
SELECT (SELECT array_agg(c) FROM migrate.current() c) = (SELECT array_agg(c) FROM rows_before c) AS unchanged;

-- An irreversible revision stops a downgrade before anything runs.
SELECT migrate.revision('f6', '{e5}', 'CREATE TABLE t6 (id int)', NULL, 'irreversible') \gset
SELECT revision FROM migrate.upgrade('f6');
SELECT pg_temp.refusal($$SELECT * FROM migrate.downgrade('m4')$$);
SELECT pg_temp.refusal($$SELECT * FROM migrate.plan('m4', 'downgrade')$$);
SELECT to_regclass('t6') IS NOT NULL AS t6_still_there, to_regclass('t5') IS NOT NULL AS t5_still_there;
-- A non-transactional revision is refused by upgrade() before anything runs.
SELECT migrate.revision('g7', '{f6}', 'CREATE TABLE t7 (id int)', 'DROP TABLE t7', 'plain') \gset
SELECT migrate.revision('h8', '{g7}', 'CREATE INDEX CONCURRENTLY t7_id ON t7 (id)', 'DROP INDEX t7_id', 'concurrent index', transactional => false) \gset
SELECT pg_temp.refusal($$SELECT * FROM migrate.upgrade('h8')$$);
SELECT to_regclass('t7') IS NULL AS t7_not_created, (SELECT array_agg(c) FROM migrate.current() c) AS current;
-- A failing statement in the middle of a long upgrade: nothing stays applied,
-- nothing is journaled, the error names the revision and direction.
SELECT migrate.revision('h8', '{g7}', 'CREATE TABLE t8 (id int)', 'DROP TABLE t8', 'fine now') \gset
SELECT migrate.revision('i9', '{h8}', E'CREATE TABLE t9 (id int);\nINSERT INTO t9 SELECT 1 / 0;', 'DROP TABLE t9', 'divides by zero') \gset
SELECT migrate.revision('j10', '{i9}', 'CREATE TABLE t10 (id int)', 'DROP TABLE t10', 'never reached') \gset
SELECT count(*) AS journal_before FROM migrate.journal \gset
SELECT * FROM migrate.upgrade('j10');
SELECT pg_temp.refusal($$SELECT * FROM migrate.upgrade('j10')$$);
SELECT to_regclass('t7') IS NULL AS t7_rolled_back, to_regclass('t8') IS NULL AS t8_rolled_back,
       (SELECT array_agg(c) FROM migrate.current() c) AS current,
       (SELECT count(*) FROM migrate.journal) = :journal_before AS nothing_journaled;

-- SQL written to the catalog directly (bypassing migrate.revision()'s checks)
-- is still read by PostgreSQL's parser before anything runs.
INSERT INTO migrate.revisions (id, down_revisions, upgrade_sql, downgrade_sql, checksum)
VALUES ('k11', '{j10}', 'CREATE TABLE t11 (id int); COMMIT;', 'DROP TABLE t11', 'direct');
SELECT pg_temp.refusal($$SELECT * FROM migrate.plan('k11')$$);
DELETE FROM migrate.revisions WHERE id = 'k11';

-- Dry run: BEGIN; upgrade; ROLLBACK.
SELECT migrate.revision('i9', '{h8}', 'CREATE TABLE t9 (id int)', 'DROP TABLE t9', 'fixed') \gset
BEGIN;
SELECT revision FROM migrate.upgrade('j10');
SELECT * FROM migrate.current();
ROLLBACK;
SELECT * FROM migrate.current();
SELECT to_regclass('t10') IS NULL AS t10_not_there;

-- stamp(): the version rows move, no SQL runs.
SELECT * FROM migrate.stamp('j10');
SELECT to_regclass('t10') IS NULL AS t10_still_not_there;
SELECT * FROM migrate.stamp('base');
SELECT * FROM migrate.stamp('feature@head');
SELECT * FROM migrate.stamp('heads');
SELECT * FROM migrate.stamp('e5');
SELECT pg_temp.refusal($$SELECT * FROM migrate.stamp('nope')$$);

-- The journal: one row per step, who and when, in order.
SELECT revision, direction, from_heads, to_heads, applied_by = current_user AS by_me,
       txid IS NOT NULL AS has_txid, duration >= '0' AS has_duration
FROM migrate.journal ORDER BY id;

-- merge() refusals.
SELECT * FROM migrate.heads() ORDER BY 1;
SELECT pg_temp.refusal($$SELECT migrate.merge('{j10}')$$);
SELECT pg_temp.refusal($$SELECT migrate.merge('{j10, j10}')$$);
SELECT pg_temp.refusal($$SELECT migrate.merge('{j10, x2000abc}', id => 'a1')$$);
SELECT pg_temp.refusal($$SELECT migrate.merge('{j10, x2000abc}', id => 'p1')$$);
SELECT migrate.merge('{j10, x2000abc}', 'join', 'mm');
SELECT migrate.merge('{j10, x2000abc}', 'join', 'mm') AS same_merge_again_is_a_no_op;
SELECT count(*) AS heads FROM migrate.heads();
SELECT pg_temp.refusal($$SELECT migrate.merge('{a1, x2}')$$);
SELECT pg_temp.refusal($$SELECT migrate.merge('{nope, e5}')$$);
-- A generated id looks like Alembic's: 12 hex digits.
SELECT migrate.merge('{heads}', 'join all') ~ '^[0-9a-f]{12}$' AS generated_id;
SELECT pg_temp.refusal($$SELECT migrate.merge(NULL)$$);
SELECT count(*) AS heads FROM migrate.heads();

-- A wide merge: 300 bases and a merge of all of them. The journal and plan()
-- record what each step replaces and writes, not every row every time: the
-- 300 upgrades write 300 rows, the merge replaces 300 and writes 1.
SET client_min_messages = warning;
SELECT * FROM migrate.stamp('base') \g /dev/null
DELETE FROM migrate.journal;
SELECT count(migrate.revision('w' || i, '{}', 'SELECT 1', 'SELECT 1')) FROM generate_series(1, 300) i;
SELECT migrate.merge(array_agg('w' || i), 'merge 300', 'w_merge') FROM generate_series(1, 300) i;
SELECT count(*) AS steps, sum(cardinality(version_rows)) AS rows_written FROM migrate.plan('w_merge');
SELECT count(*) AS upgraded FROM migrate.upgrade('w_merge');
SELECT count(*) AS downgraded FROM migrate.downgrade('w1');
SELECT direction, count(*) AS steps, sum(cardinality(from_heads)) AS replaced, sum(cardinality(to_heads)) AS written
FROM migrate.journal GROUP BY direction ORDER BY direction;
SELECT count(*) AS rows_after_unmerge FROM migrate.version;
SELECT * FROM migrate.stamp('base') \g /dev/null
RESET client_min_messages;

DROP EXTENSION migrate;
DROP TABLE t1, t2, aux.t;
DROP SCHEMA aux;
