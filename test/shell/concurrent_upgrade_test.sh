#!/usr/bin/env bash
# 8 sessions race SELECT migrate.upgrade('head') over 50 revisions: the engine
# lock serializes them, each revision runs exactly once, and the sessions that
# waited see the first one's work and do nothing.
set -euo pipefail
db=migrate_concurrent_upgrade
dropdb --if-exists "$db" 2>/dev/null; createdb "$db"
trap 'dropdb --if-exists "$db"' EXIT
psql -X -q -v ON_ERROR_STOP=1 -d "$db" >/dev/null <<'SQL'
CREATE EXTENSION migrate;
-- Each revision appends to a log: a second run of any revision would show.
CREATE TABLE ran (revision text NOT NULL);
SELECT count(migrate.revision('r' || i, CASE WHEN i = 1 THEN '{}'::text[] ELSE ARRAY['r' || (i - 1)] END,
                              format('INSERT INTO ran VALUES (%L); CREATE TABLE t_%s (id int); SELECT pg_sleep(0.002)', 'r' || i, i),
                              format('DROP TABLE t_%s', i)))
FROM generate_series(1, 50) i;
SQL
pids=()
for s in $(seq 1 8); do
  PGOPTIONS='-c client_min_messages=warning' \
    psql -X -q -At -v ON_ERROR_STOP=1 -d "$db" -c "SELECT count(*) FROM migrate.upgrade('head')" >"/tmp/$db.$s.out" &
  pids+=($!)
done
for p in "${pids[@]}"; do wait "$p"; done
steps=$(cat /tmp/$db.*.out | awk '{ n += $1 } END { print n }')
echo "steps reported by the 8 sessions: $(cat /tmp/$db.*.out | tr '\n' ' ')"
rm -f /tmp/$db.*.out
[ "$steps" = 50 ] || { echo "expected 50 steps in all, got $steps"; exit 1; }
q() { psql -X -At -d "$db" -c "$1"; }
[ "$(q 'SELECT count(*) FROM ran')" = 50 ] || { echo "revisions ran $(q 'SELECT count(*) FROM ran') times"; exit 1; }
[ "$(q 'SELECT count(DISTINCT revision) FROM ran')" = 50 ]
[ "$(q 'SELECT count(*) FROM migrate.journal')" = 50 ]
[ "$(q "SELECT string_agg(c, ',') FROM migrate.current() c")" = r50 ]
# All 50 steps were journaled by one transaction.
[ "$(q 'SELECT count(DISTINCT txid) FROM migrate.journal')" = 1 ]
