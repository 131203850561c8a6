#!/usr/bin/env bash
# perf profile of one upgrade('head') over N CREATE TABLE revisions (issue 11),
# in the cluster of the libpq environment (run it under pg_virtualenv -t):
#   pg_virtualenv -t bash -c 'LT=5s OUT=/tmp/perf5.data bench/profile_upgrade.sh'
#   perf report -i /tmp/perf5.data --no-children --sort sym -g none
# LT sets migrate.lock_timeout (0: no subtransactions, no retries).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
N=${N:-1000}
LT=${LT:-5s}
OUT=${OUT:-/tmp/perf.data}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
linear_revisions "$N" "CREATE TABLE t_%d (id int PRIMARY KEY, v text)" "DROP TABLE t_%d" >"$work/load.sql"
P=("$(pg_config --bindir)/psql" -X -q -v ON_ERROR_STOP=1)
dropdb --if-exists profile_upgrade 2>/dev/null
createdb profile_upgrade
"${P[@]}" -d profile_upgrade -c "CREATE EXTENSION migrate" -f "$work/load.sql" >/dev/null
mkfifo "$work/in"
"${P[@]}" -At -d profile_upgrade <"$work/in" >"$work/out" 2>&1 &
exec 3>"$work/in"
echo "SET client_min_messages = warning; SET migrate.lock_timeout = '$LT'; SELECT 'pid=' || pg_backend_pid();" >&3
for _ in $(seq 50); do grep -q pid= "$work/out" && break; sleep 0.1; done
pid=$(sed -n 's/^pid=//p' "$work/out")
perf record -F 2000 -g -p "$pid" -o "$OUT" 2>/dev/null &
perf_pid=$!
sleep 1
echo '\timing on' >&3
echo "SELECT count(*) FROM migrate.upgrade('head');" >&3
echo "SELECT 'done';" >&3
for _ in $(seq 600); do grep -q '^done' "$work/out" && break; sleep 0.1; done
kill -INT "$perf_pid"
wait "$perf_pid" || true
exec 3>&-
grep -E '^Time|^[0-9]+$' "$work/out"
dropdb profile_upgrade
