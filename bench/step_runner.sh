#!/usr/bin/env bash
# What running steps costs next to the DDL itself (issue 11), paired and
# alternating so that the file system's drift (creating a table's files
# dominates, and varies several-fold on a shared machine) hits every side
# alike: per run, three fresh databases (none dropped while timing) and, in
# alternating order,
#   psql   psql -1 -f of N  CREATE TABLE t_i (id int PRIMARY KEY, v text)
#   new    psql -c "SELECT count(*) FROM migrate.upgrade('head')" over the
#          same DDL as N revisions, with the installed build
#   base   the same with another build (BASE_DESTDIR: a `make install
#          DESTDIR=...` of it, loaded through extension_destdir); skipped
#          when unset
# Prints wall time and the backend's user and system CPU time (from
# /proc/<pid>/stat, 10 ms ticks) per run, the medians, and the medians of
# the per-run ratios to psql.
#
# Usage: bench/step_runner.sh                   (re-runs itself under pg_virtualenv -t)
#        BASE_DESTDIR=/tmp/dest-main bench/step_runner.sh
#        TMPDIR=/dev/shm bench/step_runner.sh   (the cluster on tmpfs: less file-system noise)
#        N=1000 RUNS=9 ...
set -euo pipefail
. "$(dirname "$0")/lib.sh"
N=${N:-1000}
RUNS=${RUNS:-9}
BASE_DESTDIR=${BASE_DESTDIR:-}
if [[ -z "${PGHOST:-}${PGPORT:-}${PGDATABASE:-}" ]]; then
  exec pg_virtualenv -t "$0" "$@"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
seq 1 "$N" | awk '{ printf "CREATE TABLE t_%d (id int PRIMARY KEY, v text);\n", $1 }' >"$work/ddl.sql"
echo "SELECT 'stat=' || pg_read_file('/proc/self/stat');" >>"$work/ddl.sql"
linear_revisions "$N" "CREATE TABLE t_%d (id int PRIMARY KEY, v text)" "DROP TABLE t_%d" >"$work/load.sql"
P=("$(pg_config --bindir)/psql" -X -q -At -v ON_ERROR_STOP=1)
export PGOPTIONS='-c client_min_messages=warning'

modes=(psql new)
[[ -n "$BASE_DESTDIR" ]] && modes+=(base)
declare -A result
n=0
echo "== N=$N, $RUNS runs; data directory under ${TMPDIR:-/tmp}; fsync=$(psql -X -At -d postgres -c 'SHOW fsync')"
for run in $(seq 1 "$RUNS"); do
  order=("${modes[@]}")
  ((run % 2 == 0)) && order=($(printf '%s\n' "${modes[@]}" | tac))
  line="run $run:"
  for mode in "${order[@]}"; do
    n=$((n + 1))
    db=step_runner_${mode}_$n
    createdb "$db"
    if [[ $mode == psql ]]; then
      s=$(now_ms)
      out=$("${P[@]}" -1 -d "$db" -f "$work/ddl.sql")
      e=$(now_ms)
    else
      [[ $mode == base ]] && "${P[@]}" -d "$db" -c "ALTER DATABASE $db SET extension_destdir = '$BASE_DESTDIR'"
      "${P[@]}" -d "$db" -c "CREATE EXTENSION migrate" -f "$work/load.sql" >/dev/null
      s=$(now_ms)
      out=$("${P[@]}" -d "$db" -c "SELECT count(*) FROM migrate.upgrade('head')" \
        -c "SELECT 'stat=' || pg_read_file('/proc/self/stat')")
      e=$(now_ms)
      [[ "$(echo "$out" | head -1)" == "$N" ]]
    fi
    result[$mode,$run]=$(echo "$out" | figures "$(awk -v a="$s" -v b="$e" 'BEGIN { print b - a }')")
    line="$line  $mode ${result[$mode,$run]// //}"
  done
  echo "$line  (wall/user/system ms)"
done
for mode in "${modes[@]}"; do
  printf '%-5s median wall %5.0f ms, user %4.0f ms, system %4.0f ms; median of per-run wall ratios to psql %.3f\n' \
    "$mode" "$(result_median "$mode" 1)" "$(result_median "$mode" 2)" "$(result_median "$mode" 3)" \
    "$(ratio_median "$mode" psql)"
done
for d in $(psql -X -At -d postgres -c "SELECT datname FROM pg_database WHERE datname LIKE 'step\_runner\_%'"); do
  dropdb "$d"
done
