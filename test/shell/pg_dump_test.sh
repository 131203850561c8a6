#!/usr/bin/env bash
# pg_dump keeps the catalog: revisions, version rows, journal, backfills
# (with their progress) and the recorded schema (drift's reference) survive a dump and restore into a new database, byte
# for byte.
set -euo pipefail
src=migrate_dump_src dst=migrate_dump_dst
for d in $src $dst; do dropdb --if-exists "$d"; done
trap 'dropdb --if-exists $src; dropdb --if-exists $dst' EXIT
createdb $src
psql -X -q -v ON_ERROR_STOP=1 -d $src <<'SQL' >/dev/null
CREATE EXTENSION migrate;
SELECT migrate.revision('a1', '{}', 'CREATE TABLE t1 (id int)', 'DROP TABLE t1', 'first');
SELECT migrate.revision('b2', '{a1}', 'CREATE TABLE t2 (id int)', NULL, 'second', '{feature}');
SELECT migrate.revision('c3', '{a1}', E'CREATE TABLE t3 (\n  id int\n)', 'DROP TABLE t3', 'third');
SELECT migrate.revision('d4', '{b2,c3}', '', NULL, 'merge', requires_backfills => '{fill_t1}');
SELECT migrate.backfill('fill_t1', 'a1', 'INSERT INTO t1 SELECT 1 WHERE NOT EXISTS (SELECT FROM t1)', pause => '1 s');
SELECT migrate.backfill('fill_t2', 'b2', 'DELETE FROM t2', max_batches => 3);
UPDATE migrate.backfill_jobs SET state = 'done', batches = 1, rows_done = 1, started_at = now(), finished_at = now()
WHERE name = 'fill_t1';
INSERT INTO migrate.version VALUES ('b2');
-- The schema as this "move" leaves it (stamp where it is records it): migrate.drift()'s reference.
CREATE TABLE kept (id int PRIMARY KEY, note text DEFAULT 'n/a');
SELECT migrate.stamp('b2');
INSERT INTO migrate.journal (revision, direction, from_heads, to_heads, started_at, duration)
VALUES ('b2', 'stamp', '{}', '{b2}', now(), '0');
SQL
createdb $dst
pg_dump -d $src | psql -X -q -v ON_ERROR_STOP=1 -d $dst >/dev/null
snapshot='SELECT * FROM migrate.revisions ORDER BY id;
          SELECT * FROM migrate.version ORDER BY 1;
          SELECT id, revision, direction, from_heads, to_heads, started_at, duration, applied_by FROM migrate.journal ORDER BY id;
          SELECT * FROM migrate.history();
          SELECT * FROM migrate.backfill_jobs ORDER BY name;
          SELECT * FROM migrate.schema_fingerprint ORDER BY kind, name;
          SELECT * FROM migrate.schema_fingerprint_state;'
diff <(psql -X -At -d $src -c "$snapshot") <(psql -X -At -d $dst -c "$snapshot")
[ "$(psql -X -At -d $dst -c 'SELECT count(*) FROM migrate.revisions')" = 4 ]
# The restored schema is the one recorded: no drift.
[ "$(psql -X -At -d $dst -c 'SELECT count(*) FROM migrate.schema_fingerprint')" -gt 3 ]
[ "$(psql -X -At -d $dst -c 'SELECT count(*) FROM migrate.drift()')" = 0 ]
# The restored engine still works: the journal's identity goes on from where it was.
psql -X -q -v ON_ERROR_STOP=1 -d $dst -c "SELECT migrate.revision('e5', '{d4}', 'SELECT 1')" \
  -c "INSERT INTO migrate.journal (revision, direction, from_heads, to_heads, started_at, duration) VALUES ('e5', 'stamp', '{b2}', '{e5}', now(), '0')" >/dev/null
[ "$(psql -X -At -d $dst -c 'SELECT max(id) FROM migrate.journal')" = 2 ]
# ... and so does the backfill identity (the runner's lock key).
psql -X -q -v ON_ERROR_STOP=1 -d $dst -c "SELECT migrate.backfill('fill_e5', 'e5', 'DELETE FROM t1')" >/dev/null
[ "$(psql -X -At -d $dst -c "SELECT id FROM migrate.backfill_jobs WHERE name = 'fill_e5'")" = 3 ]
