-- Alembic 1.8.1's tests/test_command.py, transcribed for the SQL API: the
-- `history`, `current` and `stamp` cases as SQL users see them. Each query
-- names the Alembic test it comes from (class.method). Cases that take
-- several stamp targets at once are in test/unit/test_alembic_command.cpp
-- (migrate.stamp() takes one); what has no counterpart at all is listed in
-- test/alembic_conformance.md.
CREATE EXTENSION migrate;
\i test/sql/refusal.sql

-- ------------------------------------------------------------- HistoryTest
-- three_rev_fixture: a -> b -> c.
SELECT migrate.revision('a', '{}', 'SELECT 1', 'SELECT 1', 'revision a');
SELECT migrate.revision('b', '{a}', 'SELECT 1', 'SELECT 1', 'Rev B, méil, %3');
SELECT migrate.revision('c', '{b}', 'SELECT 1', 'SELECT 1', 'revision c');

-- HistoryTest.test_history_full, test_history_full_environment, test_history_include_env
SELECT revision, message FROM migrate.history();
-- HistoryTest.test_history_num_range, test_history_num_range_environment
SELECT revision FROM migrate.history('a:b');
-- HistoryTest.test_history_base_to_num
SELECT revision FROM migrate.history(':b');
-- HistoryTest.test_history_num_to_head, test_history_num_to_head_environment
SELECT revision FROM migrate.history('a:');
-- HistoryTest.test_history_num_plus_relative
SELECT revision FROM migrate.history('a:+2');
-- HistoryTest.test_history_relative_to_num
SELECT revision FROM migrate.history('-2:c');
-- HistoryTest.test_history_too_large_relative_to_num
SELECT revision FROM migrate.history('-5:c');
-- HistoryTest.test_history_current_to_head_as_b
SELECT * FROM migrate.stamp('b');
SELECT revision FROM migrate.history('current:');
-- HistoryTest.test_history_current_to_head_as_base
SELECT * FROM migrate.stamp('base');
SELECT revision FROM migrate.history('current:');
-- HistoryTest.test_history_indicate_current
SELECT * FROM migrate.stamp('b');
SELECT revision, is_current FROM migrate.history();
-- Not in Alembic's tests, but what its history does: `current` stands for the
-- version rows on one side only (the upper one first), and an empty
-- database's rows there mean that side's default.
SELECT pg_temp.refusal($$SELECT * FROM migrate.history('current:current')$$);
SELECT * FROM migrate.stamp('base');
SELECT revision FROM migrate.history(':current');
DROP EXTENSION migrate;

-- ------------------------------------------------------------- CurrentTest
-- a1 -> a2 -> a3; b1 -> b2 (depends on a2) -> b3. current() is what
-- `alembic current` prints: the heads of the applied branches, depends_on
-- included; the rows themselves are in migrate.version.
CREATE EXTENSION migrate;
SELECT migrate.revision('a1', '{}', 'SELECT 1', 'SELECT 1', 'a1');
SELECT migrate.revision('a2', '{a1}', 'SELECT 1', 'SELECT 1', 'a2');
SELECT migrate.revision('a3', '{a2}', 'SELECT 1', 'SELECT 1', 'a3');
SELECT migrate.revision('b1', '{}', 'SELECT 1', 'SELECT 1', 'b1');
SELECT migrate.revision('b2', '{b1}', 'SELECT 1', 'SELECT 1', 'b2', depends_on => '{a2}');
SELECT migrate.revision('b3', '{b2}', 'SELECT 1', 'SELECT 1', 'b3');
-- CurrentTest.test_no_current
SELECT * FROM migrate.stamp('base');
SELECT * FROM migrate.current();
-- CurrentTest.test_plain_current
SELECT * FROM migrate.stamp('a3');
SELECT * FROM migrate.current();
-- CurrentTest.test_two_heads (`alembic stamp a1 b1`: here one target at a time)
SELECT * FROM migrate.stamp('base');
SELECT * FROM migrate.stamp('a1');
SELECT * FROM migrate.stamp('b1');
SELECT * FROM migrate.current();
-- CurrentTest.test_heads_one_is_dependent: one row, b2; current() adds a2.
SELECT * FROM migrate.stamp('base');
SELECT * FROM migrate.stamp('b2');
SELECT * FROM migrate.current();
SELECT version_num FROM migrate.version;
-- CurrentTest.test_heads_upg
SELECT revision FROM migrate.upgrade('b3');
SELECT * FROM migrate.current();
SELECT version_num FROM migrate.version;
-- The keyword `current` still means the version rows, as in Alembic's
-- history and show: b3 only, not a2.
SELECT revision FROM migrate.show('current');
SELECT revision FROM migrate.history() WHERE is_current;
DROP EXTENSION migrate;

