#!/usr/bin/env bash
# migrate.rehearse() against migrate.upgrade() of the same plan (issue 12's
# goal: rehearsal <= 1.3x a plain upgrade): N revisions, each
# `CREATE TABLE t_i (id int PRIMARY KEY, v text)`. Per run, two fresh
# databases (none dropped while timing) and, in alternating order,
#   upgrade   psql -c "SELECT count(*) FROM migrate.upgrade('head')"
#   rehearse  psql -c "SELECT count(*) FROM migrate.rehearse('head')"
# with the installed build. The machine is shared: the pairs are what to
# read. Prints wall time and the backend's user and system CPU time (from
# /proc/<pid>/stat, 10 ms ticks) per run, the medians, and the median of the
# per-run ratios rehearse / upgrade (bench/step_runner.sh's method).
#
# Usage: bench/rehearse.sh                 (re-runs itself under pg_virtualenv -t)
#        N=1000 RUNS=5 TMPDIR=/dev/shm bench/rehearse.sh
set -euo pipefail
. "$(dirname "$0")/lib.sh"
N=${N:-1000}
RUNS=${RUNS:-5}
if [[ -z "${PGHOST:-}${PGPORT:-}${PGDATABASE:-}" ]]; then
  exec pg_virtualenv -t "$0" "$@"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
linear_revisions "$N" "CREATE TABLE t_%d (id int PRIMARY KEY, v text)" "DROP TABLE t_%d" >"$work/load.sql"
P=("$(pg_config --bindir)/psql" -X -q -At -v ON_ERROR_STOP=1)
export PGOPTIONS='-c client_min_messages=warning'

modes=(upgrade rehearse)
declare -A result
n=0
echo "== N=$N, $RUNS runs; data directory under ${TMPDIR:-/tmp}; fsync=$(psql -X -At -d postgres -c 'SHOW fsync')"
for run in $(seq 1 "$RUNS"); do
  order=("${modes[@]}")
  ((run % 2 == 0)) && order=($(printf '%s\n' "${modes[@]}" | tac))
  line="run $run:"
  for mode in "${order[@]}"; do
    n=$((n + 1))
    db=rehearse_bench_${mode}_$n
    createdb "$db"
    "${P[@]}" -d "$db" -c "CREATE EXTENSION migrate" -f "$work/load.sql" >/dev/null
    s=$(now_ms)
    out=$("${P[@]}" -d "$db" -c "SELECT count(*) FROM migrate.$mode('head')" \
      -c "SELECT 'stat=' || pg_read_file('/proc/self/stat')")
    e=$(now_ms)
    [[ "$(echo "$out" | head -1)" == "$N" ]]
    result[$mode,$run]=$(echo "$out" | figures "$(awk -v a="$s" -v b="$e" 'BEGIN { print b - a }')")
    line="$line  $mode ${result[$mode,$run]// //}"
  done
  ratio=$(run_ratio rehearse upgrade "$run")
  echo "$line  (wall/user/system ms)  rehearse/upgrade $ratio"
done
for mode in "${modes[@]}"; do
  printf '%-8s median wall %5.0f ms, user %4.0f ms, system %4.0f ms\n' "$mode" \
    "$(result_median "$mode" 1)" "$(result_median "$mode" 2)" "$(result_median "$mode" 3)"
done
ratio=$(ratio_median rehearse upgrade)
printf 'median of per-run wall ratios rehearse / upgrade: %.3f (goal <= 1.3)\n' "$ratio"
for d in $(psql -X -At -d postgres -c "SELECT datname FROM pg_database WHERE datname LIKE 'rehearse\_bench\_%'"); do
  dropdb "$d"
done
