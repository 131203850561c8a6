#!/usr/bin/env bash
# pg_cron runs the backfills, as docs/operations.md shows: a revision creates a table with
# a nullable column, a backfill fills it in batches, and the job
#   SELECT cron.schedule('migrate-backfills', '* * * * *', 'CALL migrate.run_backfills()')
# finishes it. Every row is filled exactly once, and pg_cron records the run as
# succeeded. Needs a cluster with pg_cron preloaded, cron.database_name set to
# this database and cron.use_background_workers = on (test/cron/run.sh starts
# one): pg_cron's cron.database_name is fixed, so this test cannot make a
# database of its own; it cleans up what it creates in this one instead.
set -euo pipefail
job=migrate-backfills
rows=5000
batch=500
timeout=150 # pg_cron 1.4 schedules by the minute: the first run starts at the next minute boundary
q() { psql -X -q -At -v ON_ERROR_STOP=1 -c "$1"; }
expect() { # expect <output> <pattern>
  echo "$1" | grep -q "$2" || { echo "expected /$2/, got: $1"; exit 1; }
}

expect "$(q "SHOW shared_preload_libraries")" "pg_cron"
[ "$(q "SELECT current_setting('cron.database_name') = current_database()")" = t ] ||
  { echo "cron.database_name is $(q "SELECT current_setting('cron.database_name')"), not $(q "SELECT current_database()")"; exit 1; }

cleanup() {
  psql -X -q -At >/dev/null 2>&1 <<SQL || true
SELECT cron.unschedule(jobid) FROM cron.job WHERE jobname = '$job';
DROP EXTENSION IF EXISTS migrate CASCADE;
DROP TABLE IF EXISTS public.cron_fill;
SQL
}
# Leftovers of an earlier run of this test.
PGOPTIONS='-c client_min_messages=warning' q "CREATE EXTENSION IF NOT EXISTS pg_cron" >/dev/null
cleanup
trap cleanup EXIT

PGOPTIONS='-c client_min_messages=warning' psql -X -q -v ON_ERROR_STOP=1 >/dev/null <<SQL
CREATE EXTENSION migrate;
SELECT migrate.revision('c1', '{}',
  \$\$CREATE TABLE public.cron_fill (id int PRIMARY KEY, filled int, touched int NOT NULL DEFAULT 0);
    INSERT INTO public.cron_fill (id) SELECT generate_series(1, $rows)\$\$,
  'DROP TABLE public.cron_fill');
-- Walks the ids with the resume key: \$1 is the largest id of the last batch.
SELECT migrate.backfill('cron_fill_filled', 'c1',
  \$\$UPDATE public.cron_fill SET filled = id * 2, touched = touched + 1
    WHERE id IN (SELECT id FROM public.cron_fill WHERE id > coalesce(\$1, 0) ORDER BY id LIMIT $batch)
    RETURNING id\$\$,
  pause => '100ms');
SELECT * FROM migrate.upgrade('head');
SQL
expect "$(q "SELECT state || ' ' || rows_done FROM migrate.backfills")" "^pending 0$"
expect "$(q "SELECT count(*) FROM public.cron_fill WHERE filled IS NULL")" "^$rows$"

jobid=$(q "SELECT cron.schedule('$job', '* * * * *', 'CALL migrate.run_backfills()')")
echo "scheduled job $jobid at $(date -u +%H:%M:%S) UTC"

diagnostics() {
  echo "--- migrate.backfills"
  psql -X -c "SELECT name, state, batches, rows_done, started_at, finished_at, last_error, runner_pid FROM migrate.backfills" || true
  echo "--- cron.job_run_details"
  psql -X -c "SELECT runid, job_pid, status, return_message, start_time, end_time FROM cron.job_run_details WHERE jobid = $jobid ORDER BY runid" || true
  echo "--- pg_stat_activity (pg_cron)"
  psql -X -c "SELECT pid, backend_type, state, query FROM pg_stat_activity WHERE backend_type LIKE 'pg_cron%'" || true
  # pg_virtualenv -t logs to <workdir>/log, next to <workdir>/data; as root without -t, to /var/log/postgresql.
  local datadir logs
  datadir=$(q "SHOW data_directory" 2>/dev/null || true)
  logs=$(q "SELECT current_setting('data_directory') || '/' || pg_current_logfile()" 2>/dev/null || true)
  for log in $logs "${datadir%/data/*}"/log/*.log /var/log/postgresql/postgresql-*-regress.log; do
    [ -f "$log" ] || continue
    echo "--- $log (last 40 lines)"
    tail -n 40 "$log"
  done
}

# Wait for the backfill to finish, then for pg_cron to record the run's end.
state=
for _ in $(seq 1 $((timeout / 2))); do
  state=$(q "SELECT state FROM migrate.backfills WHERE name = 'cron_fill_filled'")
  case $state in done | failed) break ;; esac
  sleep 2
done
[ "$state" = "done" ] || { echo "backfill is '$state' after ${timeout}s, not done"; diagnostics; exit 1; }
echo "backfill done at $(date -u +%H:%M:%S) UTC"
ended=
for _ in $(seq 1 20); do
  ended=$(q "SELECT count(*) FROM cron.job_run_details WHERE jobid = $jobid AND status = 'succeeded' AND end_time IS NOT NULL")
  [ "$ended" -ge 1 ] && break
  sleep 1
done
[ "$ended" -ge 1 ] || { echo "pg_cron recorded no succeeded run of job $jobid"; diagnostics; exit 1; }
psql -X -c "SELECT runid, status, return_message, start_time FROM cron.job_run_details WHERE jobid = $jobid ORDER BY runid"

# Every row filled, each exactly once, and the progress row agrees.
expect "$(q "SELECT count(*) || ' ' || count(filled) || ' ' || count(*) FILTER (WHERE touched = 1 AND filled = id * 2) FROM public.cron_fill")" "^$rows $rows $rows$"
expect "$(q "SELECT rows_done || ' ' || batches || ' ' || coalesce(last_error, '-') || ' ' || (runner_pid IS NULL) FROM migrate.backfills")" "^$rows $((rows / batch)) - true$"
expect "$(q "SELECT resume_key FROM migrate.backfills")" "^$rows$"
# ... by pg_cron's worker, not by this session: its runs succeeded, none
# failed, and the backfill started with one of them. (Not "finished before
# its end_time": in background-worker mode pg_cron 1.4 stamps end_time when
# the launcher starts waiting for the worker's messages, not when the run ends.)
expect "$(q "SELECT count(*) FROM cron.job_run_details WHERE jobid = $jobid AND status NOT IN ('succeeded', 'running', 'starting')")" "^0$"
expect "$(q "SELECT string_agg(DISTINCT return_message, ',') FROM cron.job_run_details WHERE jobid = $jobid AND status = 'succeeded'")" "^CALL$"
expect "$(q "SELECT count(*) FROM cron.job_run_details r, migrate.backfills b
             WHERE r.jobid = $jobid AND r.status = 'succeeded' AND b.started_at BETWEEN r.start_time - interval '1 second' AND r.start_time + interval '5 seconds'")" "^1$"
expect "$(q "SELECT command FROM cron.job WHERE jobid = $jobid")" "^CALL migrate.run_backfills()$"

q "SELECT cron.unschedule($jobid)" >/dev/null
expect "$(q "SELECT count(*) FROM cron.job WHERE jobname = '$job'")" "^0$"