-- ----------------------------------------------------------- LiveStampTest
-- a -> b. Each stamp's NOTICE says which row moved (`alembic stamp --sql`
-- prints the INSERT or UPDATE); the result is the rows afterwards.
CREATE EXTENSION migrate;
SELECT migrate.revision('a', '{}', 'SELECT 1', 'SELECT 1');
SELECT migrate.revision('b', '{a}', 'SELECT 1', 'SELECT 1');
-- LiveStampTest.test_stamp_creates_table
SELECT * FROM migrate.stamp('head');
-- LiveStampTest.test_stamp_existing_upgrade
SELECT * FROM migrate.stamp('base');
SELECT * FROM migrate.stamp('a');
SELECT * FROM migrate.stamp('b');
-- LiveStampTest.test_stamp_existing_downgrade
SELECT * FROM migrate.stamp('a');
-- LiveStampTest.test_stamp_version_already_there: the second stamp moves
-- nothing (no NOTICE, no journal row)
SELECT * FROM migrate.stamp('b');
SELECT count(*) AS journal_rows FROM migrate.journal \gset
SELECT * FROM migrate.stamp('b');
SELECT count(*) = :journal_rows AS nothing_journaled FROM migrate.journal;
DROP EXTENSION migrate;

-- ----------------------------------------------- UpgradeDowngradeStampTest
-- three_rev_fixture again.
CREATE EXTENSION migrate;
SELECT migrate.revision('a', '{}', 'SELECT 1', 'SELECT 1');
SELECT migrate.revision('b', '{a}', 'SELECT 1', 'SELECT 1');
SELECT migrate.revision('c', '{b}', 'SELECT 1', 'SELECT 1');
-- UpgradeDowngradeStampTest.test_sql_stamp_revision_as_kw: INSERT c
SELECT * FROM migrate.stamp('head');
-- UpgradeDowngradeStampTest.test_stamp_argparser_single_rev: INSERT c
SELECT * FROM migrate.stamp('base');
SELECT * FROM migrate.stamp('c');
-- UpgradeDowngradeStampTest.test_sql_stamp_from_rev and
-- test_sql_stamp_from_partial_rev (offline `a:head`: from a): UPDATE a to c
SELECT * FROM migrate.stamp('a');
SELECT * FROM migrate.stamp('head');
SELECT direction, from_heads, to_heads FROM migrate.journal ORDER BY id;
DROP EXTENSION migrate;

-- -------------------------------------------------- StampMultipleRootsTest
-- two three_rev_fixtures: a1 -> b1 -> c1, a2 -> b2 -> c2.
CREATE EXTENSION migrate;
SELECT migrate.revision('a1', '{}', 'SELECT 1', 'SELECT 1');
SELECT migrate.revision('b1', '{a1}', 'SELECT 1', 'SELECT 1');
SELECT migrate.revision('c1', '{b1}', 'SELECT 1', 'SELECT 1');
SELECT migrate.revision('a2', '{}', 'SELECT 1', 'SELECT 1');
SELECT migrate.revision('b2', '{a2}', 'SELECT 1', 'SELECT 1');
SELECT migrate.revision('c2', '{b2}', 'SELECT 1', 'SELECT 1');
-- StampMultipleRootsTest.test_sql_stamp_heads: INSERT c1, INSERT c2
SELECT * FROM migrate.stamp('heads');
-- StampMultipleRootsTest.test_sql_stamp_single_head: INSERT c1
SELECT * FROM migrate.stamp('base');
SELECT * FROM migrate.stamp('c1@head');
DROP EXTENSION migrate;

