#!/usr/bin/env bash
# Runners share the work across backfills and never work on the same one:
# four runners start together on three backfills; every batch records the
# backend that ran it, so each backfill must show exactly one runner, and
# every row must have been processed exactly once.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
fresh_db migrate_backfill_runners

psql -X -q -v ON_ERROR_STOP=1 -d "$db" >/dev/null <<'SQL'
CREATE EXTENSION migrate;
SELECT migrate.revision('e1', '{}', $$
  CREATE TABLE a (id int PRIMARY KEY, done_by int, fills int NOT NULL DEFAULT 0);
  CREATE TABLE b (LIKE a INCLUDING ALL);
  CREATE TABLE c (LIKE a INCLUDING ALL);
  INSERT INTO a (id) SELECT generate_series(1, 1000);
  INSERT INTO b (id) SELECT generate_series(1, 1000);
  INSERT INTO c (id) SELECT generate_series(1, 1000);$$, 'DROP TABLE a, b, c');
SELECT migrate.upgrade('e1');
SELECT migrate.backfill('fill_' || t, 'e1', format($$
  UPDATE %I SET done_by = pg_backend_pid(), fills = fills + 1
  WHERE id IN (SELECT id FROM %I WHERE done_by IS NULL ORDER BY id LIMIT 50)$$, t, t), pause => '20 ms')
FROM unnest('{a,b,c}'::text[]) t;
SQL

pids=()
for i in 1 2 3 4; do
  psql -X -q -d "$db" -c "CALL migrate.run_backfills()" >"/tmp/$db.runner$i.log" 2>&1 &
  pids+=($!)
done
for p in "${pids[@]}"; do wait "$p"; done
cat /tmp/$db.runner*.log | grep -v '^NOTICE:  Running backfill\|^NOTICE:  Backfill .* done\|being run by another runner' || true
rm -f /tmp/$db.runner*.log

expect "$(q "SELECT string_agg(name || ' ' || state || ' ' || rows_done, ', ' ORDER BY name) FROM migrate.backfills")" \
  "^fill_a done 1000, fill_b done 1000, fill_c done 1000$"
for t in a b c; do
  expect "$(q "SELECT count(*) || ' ' || count(DISTINCT done_by) || ' ' || min(fills) || ' ' || max(fills) FROM $t")" "^1000 1 1 1$"
done
# The work was shared: more than one runner did some of it.
runners=$(q "SELECT count(DISTINCT done_by) FROM (SELECT done_by FROM a UNION ALL SELECT done_by FROM b UNION ALL SELECT done_by FROM c) s")
echo "3 backfills run by $runners runners"
[ "$runners" -ge 2 ] || { echo "one runner did everything"; exit 1; }
