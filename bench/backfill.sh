#!/usr/bin/env bash
# Backfill benchmark (issue 4), run by hand; figures go to bench/RESULTS.md.
#
# Requirement: ROWS rows (default 10 million); a revision adds a column and the
# column is filled. Batched backfill (CALL migrate.run_backfills()) vs one
# UPDATE: goal <= 1.5x the single UPDATE's wall time, and no batch holding its
# row locks longer than 200 ms (the largest batch time is reported).
#
# Setup, once: database bf_tpl with
#   t (id bigint PRIMARY KEY, x int NOT NULL), ROWS rows from generate_series,
#   VACUUM ANALYZE t, CREATE EXTENSION migrate, and the revision add_c
#   (ALTER TABLE t ADD COLUMN c int; not applied yet).
# Each measurement, in a fresh copy (CREATE DATABASE bf_run TEMPLATE bf_tpl
# STRATEGY FILE_COPY: the same heap, index, hint bits and visibility map every time):
#   SELECT migrate.upgrade('head') (adds c), [register the backfill], CHECKPOINT,
#   reset pg_stat_statements, then time ONE of these sides:
#     single        UPDATE t SET c = x * 2                        (one psql -c)
#     migrate:B     CALL migrate.run_backfills() with the backfill
#                     UPDATE t SET c = x * 2 WHERE id > coalesce($1::bigint, 0)
#                       AND id <= (SELECT max(id) FROM (SELECT id FROM t WHERE id > coalesce($1::bigint, 0)
#                                  ORDER BY id LIMIT B) s) RETURNING id
#     plpgsql:B     the same batch SQL in a PL/pgSQL procedure loop with COMMIT after
#                   each batch (EXECUTE ... USING: parsed and planned per batch like
#                   the runner), without the runner's subtransaction and progress row:
#                   what batching itself costs, to tell it from the runner's overhead.
#   then check every row has c = x * 2 (and, for migrate, state done, rows_done = ROWS),
#   and record sizes, WAL, HOT updates, autovacuum runs; DROP DATABASE.
# Each run times every side once, in an order rotated from run to run (cache
# and checkpoint state comparable); RUNS runs (default 3). Wall time is taken
# in the shell around the psql process (connection included, ~10 ms).
#
# Per-batch times, two ways (both need INSTRUMENT=on, the default):
#   exec   pg_stat_statements (track = all, track_planning = on) max_exec_time of the
#          batch statement: the statement alone (its keyset subquery, then the
#          rows it locks and updates);
#   cycle  track_commit_timestamp: the rows a batch updated carry its (sub)transaction
#          id as xmin, so grouping t by xmin gives each batch's commit time; a batch's
#          cycle is the time from the previous commit (the CALL's start for the first)
#          to its own: parse, plan, execute, progress row, commit. A batch's row locks
#          are taken and released (at commit) within its cycle, so the cycle is an
#          upper bound of the time it holds them.
# INSTRUMENT=off runs without pg_stat_statements and commit timestamps (times only),
# to check that the instrumentation does not change the ratio.
#
# Usage (from the repo root):
#   bench/backfill.sh                          # standalone: runs under pg_virtualenv -t
#   PGHOST=... bench/backfill.sh               # inside an existing cluster (PG* set): it creates
#                                              # and drops databases bf_tpl and bf_run and a table
#                                              # bench_results in database postgres; INSTRUMENT=on
#                                              # needs pg_stat_statements preloaded (track = all)
#                                              # and track_commit_timestamp = on there
#   MIGRATE_DESTDIR=/tmp/dest bench/backfill.sh
#                                              # load a staged build (make install DESTDIR=...)
#                                              # through Debian's extension_destdir, e.g. a
#                                              # clean build of HEAD:
#                                              #   git archive HEAD | tar -x -C /tmp/m && make -C /tmp/m &&
#                                              #   make -C /tmp/m install DESTDIR=/tmp/dest
# Environment:
#   ROWS=10000000            rows in t
#   RUNS=3                   runs (each side once per run)
#   BATCHES="5000 10000 20000"  batch sizes for migrate:B
#   PLPGSQL_BATCHES=10000    batch sizes for plpgsql:B ("" for none)
#   SINGLE=on                time the single UPDATE (off: batched sides only)
#   INSTRUMENT=on            pg_stat_statements + track_commit_timestamp (see above)
#   AUTOVACUUM=on            the cluster's autovacuum setting
#   SERVER_OPTS=             more postgresql.conf settings for the throwaway cluster,
#                            space-separated name=value (e.g. "autovacuum_naptime=1s")
# pg_virtualenv creates its cluster with fsync=off; the script prints the
# settings it ran with.
set -euo pipefail
ROWS=${ROWS:-10000000}
RUNS=${RUNS:-3}
BATCHES=${BATCHES-"5000 10000 20000"}
PLPGSQL_BATCHES=${PLPGSQL_BATCHES-10000}
SINGLE=${SINGLE:-on}
INSTRUMENT=${INSTRUMENT:-on}
AUTOVACUUM=${AUTOVACUUM:-on}