-- -------------------------------------------------- StampMultipleHeadsTest
-- three_rev_fixture plus multi_heads_fixture: a -> b -> c, b -> d -> e, b -> f.
CREATE EXTENSION migrate;
SELECT migrate.revision('a', '{}', 'SELECT 1', 'SELECT 1');
SELECT migrate.revision('b', '{a}', 'SELECT 1', 'SELECT 1');
SELECT migrate.revision('c', '{b}', 'SELECT 1', 'SELECT 1');
SELECT migrate.revision('d', '{b}', 'SELECT 1', 'SELECT 1');
SELECT migrate.revision('e', '{d}', 'SELECT 1', 'SELECT 1');
SELECT migrate.revision('f', '{b}', 'SELECT 1', 'SELECT 1');
-- StampMultipleHeadsTest.test_sql_stamp_heads: INSERT c, e, f
SELECT * FROM migrate.stamp('heads');
-- StampMultipleHeadsTest.test_sql_stamp_heads_symbolic (offline `b:heads`:
-- from b): UPDATE b to one head, INSERT the two others
SELECT * FROM migrate.stamp('b');
SELECT * FROM migrate.stamp('heads');
-- StampMultipleHeadsTest.test_online_stamp_version_already_there (`stamp c e`
-- twice: here one target at a time; the second round moves nothing)
SELECT * FROM migrate.stamp('base');
SELECT * FROM migrate.stamp('c');
SELECT * FROM migrate.stamp('e');
SELECT * FROM migrate.stamp('c');
SELECT * FROM migrate.stamp('e');
DROP EXTENSION migrate;

-- ------------------------------------------- not an Alembic test: issue 9
-- A merge whose down_revisions include an ancestor of another of them (a
-- redundant parent: bb22ab stands on 1aa2ab and on b1211b, which 1aa2ab
-- already stands on), and that depends on a1b222. Alembic's HeadMaintainer
-- gives these rows when its file order lets it (in registration order it
-- fails with a KeyError): see test/alembic_diff/README.md.
CREATE EXTENSION migrate;
SELECT migrate.revision('b1211b', '{}', 'SELECT 1', 'SELECT 1');
SELECT migrate.revision('122a11', '{b1211b}', 'SELECT 1', 'SELECT 1');
SELECT migrate.revision('ab1baa', '{}', 'SELECT 1', 'SELECT 1');
SELECT migrate.revision('1aa2ab', '{b1211b,ab1baa}', 'SELECT 1', 'SELECT 1');
SELECT migrate.revision('2aa1a2', '{1aa2ab}', 'SELECT 1', 'SELECT 1');
SELECT migrate.revision('a1b222', '{b1211b}', 'SELECT 1', 'SELECT 1');
SELECT migrate.revision('bb22ab', '{1aa2ab,b1211b}', 'SELECT 1', 'SELECT 1', depends_on => '{a1b222}');
SELECT revision FROM migrate.upgrade('heads');
SELECT version_num FROM migrate.version ORDER BY 1;
-- Downgrading into the merge gives each parent its row back, the redundant
-- one (b1211b) too, as Alembic does.
SELECT * FROM migrate.stamp('base');
SELECT revision FROM migrate.upgrade('bb22ab');
SELECT revision FROM migrate.downgrade('1aa2ab');
SELECT version_num FROM migrate.version ORDER BY 1;
SELECT * FROM migrate.current();
DROP EXTENSION migrate;
