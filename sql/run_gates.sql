-- CALL migrate.run() through expand -> backfill -> contract in one call:
-- at a revision that requires backfills it runs them there (at_gate 'run',
-- the default), or ends there successfully (at_gate 'stop'); upgrade()
-- stays one transaction and refuses. plan() shows the gates.
CREATE EXTENSION migrate;
\i test/sql/refusal.sql
-- The contract steps here are what migrate.lint warns about (sql/lint.sql
-- tests that): not this suite's subject.
SET migrate.lint = off;

SELECT migrate.revision('g1', '{}', $$CREATE TABLE words (id bigint PRIMARY KEY, body text NOT NULL);
  INSERT INTO words SELECT g, repeat('w ', g % 7 + 1) FROM generate_series(1, 1000) g$$, 'DROP TABLE words', 'words');
SELECT migrate.revision('g2', '{g1}', 'ALTER TABLE words ADD word_count int', 'ALTER TABLE words DROP word_count',
                        'expand');
-- 100 rows a batch, walking the key; at most 2 batches per call of run_backfills().
SELECT migrate.backfill('fill_word_count', 'g2', $$
  UPDATE words SET word_count = pg_catalog.array_length(pg_catalog.regexp_split_to_array(pg_catalog.btrim(body), ' '), 1)
  WHERE id IN (SELECT id FROM words WHERE id > coalesce($1::bigint, 0) ORDER BY id LIMIT 100)
  RETURNING id$$, max_batches => 2);
SELECT migrate.revision('g3', '{g2}', 'ALTER TABLE words ALTER word_count SET NOT NULL',
                        'ALTER TABLE words ALTER word_count DROP NOT NULL', 'contract',
                        requires_backfills => '{fill_word_count}');
SELECT migrate.revision('g4', '{g3}', 'CREATE INDEX CONCURRENTLY words_count_idx ON words (word_count)',
                        'DROP INDEX CONCURRENTLY words_count_idx', 'index', transactional => false);

-- plan(): every step, the gate and the worker included.
SELECT step, revision, version_rows, runner, gated_by FROM migrate.plan('head');
-- upgrade() cannot run a backfill inside its one transaction.
SELECT pg_temp.refusal($$SELECT * FROM migrate.upgrade('head')$$);

-- at_gate 'stop': up to the gate, then a NOTICE naming it and its backfills.
CALL migrate.run(at_gate => 'stop');
SELECT * FROM migrate.current();
SELECT name, state, batches, rows_done FROM migrate.backfills;
SELECT step, revision, gated_by FROM migrate.plan('head');
-- Two batches by hand (its max_batches), then the default: run() runs the
-- rest of the backfill at the gate, past its per-call max_batches, and goes on.
CALL migrate.run_backfills();
CALL migrate.run();
SELECT * FROM migrate.current();
SELECT name, state, batches, rows_done FROM migrate.backfills;
SELECT count(*) AS rows, count(*) FILTER (WHERE word_count = pg_catalog.array_length(pg_catalog.regexp_split_to_array(pg_catalog.btrim(body), ' '), 1)) AS filled FROM words;
SELECT attnotnull FROM pg_attribute WHERE attrelid = 'words'::regclass AND attname = 'word_count';
SELECT indisvalid FROM pg_index WHERE indexrelid = 'words_count_idx'::regclass;
SELECT revision, direction, to_heads FROM migrate.journal ORDER BY id;

-- A backfill that fails at the gate stops the run there: the revisions
-- before it stay committed, the batches before the failure too.
SELECT migrate.revision('k1', '{g4}', 'ALTER TABLE words ADD ratio int', 'ALTER TABLE words DROP ratio', 'ratio');
SELECT migrate.backfill('fill_ratio', 'k1', $$
  UPDATE words SET ratio = 1000 / (id - 450)
  WHERE id IN (SELECT id FROM words WHERE id > coalesce($1::bigint, 0) ORDER BY id LIMIT 100)
  RETURNING id$$);
SELECT migrate.revision('k2', '{k1}', 'ALTER TABLE words ALTER ratio SET NOT NULL',
                        'ALTER TABLE words ALTER ratio DROP NOT NULL', 'ratio not null',
                        requires_backfills => '{fill_ratio}');
\set VERBOSITY terse
CALL migrate.run();
\set VERBOSITY default
SELECT * FROM migrate.current();
SELECT name, state, batches, rows_done, last_error FROM migrate.backfills WHERE name = 'fill_ratio';
-- Corrected (allowed until it is done), the next run goes on from the batch that failed.
SELECT migrate.backfill('fill_ratio', 'k1', $$
  UPDATE words SET ratio = 1000 / greatest(id - 450, 1)
  WHERE id IN (SELECT id FROM words WHERE id > coalesce($1::bigint, 0) ORDER BY id LIMIT 100)
  RETURNING id$$);
CALL migrate.run();
SELECT * FROM migrate.current();
SELECT name, state, batches, rows_done, last_error FROM migrate.backfills WHERE name = 'fill_ratio';
SELECT count(ratio) AS ratios FROM words;

-- Gates no runner can open are refused before anything runs, by plan(),
-- run() and upgrade() alike: an unregistered backfill, and one whose
-- revision is not applied before the gate (o1 is on another branch).
SELECT migrate.revision('o1', '{}', 'CREATE TABLE other (id int)', 'DROP TABLE other', 'other base');
SELECT migrate.backfill('fill_other', 'o1', 'INSERT INTO other SELECT 1 WHERE NOT EXISTS (SELECT FROM other)');
SELECT migrate.revision('h1', '{k2}', 'SELECT 1', 'SELECT 1', 'needs other', requires_backfills => '{fill_other}');
SELECT pg_temp.refusal($$SELECT * FROM migrate.plan('h1')$$);
SELECT pg_temp.refusal($$SELECT * FROM migrate.upgrade('h1')$$);
CALL migrate.run('h1');
SELECT migrate.revision('h1', '{k2}', 'SELECT 1', 'SELECT 1', 'needs nothing registered',
                        requires_backfills => '{fill_nothing}');
SELECT pg_temp.refusal($$SELECT * FROM migrate.plan('h1')$$);
CALL migrate.run('h1');
SELECT * FROM migrate.current();
-- Through a merge, o1 is upgraded before the gate: run() can open it.
SELECT migrate.revision('h1', '{k2,o1}', 'SELECT 1', 'SELECT 1', 'needs other, merged',
                        requires_backfills => '{fill_other}');
SELECT step, revision, runner, gated_by FROM migrate.plan('h1');
CALL migrate.run('h1');
SELECT * FROM migrate.current();
SELECT name, state FROM migrate.backfills WHERE name = 'fill_other';

-- Down again with run(): the backfills of downgraded revisions start over.
CALL migrate.run('base', 'downgrade');
SELECT name, state, batches, rows_done FROM migrate.backfills ORDER BY name;
SELECT to_regclass('words') IS NULL AS words_gone;

DROP EXTENSION migrate;