if [[ -z "${PGHOST:-}${PGPORT:-}${PGDATABASE:-}${PGSERVICE:-}" ]]; then
  opts=(-t -o "autovacuum=$AUTOVACUUM")
  [[ -n "${MIGRATE_DESTDIR:-}" ]] && opts+=(-o "extension_destdir=$MIGRATE_DESTDIR")
  for o in ${SERVER_OPTS:-}; do opts+=(-o "$o"); done
  if [[ $INSTRUMENT == on ]]; then
    opts+=(-o shared_preload_libraries=pg_stat_statements -o pg_stat_statements.track=all
           -o pg_stat_statements.track_planning=on -o track_commit_timestamp=on)
  fi
  # The repository's commit, for the record (pg_virtualenv changes the directory).
  BF_REPO_HEAD="$(git -C "$(dirname "$0")" rev-parse --short HEAD 2>/dev/null || echo unknown)$(
    git -C "$(dirname "$0")" diff --quiet HEAD -- 2>/dev/null || echo ' (working tree has changes)')"
  export BF_REPO_HEAD
  exec pg_virtualenv "${opts[@]}" "$0" "$@"
fi

PSQL=("$(pg_config --bindir)/psql" -X -q -v ON_ERROR_STOP=1 -At -F '|')
export PGOPTIONS='-c client_min_messages=warning'
q() { "${PSQL[@]}" "$@"; }
now_ms() { date +%s%N | awk '{ printf "%.3f", $1 / 1e6 }'; }

# The shared library the server loads for the extension.
library_id() {
  local f
  f="$(q -d postgres -c "SELECT coalesce(current_setting('extension_destdir', true), '')")$(pg_config --pkglibdir)/migrate.so"
  if [[ -r $f ]]; then
    echo "$f (md5 $(md5sum <"$f" | cut -c1-12), modified $(date -u -r "$f" '+%Y-%m-%d %H:%M:%S UTC'))"
  else
    echo "$f (not readable here)"
  fi
}

batch_sql() { # batch_sql B: the keyset batch of B rows; $1 is the largest id of the previous batch
  echo "UPDATE t SET c = x * 2 WHERE id > coalesce(\$1::bigint, 0) AND id <= (SELECT max(id) FROM (SELECT id FROM t WHERE id > coalesce(\$1::bigint, 0) ORDER BY id LIMIT $1) s) RETURNING id"
}

echo "repo HEAD:  ${BF_REPO_HEAD:-unknown} when started (the library below is what ran; with MIGRATE_DESTDIR, the commit it was built from)"
echo "library:    $(library_id)"
echo "PostgreSQL: $(q -d postgres -c 'SHOW server_version')"
echo "machine:    $(nproc) CPUs, $(free -m | awk '/^Mem:/ {print $2}') MiB RAM, kernel $(uname -r)"
echo "settings:   $(q -d postgres -c "SELECT string_agg(name || '=' || current_setting(name), ', ' ORDER BY name) FROM pg_settings
  WHERE name IN ('fsync', 'synchronous_commit', 'full_page_writes', 'shared_buffers', 'max_wal_size', 'work_mem',
                 'autovacuum', 'autovacuum_naptime', 'track_commit_timestamp', 'shared_preload_libraries', 'wal_level',
                 'jit')")"
