#!/usr/bin/env bash
# A backfill interrupted mid-run keeps the batches it committed, and the next
# call goes on from there: no row is processed twice, none is skipped. Three
# ways to stop a runner: a cancel (its session stays open and must not keep
# the backfill locked), pg_terminate_backend, and a backend crash (kill -9,
# which makes the server restart).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
fresh_db migrate_backfill_interrupt

rows=3000
psql -X -q -v ON_ERROR_STOP=1 -d "$db" >/dev/null <<SQL
CREATE EXTENSION migrate;
CREATE EXTENSION dblink;
SELECT migrate.revision('e1', '{}', 'CREATE TABLE items (id bigint PRIMARY KEY, y int, fills int NOT NULL DEFAULT 0)',
                        'DROP TABLE items');
SELECT migrate.upgrade('e1');
INSERT INTO items (id) SELECT generate_series(1, $rows);
-- fills counts how often a row was processed: 1 everywhere at the end, or a
-- batch ran twice. The pause makes the run last long enough to interrupt.
SELECT migrate.backfill('fill_y', 'e1', \$\$
  UPDATE items SET y = id * 2, fills = fills + 1
  WHERE id IN (SELECT id FROM items WHERE id > coalesce(\$1::bigint, 0) ORDER BY id LIMIT 100)
  RETURNING id\$\$, pause => '100 ms');
SQL

# Waits until the running backfill has committed at least $1 batches; prints the runner's pid.
wait_for_batches() {
  for _ in $(seq 1 300); do
    out=$(q "SELECT runner_pid FROM migrate.backfills WHERE state = 'running' AND batches >= $1")
    if [ -n "$out" ]; then echo "$out"; return 0; fi
    sleep 0.1
  done
  echo "backfill never reached $1 batches: $(q "SELECT * FROM migrate.backfills")" >&2
  return 1
}

# Checks the state after an interruption: some batches committed (whole
# batches: rows_done is what the table shows), not running, nothing doubled.
check_interrupted() {
  local what=$1
  local state
  state=$(q "SELECT state || ' ' || batches || ' ' || rows_done || ' ' || (rows_done = batches * 100)
                    || ' ' || (SELECT count(*) FROM items WHERE fills = 1) || ' ' || (SELECT max(fills) FROM items)
             FROM migrate.backfills")
  read -r st batches done whole filled max <<<"$state"
  echo "after $what: $st, $batches batches, $done rows committed"
  [ "$st" = pending ] || { echo "state after $what is $st"; exit 1; }
  [ "$batches" -ge 3 ] && [ "$done" -lt "$rows" ] || { echo "unexpected progress: $state"; exit 1; }
  [ "$whole" = true ] && [ "$filled" = "$done" ] && [ "$max" = 1 ] || { echo "progress and data disagree: $state"; exit 1; }
}

# 1. Cancel: the runner's session (a dblink connection) stays open afterwards.
# The dblink session lives as long as this psql: keep one open for the whole step.
coproc HOLDER { psql -X -q -At -d "$db"; }
echo "SELECT dblink_connect('runner', format('host=%s port=%s dbname=%s',
        split_part(current_setting('unix_socket_directories'), ',', 1), current_setting('port'), current_database()));
      SELECT dblink_send_query('runner', 'CALL migrate.run_backfills()');" >&"${HOLDER[1]}"
pid=$(wait_for_batches 3)
echo "SELECT dblink_cancel_query('runner');
      SELECT 'result:' || coalesce((SELECT string_agg(x, ',') FROM dblink_get_result('runner', false) AS t(x text)), '');
      SELECT 'error:' || dblink_error_message('runner');" >&"${HOLDER[1]}"
for _ in $(seq 1 100); do
  [ "$(q "SELECT count(*) FROM pg_stat_activity WHERE pid = $pid AND state = 'idle'")" = 1 ] && break
  sleep 0.1
done
expect "$(q "SELECT state FROM pg_stat_activity WHERE pid = $pid")" "^idle$"
check_interrupted "a cancel (the runner's session still open)"
expect "$(q "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = $pid")" "^0$"
exec {HOLDER[1]}>&-
[ -z "${HOLDER_PID:-}" ] || wait "$HOLDER_PID" 2>/dev/null || true # bash unsets it once the coprocess is gone

# 2. pg_terminate_backend.
psql -X -q -d "$db" -c "CALL migrate.run_backfills()" >/dev/null 2>&1 &
runner=$!
pid=$(wait_for_batches "$(($(q "SELECT batches FROM migrate.backfills") + 3))")
q "SELECT pg_terminate_backend($pid)" >/dev/null
wait "$runner" || true
check_interrupted "pg_terminate_backend"

# 3. A crash: kill -9 of the runner's backend; the server restarts.
psql -X -q -d "$db" -c "CALL migrate.run_backfills()" >/dev/null 2>&1 &
runner=$!
pid=$(wait_for_batches "$(($(q "SELECT batches FROM migrate.backfills") + 3))")
kill -9 "$pid"
wait "$runner" || true
for _ in $(seq 1 100); do q "SELECT 1" >/dev/null 2>&1 && break; sleep 0.2; done
check_interrupted "a backend crash (kill -9)"

# The next call finishes the work, each row exactly once.
psql -X -q -v ON_ERROR_STOP=1 -d "$db" -c "SELECT migrate.backfill('fill_y', 'e1', \$\$
  UPDATE items SET y = id * 2, fills = fills + 1
  WHERE id IN (SELECT id FROM items WHERE id > coalesce(\$1::bigint, 0) ORDER BY id LIMIT 100)
  RETURNING id\$\$, pause => '0')" -c "CALL migrate.run_backfills()" >/dev/null 2>&1
expect "$(q "SELECT state || ' ' || rows_done || ' ' || batches FROM migrate.backfills")" "^done $rows $((rows / 100))$"
expect "$(q "SELECT count(*) FILTER (WHERE fills = 1 AND y = id * 2) || ' ' || max(fills) FROM items")" "^$rows 1$"
