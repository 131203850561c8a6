#!/usr/bin/env bash
# Wide merge benchmark (issue 9, item 8), run by hand; figures go to bench/RESULTS.md.
#
# For each N in SIZES (default "1000 10000"), in a fresh database, N bases
# b1..bN (upgrade and downgrade SQL: SELECT 1) registered in one statement,
# then, timed one after the other in one session:
#   upgrade heads:  SELECT count(*) FROM migrate.upgrade('heads')   (N steps: N version rows)
#   merge:          SELECT migrate.merge('{heads}', 'merge all', 'm')
#   plan:           SELECT count(*) FROM migrate.plan('head')       (one step: the merge of N rows)
#   upgrade:        SELECT count(*) FROM migrate.upgrade('head')    (the same step)
#   unmerge:        SELECT count(*) FROM migrate.downgrade('b1')    (m's step down: N rows again)
#   downgrade base: SELECT count(*) FROM migrate.downgrade('base')  (N steps)
#   and from the empty database:
#   plan all:       SELECT count(*) FROM migrate.plan('head')       (N + 1 steps)
#   upgrade all:    SELECT count(*) FROM migrate.upgrade('head')    (N + 1 steps)
#   downgrade all:  SELECT count(*) FROM migrate.downgrade('base')  (N + 1 steps)
# Each time is the server's (psql \timing), median of RUNS (default 3) runs on
# fresh databases. The revisions run `SELECT 1`: what is measured is the engine.
#
# Usage: bench/wide_merge.sh                       (standalone: re-runs itself under pg_virtualenv -t)
#        SIZES="1000 10000 30000" RUNS=3 bench/wide_merge.sh
#        MIGRATE_DESTDIR=/tmp/dest bench/wide_merge.sh   (a staged build: make install DESTDIR=...)
set -euo pipefail
SIZES=${SIZES:-1000 10000}
RUNS=${RUNS:-3}

if [[ -z "${PGHOST:-}${PGPORT:-}${PGDATABASE:-}" ]]; then
  opts=(-t)
  [[ -n "${MIGRATE_DESTDIR:-}" ]] && opts+=(-o "extension_destdir=$MIGRATE_DESTDIR")
  exec pg_virtualenv "${opts[@]}" "$0" "$@"
fi

PSQL=(psql -X -q -v ON_ERROR_STOP=1)
export PGOPTIONS='-c client_min_messages=warning'
median() { sort -n | awk '{ v[NR] = $1 } END { printf "%.0f", (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }

LABELS=(register upgrade_heads merge plan upgrade unmerge downgrade_base plan_all upgrade_all downgrade_all)

# One run: prints "label ms" per timed statement.
run_once() {
  local n=$1
  dropdb --if-exists bench_wide 2>/dev/null
  createdb bench_wide
  "${PSQL[@]}" -d bench_wide <<SQL | sed -n 's/^Time: \([0-9.]*\) ms.*$/\1/p' | paste -d' ' <(printf '%s\n' "${LABELS[@]}") -
CREATE EXTENSION migrate;
\timing on
SELECT count(migrate.revision('b' || i, '{}', 'SELECT 1', 'SELECT 1')) FROM generate_series(1, $n) i \g /dev/null
SELECT count(*) FROM migrate.upgrade('heads') \g /dev/null
SELECT migrate.merge('{heads}', 'merge all', 'm') \g /dev/null
SELECT count(*) FROM migrate.plan('head') \g /dev/null
SELECT count(*) FROM migrate.upgrade('head') \g /dev/null
SELECT count(*) FROM migrate.downgrade('b1') \g /dev/null
SELECT count(*) FROM migrate.downgrade('base') \g /dev/null
SELECT count(*) FROM migrate.plan('head') \g /dev/null
SELECT count(*) FROM migrate.upgrade('head') \g /dev/null
SELECT count(*) FROM migrate.downgrade('base') \g /dev/null
SQL
  # every step ran: the journal has them all, and the database is empty again
  [[ "$(psql -X -At -d bench_wide -c "SELECT count(*) FROM migrate.journal")" == "$((4 * n + 4))" ]]
  [[ "$(psql -X -At -d bench_wide -c "SELECT count(*) FROM migrate.version")" == 0 ]]
}

echo "== wide merge: N bases (SELECT 1) + one merge of all of them; median of $RUNS runs, ms (server time, psql \\timing)"
echo "library: $(psql -X -At -d postgres -c "SELECT setting FROM pg_settings WHERE name = 'extension_destdir'")$(pg_config --pkglibdir)/migrate.so"
printf '%-7s' N; printf ' %14s' "${LABELS[@]}"; echo
for n in $SIZES; do
  declare -A all=()
  for run in $(seq 1 "$RUNS"); do
    while read -r label ms; do all[$label]+="$ms "; done < <(run_once "$n")
  done
  printf '%-7s' "$n"
  for label in "${LABELS[@]}"; do printf ' %14s' "$(printf '%s\n' ${all[$label]} | median)"; done
  echo
  unset all
done
dropdb --if-exists bench_wide