echo "load avg:   $(cut -d' ' -f1-3 /proc/loadavg) (start)"
LIBRARY_AT_START=$(library_id)
if [[ $INSTRUMENT == on && $(q -d postgres -c "SELECT current_setting('track_commit_timestamp') = 'on'
      AND coalesce(current_setting('pg_stat_statements.track', true), '') = 'all'") != t ]]; then
  echo "backfill.sh: INSTRUMENT=on needs shared_preload_libraries = pg_stat_statements," \
       "pg_stat_statements.track = all and track_commit_timestamp = on (or INSTRUMENT=off)" >&2
  exit 2
fi

# --- template --------------------------------------------------------------------
q -d postgres <<SQL
DROP DATABASE IF EXISTS bf_run WITH (FORCE);
DROP DATABASE IF EXISTS bf_tpl;
CREATE DATABASE bf_tpl;
DROP TABLE IF EXISTS bench_results;
CREATE TABLE bench_results (
  run int, seq int, side text, batch int,
  wall_ms float8, server_ms float8,
  ok boolean, batches bigint, rows_done bigint,
  exec_max_ms float8, exec_mean_ms float8, exec_total_ms float8, plan_total_ms float8, runner_sql_ms float8,
  cycle_n bigint, cycle_max_ms float8, cycle_mean_ms float8, cycle_p99_ms float8, cycles_over_200 bigint,
  wal_mb float8, checkpoints bigint, heap_mb float8, index_mb float8, hot_updates bigint, autovacuums bigint);
SQL
if [[ $INSTRUMENT == on ]]; then
  q -d postgres -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements"
fi
s=$(now_ms)
q -d bf_tpl -v rows="$ROWS" <<'SQL'
CREATE EXTENSION migrate;
CREATE TABLE t (id bigint PRIMARY KEY, x int NOT NULL);
INSERT INTO t SELECT g, (g % 100000)::int FROM generate_series(1, :rows) g;
VACUUM ANALYZE t;
SELECT migrate.revision('add_c', '{}', 'ALTER TABLE t ADD COLUMN c int', 'ALTER TABLE t DROP COLUMN c', 'add c') \g /dev/null
-- plpgsql:B: the same batch SQL, parsed and planned per batch (EXECUTE), a COMMIT per batch.
CREATE PROCEDURE bench_fill(batch_sql text) LANGUAGE plpgsql AS $p$
DECLARE
  k bigint;
  n bigint;
BEGIN
  LOOP
    EXECUTE 'WITH b AS (' || batch_sql || ') SELECT max(id), count(*) FROM b' INTO k, n USING k;
    EXIT WHEN n = 0;
    COMMIT;
  END LOOP;
END
$p$;
SQL
e=$(now_ms)
echo "template:   $ROWS rows in $(awk -v a="$s" -v b="$e" 'BEGIN { printf "%.1f s", (b - a) / 1000 }');" \
     "t is $(q -d bf_tpl -c "SELECT pg_size_pretty(pg_table_size('t')) || ' heap + ' || pg_size_pretty(pg_indexes_size('t')) || ' index'")"
HEAP0=$(q -d bf_tpl -c "SELECT round(pg_table_size('t') / 1048576.0, 1)")
INDEX0=$(q -d bf_tpl -c "SELECT round(pg_indexes_size('t') / 1048576.0, 1)")
echo

# --- one measurement ----------------------------------------------------------------
# measure RUN SEQ SIDE: a fresh copy of the template, the side timed, one row of bench_results.
measure() {
  local run=$1 seq=$2 side=$3 kind batch=0 stmt out s e start end wal0 ckpt0 ckpt1 j_run j_cycles='{}' j_stmts='{}'
  kind=${side%%:*}
  [[ $side == *:* ]] && batch=${side#*:}
  q -d postgres -c "DROP DATABASE IF EXISTS bf_run WITH (FORCE)" -c "CREATE DATABASE bf_run TEMPLATE bf_tpl STRATEGY FILE_COPY"
  q -d bf_run -c "SELECT count(*) FROM migrate.upgrade('head')" >/dev/null
  case $kind in
    single) stmt="UPDATE t SET c = x * 2" ;;
    migrate)
      q -d bf_run -v sql="$(batch_sql "$batch")" <<<"SELECT migrate.backfill('fill_c', 'add_c', :'sql')" >/dev/null
      stmt="CALL migrate.run_backfills()" ;;
    plpgsql) stmt="CALL bench_fill('$(batch_sql "$batch" | sed "s/'/''/g")')" ;;
    *) echo "backfill.sh: unknown side $side" >&2; exit 2 ;;
  esac
  q -d bf_run -c "CHECKPOINT"
  if [[ $INSTRUMENT == on ]]; then q -d postgres -c "SELECT pg_stat_statements_reset()" >/dev/null; fi
  wal0=$(q -d postgres -c "SELECT pg_current_wal_lsn()")
  ckpt0=$(q -d postgres -c "SELECT checkpoints_timed + checkpoints_req FROM pg_stat_bgwriter")

  s=$(now_ms)
  out=$(q -d bf_run -c "SELECT clock_timestamp()" -c "$stmt" -c "SELECT clock_timestamp()")
  e=$(now_ms)
  start=$(sed -n 1p <<<"$out"); end=$(sed -n 2p <<<"$out")
  ckpt1=$(q -d postgres -c "SELECT checkpoints_timed + checkpoints_req FROM pg_stat_bgwriter")

  # Checks, sizes, WAL, HOT updates, autovacuum runs (the timed session has exited: its statistics are flushed).
  j_run=$(q -d bf_run -v rows="$ROWS" -v kind="$kind" -v start="$start" -v end="$end" -v wal0="$wal0" <<'SQL'
SELECT json_build_object(
  'server_ms', extract(epoch FROM :'end'::timestamptz - :'start'::timestamptz) * 1000,
  'ok', (SELECT count(*) FILTER (WHERE c IS DISTINCT FROM x * 2) = 0 AND count(*) = :rows FROM t)
        AND (:'kind' <> 'migrate' OR (SELECT state = 'done' AND rows_done = :rows FROM migrate.backfills WHERE name = 'fill_c')),
  'batches', (SELECT batches FROM migrate.backfills WHERE name = 'fill_c'),
  'rows_done', (SELECT rows_done FROM migrate.backfills WHERE name = 'fill_c'),
  'wal_mb', round(pg_wal_lsn_diff(pg_current_wal_lsn(), :'wal0') / 1048576.0, 1),
  'heap_mb', round(pg_table_size('t') / 1048576.0, 1),
  'index_mb', round(pg_indexes_size('t') / 1048576.0, 1),
  'hot_updates', (SELECT n_tup_hot_upd FROM pg_stat_user_tables WHERE relid = 't'::regclass),
  'autovacuums', (SELECT autovacuum_count FROM pg_stat_user_tables WHERE relid = 't'::regclass))
SQL
  )
  if [[ $INSTRUMENT == on ]]; then
    # Commit timestamps of the transactions that wrote t's rows, one per batch: a
    # batch's cycle runs from the previous commit (the start of the CALL for the first) to its own.
    j_cycles=$(q -d bf_run -v start="$start" <<'SQL'
WITH c AS (SELECT pg_xact_commit_timestamp(xmin) AS ts FROM t GROUP BY xmin),
     g AS (SELECT extract(epoch FROM ts - coalesce(lag(ts) OVER (ORDER BY ts), :'start'::timestamptz)) * 1000 AS ms FROM c)
SELECT json_build_object('cycle_n', count(*), 'cycle_max_ms', max(ms), 'cycle_mean_ms', avg(ms),
                         'cycle_p99_ms', percentile_cont(0.99) WITHIN GROUP (ORDER BY ms),
                         'cycles_over_200', count(*) FILTER (WHERE ms > 200))
FROM g
SQL
    )
    # pg_stat_statements (reset just before the timed statement): the statement that
    # writes t (each batch, or the single UPDATE), and every other nested statement
    # (the runner's own catalog queries).
    j_stmts=$(q -d postgres <<'SQL'
WITH s AS (SELECT *, query ~ '^(WITH b AS \()?UPDATE t SET c = x \*' AS is_batch
           FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = 'bf_run'))
