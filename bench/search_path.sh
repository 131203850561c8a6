#!/usr/bin/env bash
# What running every engine query under search_path = pg_catalog, pg_temp
# costs (issue 9, item 1): a GUC nest level set and popped around each query.
# Compare two builds by running this once with each installed. The machine is
# shared, so each figure is the backend's CPU time (user + system, from
# /proc/<pid>/stat, 10 ms ticks), the least of RUNS runs (default 5):
#   heads():    one engine query per call (the catalog version; the graph is cached),
#               200,000 calls, the caller's path short ("$user", public) and long (8 schemas);
#   revision(): 1,000 registrations in one transaction (about 6 engine queries each), 10 times;
#   upgrade():  1,000 revisions of `SELECT 1`, migrate.lock_timeout = 0, 10 times (rolled back).
# Run: pg_virtualenv -t bash bench/search_path.sh
set -e
P="$(pg_config --bindir)/psql -X -q -d postgres"
RUNS=${RUNS:-5}
$P -c "DROP EXTENSION IF EXISTS migrate CASCADE" -c "CREATE EXTENSION migrate" >/dev/null 2>&1
$P -c "SELECT migrate.revision('a1', '{}', 'SELECT 1')" >/dev/null
$P -c "SELECT count(migrate.revision('u' || i, CASE WHEN i = 1 THEN '{a1}'::text[] ELSE ARRAY['u' || (i - 1)] END, 'SELECT 1')) FROM generate_series(1, 1000) i" >/dev/null
for s in s1 s2 s3 s4 s5 s6; do $P -c "CREATE SCHEMA IF NOT EXISTS $s" >/dev/null; done
tick_ms=$((1000 / $(getconf CLK_TCK)))
# cpu_ms <setup> <statement> [times]: the backend's CPU time for <statement> run <times> times,
# after <setup> and a warm-up run.
cpu_ms() {
  local repeated
  repeated=$(for _ in $(seq "${3:-1}"); do echo "$2;"; done)
  $P -At <<SQL | paste -sd' ' | awk -v t="$tick_ms" '{print ($2 - $1) * t}'
\o /dev/null
$1;
$2;
SELECT pg_backend_pid() AS pid \gset
\setenv PID :pid
\! awk '{print \$14 + \$15}' /proc/\$PID/stat
$repeated
\! awk '{print \$14 + \$15}' /proc/\$PID/stat
SQL
}
least() { for _ in $(seq "$RUNS"); do cpu_ms "$@"; done | sort -n | head -1; }
heads='SELECT count(h) FROM (SELECT migrate.heads() AS h FROM generate_series(1, 200000)) s'
short=$(least 'SELECT 1' "$heads")
long=$(least 'SET search_path = s1, s2, s3, s4, s5, s6, public, pg_catalog' "$heads")
reg=$(least 'SELECT 1' "BEGIN; SELECT count(migrate.revision('r' || i, ARRAY['a1'], 'SELECT 1')) FROM generate_series(1, 1000) i; ROLLBACK" 10)
up=$(least 'SET client_min_messages = warning; SET migrate.lock_timeout = 0' "BEGIN; SELECT count(*) FROM migrate.upgrade('head'); ROLLBACK" 10)
echo "least CPU of $RUNS runs: heads() x200000: short path $short ms, long path $long ms; 10 x 1000 revision(): $reg ms; 10 x upgrade of 1000: $up ms"
