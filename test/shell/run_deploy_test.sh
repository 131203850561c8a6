#!/usr/bin/env bash
# One CALL migrate.run() deploys expand -> backfill of 30,000 rows ->
# contract -> concurrent index, ending at the head with every row filled
# exactly once. Interrupted in the middle of the backfill (a cancel), the
# committed revisions and batches stay; the next run goes on from there.
# When another runner (a pg_cron job) holds the backfill, run() waits for it
# to let go, then finishes the rest.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
fresh_db migrate_run_deploy
rows=30000
state() { q "SELECT coalesce(string_agg(version_num, ',' ORDER BY version_num), 'base') FROM migrate.version"; }
progress() { q "SELECT state || ' ' || batches || ' ' || rows_done FROM migrate.backfills"; }

psql -X -q -v ON_ERROR_STOP=1 -d "$db" >/dev/null <<SQL
CREATE EXTENSION migrate;
SELECT migrate.revision('d1', '{}', \$\$CREATE TABLE docs (id bigint PRIMARY KEY, body text NOT NULL, fills int NOT NULL DEFAULT 0);
  INSERT INTO docs (id, body) SELECT g, repeat('word ', g % 9 + 1) FROM generate_series(1, $rows) g\$\$, 'DROP TABLE docs', 'docs');
SELECT migrate.revision('d2', '{d1}', 'ALTER TABLE docs ADD word_count int', 'ALTER TABLE docs DROP word_count', 'expand');
-- fills counts how often a row was processed: 1 everywhere at the end, or a batch ran twice.
SELECT migrate.backfill('fill_word_count', 'd2', \$\$
  UPDATE docs SET word_count = array_length(regexp_split_to_array(btrim(body), ' '), 1), fills = fills + 1
  WHERE id IN (SELECT id FROM docs WHERE id > coalesce(\$1::bigint, 0) ORDER BY id LIMIT 500)
  RETURNING id\$\$, pause => '40 ms', max_batches => 5);
SELECT migrate.revision('d3', '{d2}', 'ALTER TABLE docs ALTER word_count SET NOT NULL',
                        'ALTER TABLE docs ALTER word_count DROP NOT NULL', 'contract', requires_backfills => '{fill_word_count}');
SELECT migrate.revision('d4', '{d3}', 'CREATE INDEX CONCURRENTLY docs_word_count_idx ON docs (word_count)',
                        'DROP INDEX CONCURRENTLY docs_word_count_idx', 'index', transactional => false);
SQL

# Waits until the backfill, run by pid $1 (or any runner), has committed at least $2 batches.
wait_for_batches() {
  for _ in $(seq 1 300); do
    [ -n "$(q "SELECT 1 FROM migrate.backfills WHERE state = 'running' AND batches >= $2 AND ($1 = 0 OR runner_pid = $1)")" ] && return 0
    sleep 0.1
  done
  echo "backfill never reached $2 batches: $(progress)" >&2
  return 1
}
run_pid() { q "SELECT pid FROM pg_stat_activity WHERE query LIKE 'CALL migrate.run(%' AND pid <> pg_backend_pid()"; }

# 1. run() in the background, cancelled in the middle of the backfill.
psql -X -q -d "$db" -c "CALL migrate.run()" >/tmp/$db.run1.log 2>&1 &
runner=$!
for _ in $(seq 1 100); do pid=$(run_pid); [ -n "$pid" ] && break; sleep 0.05; done
wait_for_batches "$pid" 6
q "SELECT pg_cancel_backend($pid)" >/dev/null
wait "$runner" || true
grep -q 'canceling statement due to user request' /tmp/$db.run1.log || { echo "not cancelled: $(cat /tmp/$db.run1.log)"; exit 1; }
grep -q 'migrate.run stopped at revision d3: 2 revisions before it applied and committed; the database is at d2' /tmp/$db.run1.log \
  || { echo "no stop report: $(cat /tmp/$db.run1.log)"; exit 1; }
read -r st batches done <<<"$(progress)"
echo "cancelled mid-backfill: database at $(state), backfill $st, $batches batches, $done rows"
expect "$(state)" '^d2$'
[ "$st" = pending ] && [ "$batches" -ge 6 ] && [ "$done" -lt "$rows" ] || { echo "unexpected progress: $(progress)"; exit 1; }
expect "$(q "SELECT count(*) FILTER (WHERE fills = 1) = $done AND max(fills) = 1 FROM docs")" '^t$'
expect "$(q "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = $pid")" '^0$'
rm -f /tmp/$db.run1.log

# 2. Another runner (as a pg_cron job would) takes the backfill for a while
# (its limits lifted, the call bounded); run() waits for it, then finishes
# what it left, and goes on to the head.
q "SELECT migrate.backfill('fill_word_count', 'd2', \$\$
  UPDATE docs SET word_count = array_length(regexp_split_to_array(btrim(body), ' '), 1), fills = fills + 1
  WHERE id IN (SELECT id FROM docs WHERE id > coalesce(\$1::bigint, 0) ORDER BY id LIMIT 500)
  RETURNING id\$\$, pause => '40 ms')" >/dev/null
psql -X -q -d "$db" -c "CALL migrate.run_backfills(max_duration => '1.5 s')" >/dev/null 2>&1 &
other=$!
wait_for_batches 0 $((batches + 2))
other_pid=$(q "SELECT runner_pid FROM migrate.backfills")
out=$(psql -X -q -v ON_ERROR_STOP=1 -d "$db" -c "CALL migrate.run()" 2>&1)
wait "$other"
echo "$out" | grep -q "Backfill fill_word_count is being run by another runner (pid $other_pid); waiting for it to finish or let go" \
  || { echo "run() did not wait for the other runner: $out"; exit 1; }
echo "$out" | grep -q 'Running upgrade d3 -> d4, index (outside a transaction)' || { echo "unexpected: $out"; exit 1; }
expect "$(state)" '^d4$'
expect "$(progress)" "^done $((rows / 500)) $rows$"
expect "$(q "SELECT count(*) FILTER (WHERE fills = 1 AND word_count = array_length(regexp_split_to_array(btrim(body), ' '), 1)) || ' ' || max(fills) FROM docs")" "^$rows 1$"
expect "$(q "SELECT attnotnull FROM pg_attribute WHERE attrelid = 'docs'::regclass AND attname = 'word_count'")" '^t$'
expect "$(q "SELECT indisvalid FROM pg_index WHERE indexrelid = 'docs_word_count_idx'::regclass")" '^t$'
expect "$(q "SELECT string_agg(revision, ',' ORDER BY id) FROM migrate.journal")" '^d1,d2,d3,d4$'
echo "deployed: database at $(state), $rows rows filled once each"