SELECT json_build_object(
  'exec_max_ms', (SELECT max(max_exec_time) FROM s WHERE is_batch),
  'exec_mean_ms', (SELECT sum(total_exec_time) / nullif(sum(calls), 0) FROM s WHERE is_batch),
  'exec_total_ms', (SELECT sum(total_exec_time) FROM s WHERE is_batch),
  'plan_total_ms', (SELECT sum(total_plan_time) FROM s WHERE is_batch),
  'runner_sql_ms', (SELECT coalesce(sum(total_exec_time + total_plan_time), 0) FROM s WHERE NOT is_batch AND NOT toplevel))
SQL
    )
  fi
  q -d postgres -v a="$j_run" -v b="$j_cycles" -v c="$j_stmts" -v run="$run" -v seq="$seq" -v side="$side" \
    -v batch="$batch" -v wall="$(awk -v a="$s" -v b="$e" 'BEGIN { print b - a }')" -v ckpts="$((ckpt1 - ckpt0))" <<'SQL'
INSERT INTO bench_results
SELECT * FROM json_populate_record(NULL::bench_results,
  (:'a'::jsonb || :'b'::jsonb || :'c'::jsonb
   || jsonb_build_object('run', :run, 'seq', :seq, 'side', :'side', 'batch', :batch,
                         'wall_ms', :wall::float8, 'checkpoints', :ckpts))::json)
