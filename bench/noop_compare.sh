#!/usr/bin/env bash
# No-op upgrade('head') of two builds side by side in one cluster (issue 12):
# one database per build (extension_destdir set per database), 1,000
# revisions applied, pgbench in one connection, runs alternating between
# the builds so that the machine's load hits both alike.
# Usage: BASE=/tmp/dest-base HEAD=/tmp/dest-head bench/noop_compare.sh   (re-runs itself under pg_virtualenv -t)
set -euo pipefail
RUNS=${RUNS:-7}
N=${N:-1000}
if [[ -z "${PGHOST:-}${PGPORT:-}${PGDATABASE:-}" ]]; then
  exec pg_virtualenv -t "$0" "$@"
fi
export PGOPTIONS='-c client_min_messages=error'
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "SELECT count(*) FROM migrate.upgrade('head');" >"$work/noop.sql"
for build in base head; do
  dir=$([[ $build == base ]] && echo "$BASE" || echo "$HEAD")
  dropdb --if-exists "noop_$build"; createdb "noop_$build"
  psql -X -q -d "noop_$build" -c "ALTER DATABASE noop_$build SET extension_destdir = '$dir'"
  psql -X -q -v ON_ERROR_STOP=1 -d "noop_$build" -c "CREATE EXTENSION migrate" -c "
    DO \$\$ BEGIN FOR i IN 1..$N LOOP
      PERFORM migrate.revision(format('r%s', i), CASE WHEN i = 1 THEN '{}'::text[] ELSE ARRAY[format('r%s', i - 1)] END, 'SELECT 1');
    END LOOP; END \$\$" -c "SELECT count(*) FROM migrate.upgrade('head')" >/dev/null
done
declare -A lat
for run in $(seq 1 "$RUNS"); do
  for build in base head; do
    l=$(pgbench -n -c 1 -t 3000 -f "$work/noop.sql" "noop_$build" 2>/dev/null | sed -n 's/^latency average = \(.*\) ms$/\1/p')
    lat[$build]+="$l "
  done
done
for build in base head; do
  echo "no-op upgrade('head'), $N revisions applied, $build: $(echo ${lat[$build]} | tr ' ' '\n' | sort -n | awk '{ v[NR] = $1 } END { printf "median %.3f ms, min %.3f ms", v[int((NR + 1) / 2)], v[1] }') (pgbench 3000 transactions x $RUNS, alternating)"
done
