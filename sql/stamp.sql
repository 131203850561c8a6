-- migrate.stamp(VARIADIC targets): Alembic's `stamp` of one or several
-- revisions (command.stamp with a tuple, ScriptDirectory._stamp_revs). The
-- graphs are Alembic 1.8.1's own test fixtures; every expected set of rows
-- below is what Alembic answers for the same graph, rows and targets
-- (test/alembic_diff/core_diff.py --alembic-case).
CREATE EXTENSION migrate;
\i test/sql/refusal.sql
CREATE FUNCTION pg_temp.rows() RETURNS text LANGUAGE sql AS
  $$SELECT coalesce(string_agg(version_num, ',' ORDER BY version_num COLLATE "C"), '-') FROM migrate.version$$;

-- StampMultipleHeadsTest: a -> b -> c, b -> d -> e, b -> f (heads c, e, f).
SELECT migrate.revision('a', '{}', 'SELECT 1', 'SELECT 1', 'a');
SELECT migrate.revision('b', '{a}', 'SELECT 1', 'SELECT 1', 'b');
SELECT migrate.revision('c', '{b}', 'SELECT 1', 'SELECT 1', 'c');
SELECT migrate.revision('d', '{b}', 'SELECT 1', 'SELECT 1', 'd');
SELECT migrate.revision('e', '{d}', 'SELECT 1', 'SELECT 1', 'e');
SELECT migrate.revision('f', '{b}', 'SELECT 1', 'SELECT 1', 'f');
-- test_online_stamp_multi_rev_nonsensical: from nothing, a, e and f (Alembic
-- does not check them against each other either).
SELECT * FROM migrate.stamp('a', 'e', 'f');
-- test_online_stamp_multi_rev_from_real_ancestor: from a, e and f.
SELECT * FROM migrate.stamp('base');
SELECT * FROM migrate.stamp('a');
SELECT * FROM migrate.stamp('e', 'f');
-- test_online_stamp_version_already_there: c and e twice; the second moves nothing.
SELECT * FROM migrate.stamp('base');
SELECT * FROM migrate.stamp('c', 'e');
SELECT count(*) AS journal_before FROM migrate.journal \gset
SELECT * FROM migrate.stamp('c', 'e');
SELECT count(*) = :journal_before AS nothing_journaled FROM migrate.journal;
-- test_sql_stamp_heads: heads is every head.
SELECT * FROM migrate.stamp('base');
SELECT * FROM migrate.stamp('heads');
-- From e and f, c (on no row's lineage) is a branch of its own; from c, e, f, a is one move down.
SELECT * FROM migrate.stamp('base');
SELECT * FROM migrate.stamp('e', 'f');
SELECT * FROM migrate.stamp('c');
SELECT * FROM migrate.stamp('a');
-- One target works as before; VARIADIC with an array, and an empty one (base).
SELECT * FROM migrate.stamp(VARIADIC '{c,f}');
SELECT * FROM migrate.stamp(VARIADIC '{}');
-- The journal: one row per stamp step.
SELECT revision, direction, from_heads, to_heads FROM migrate.journal ORDER BY id DESC LIMIT 4;
SELECT * FROM migrate.stamp('e', 'f');
-- Refusals: the rows stay e and f.
SELECT pg_temp.refusal($$SELECT * FROM migrate.stamp('nope', 'a')$$);
SELECT pg_temp.refusal($$SELECT * FROM migrate.stamp('a', NULL)$$);
SELECT pg_temp.refusal($$SELECT * FROM migrate.stamp(NULL)$$);
SELECT pg_temp.refusal($$SELECT * FROM migrate.stamp(VARIADIC NULL)$$);
SELECT pg_temp.refusal($$SELECT * FROM migrate.stamp('a:c')$$);
SELECT pg_temp.rows();
DROP EXTENSION migrate;

-- CurrentTest: a1 -> a2 -> a3; b1 -> b2 -> b3, b2 depends on a2.
CREATE EXTENSION migrate;
SELECT migrate.revision('a1', '{}', 'SELECT 1', 'SELECT 1', 'a1');
SELECT migrate.revision('a2', '{a1}', 'SELECT 1', 'SELECT 1', 'a2');
SELECT migrate.revision('a3', '{a2}', 'SELECT 1', 'SELECT 1', 'a3');
SELECT migrate.revision('b1', '{}', 'SELECT 1', 'SELECT 1', 'b1');
SELECT migrate.revision('b2', '{b1}', 'SELECT 1', 'SELECT 1', 'b2', depends_on => '{a2}');
SELECT migrate.revision('b3', '{b2}', 'SELECT 1', 'SELECT 1', 'b3');
-- test_two_heads: a1 and b1.
SELECT * FROM migrate.stamp('a1', 'b1');
-- ... then a3 and b3: each row moves up its own line.
SELECT * FROM migrate.stamp('a3', 'b3');
-- test_heads_one_is_dependent: b2 alone is one row (a2 is implied by its dependency).
SELECT * FROM migrate.stamp('base');
SELECT * FROM migrate.stamp('b2');
SELECT revision, is_applied FROM migrate.history() WHERE revision IN ('a1', 'a2', 'a3') ORDER BY 1;
-- From b2, a3 is a row of its own beside it.
SELECT * FROM migrate.stamp('a3');
-- From a3 and b3, stamping a1 and b1 is refused, as Alembic refuses it
-- (its HeadMaintainer fails on the row b3's dependency implies).
SELECT * FROM migrate.stamp('b3');
SELECT pg_temp.rows();
SELECT pg_temp.refusal($$SELECT * FROM migrate.stamp('a1', 'b1')$$);
SELECT pg_temp.rows();
DROP EXTENSION migrate;