SQL
  q -d postgres -c "DROP DATABASE bf_run WITH (FORCE)"
  q -d postgres -v run="$run" -v seq="$seq" <<'SQL'
SELECT format('run %s #%s %-14s %8s ms%s%s', run, seq, side, round(wall_ms::numeric),
              CASE WHEN batches IS NOT NULL THEN format(', %s batches', batches) ELSE '' END,
              CASE WHEN exec_max_ms IS NOT NULL
                   THEN format(', batch exec max %s ms, cycle max %s ms', round(exec_max_ms::numeric, 1), round(cycle_max_ms::numeric, 1))
                   ELSE '' END)
       || CASE WHEN ok THEN '' ELSE '  CHECK FAILED' END
FROM bench_results WHERE run = :run AND seq = :seq
SQL
  if [[ $(q -d postgres -c "SELECT ok FROM bench_results WHERE run = $run AND seq = $seq") != t ]]; then
    echo "backfill.sh: $side left rows with c <> x * 2, or the backfill is not done with rows_done = $ROWS" >&2
    exit 1
  fi
}

# --- runs ------------------------------------------------------------------------------
sides=()
[[ $SINGLE == on ]] && sides+=(single)
for b in $BATCHES; do sides+=("migrate:$b"); done
for b in $PLPGSQL_BATCHES; do sides+=("plpgsql:$b"); done
for side in "${sides[@]}"; do
  b=${side#*:}
  if [[ $side == *:* ]] && ! [[ $b =~ ^[1-9][0-9]*$ ]]; then
    echo "backfill.sh: batch size '$b' is not a positive integer" >&2
    exit 2
  fi
done
echo "sides:      ${sides[*]}; $RUNS runs, the order rotated each run"
for run in $(seq 1 "$RUNS"); do
  n=${#sides[@]}
  for i in $(seq 0 $((n - 1))); do
    measure "$run" $((i + 1)) "${sides[$(((i + run - 1) % n))]}"
  done
done
echo "load avg:   $(cut -d' ' -f1-3 /proc/loadavg) (end)"
if [[ $(library_id) != "$LIBRARY_AT_START" ]]; then
  echo "WARNING: the extension library changed during the run: now $(library_id)" >&2
fi

# --- summary ---------------------------------------------------------------------------
echo
echo "== Summary: $ROWS rows, $RUNS runs per side; before: t ${HEAP0} MB heap + ${INDEX0} MB index"
echo "   wall: the psql process; ratio: median wall / median wall of single (min / min in brackets)"
echo "   batch exec: pg_stat_statements max_exec_time; batch cycle: commit to commit (commit timestamps)"
echo "   server: clock_timestamp() around the statement; other: server time not spent executing or planning"
echo "   the batch statement nor in the runner's own SQL (parse, subtransactions, commits, the procedure itself)"
"$(pg_config --bindir)/psql" -X -q -d postgres -P footer=off <<'SQL'
\echo 'Wall time and batch times (ms unless marked s):'
WITH base AS (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY wall_ms) AS med, min(wall_ms) AS mn
              FROM bench_results WHERE side = 'single')
SELECT side,
       round((percentile_cont(0.5) WITHIN GROUP (ORDER BY wall_ms) / 1000)::numeric, 2) AS "wall median s",
       round((min(wall_ms) / 1000)::numeric, 2) AS "min s",
       round((max(wall_ms) / 1000)::numeric, 2) AS "max s",
       round((percentile_cont(0.5) WITHIN GROUP (ORDER BY wall_ms) / (SELECT med FROM base))::numeric, 2)
         || ' (' || round((min(wall_ms) / (SELECT mn FROM base))::numeric, 2) || ')' AS "ratio (min)",
       max(cycle_n) AS "batches",
       round(max(exec_max_ms)::numeric, 1) AS "batch exec max",
       round(avg(exec_mean_ms)::numeric, 1) AS "exec mean",
       round(max(cycle_max_ms)::numeric, 1) AS "batch cycle max",
       round(avg(cycle_mean_ms)::numeric, 1) AS "cycle mean",
       round(max(cycle_p99_ms)::numeric, 1) AS "cycle p99",
       sum(cycles_over_200) AS "cycles > 200",
       bool_and(ok) AS ok
FROM bench_results GROUP BY side
ORDER BY side <> 'single', split_part(side, ':', 1) DESC, nullif(split_part(side, ':', 2), '')::int;
\echo
\echo 'Where the server time goes (s, means over runs), WAL, checkpoints, and the table afterwards:'
SELECT side,
       round((avg(server_ms) / 1000)::numeric, 2) AS "server",
       round((avg(exec_total_ms) / 1000)::numeric, 2) AS "batch exec",
       round((avg(plan_total_ms) / 1000)::numeric, 2) AS "batch plan",
       round((avg(runner_sql_ms) / 1000)::numeric, 2) AS "runner SQL",
       round((avg(server_ms - exec_total_ms - plan_total_ms - runner_sql_ms) / 1000)::numeric, 2) AS "other",
       round(avg(wal_mb)::numeric) AS "WAL MB",
       round(avg(checkpoints)::numeric, 1) AS "checkpoints",
       round(avg(heap_mb)::numeric) || ' + ' || round(avg(index_mb)::numeric) AS "heap + index MB",
       round(avg(hot_updates)::numeric) AS "HOT updates",
       sum(autovacuums) AS "autovacuums"
FROM bench_results GROUP BY side
ORDER BY side <> 'single', split_part(side, ':', 1) DESC, nullif(split_part(side, ':', 2), '')::int;
\echo
\echo 'Every measurement:'
SELECT run, seq, side, round(wall_ms::numeric) AS "wall ms", round(exec_max_ms::numeric, 1) AS "batch exec max",
       round(cycle_max_ms::numeric, 1) AS "batch cycle max", wal_mb AS "WAL MB", checkpoints, heap_mb AS "heap MB",
       index_mb AS "index MB", hot_updates AS "HOT", autovacuums AS "autovac"
FROM bench_results ORDER BY run, seq;
SQL
echo
"$(pg_config --bindir)/psql" -X -q -At -d postgres <<'SQL'
WITH base AS (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY wall_ms) AS med FROM bench_results WHERE side = 'single')
SELECT format('goal %s: batched / single <= 1.5: %s (%s); largest batch <= 200 ms: %s (exec max %s ms, cycle max %s ms)',
              side,
              CASE WHEN percentile_cont(0.5) WITHIN GROUP (ORDER BY wall_ms) / (SELECT med FROM base) <= 1.5 THEN 'met' ELSE 'NOT met' END,
              round((percentile_cont(0.5) WITHIN GROUP (ORDER BY wall_ms) / (SELECT med FROM base))::numeric, 2),
              CASE WHEN max(cycle_max_ms) IS NULL THEN 'not measured (INSTRUMENT=off)'
                   WHEN max(cycle_max_ms) <= 200 THEN 'met' ELSE 'NOT met' END,
              coalesce(round(max(exec_max_ms)::numeric, 1)::text, '-'), coalesce(round(max(cycle_max_ms)::numeric, 1)::text, '-'))
FROM bench_results WHERE side LIKE 'migrate:%' AND EXISTS (SELECT FROM base WHERE med IS NOT NULL)
GROUP BY side ORDER BY split_part(side, ':', 2)::int;
SQL
