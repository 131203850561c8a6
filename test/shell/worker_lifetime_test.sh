#!/usr/bin/env bash
# CALL migrate.run()'s background worker never outlives its caller, and a
# later run() never overlaps an earlier run's worker. The statement is a
# CREATE INDEX CONCURRENTLY on an expression that logs every evaluation
# through dblink (a connection of its own, so the log survives the build's
# rollback), with the number of migrate workers alive at that moment
# (counted by the logging connection: a backend's own view of
# pg_stat_activity stays as it was at its transaction's first look).
# 1. pg_terminate_backend() of the caller mid-build, a new run() at once.
# 2. The caller's client dies (kill -9 of psql) mid-build, a new run() at once.
# 3. A second run() while the first one's build runs (both clients alive).
# 4. pg_terminate_backend() of the worker: the caller fails, the next run() rebuilds.
# 5. kill -9 of the caller (a crash: the postmaster restarts every process).
# Each time: no two builds ever overlap, exactly one completes, the index is
# valid and the database is at the revision.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
fresh_db migrate_worker_lifetime
rows=20
conn="dbname=$db host=${PGHOST:-localhost} port=${PGPORT:-5432} user=${PGUSER:-$(id -un)} password=${PGPASSWORD:-}"

psql -X -q -v ON_ERROR_STOP=1 -d "$db" -v conn="$conn" -v rows="$rows" >/dev/null <<'SQL'
CREATE EXTENSION migrate;
CREATE EXTENSION dblink;
CREATE TABLE build_log (pid int, index_name text, row_id int, workers int, at timestamptz DEFAULT clock_timestamp());
CREATE TABLE items AS SELECT g AS id FROM generate_series(1, :rows) g;
CREATE TABLE log_target AS SELECT :'conn'::text AS conn;
-- The index expression: logs (outside the build's transaction), then sleeps.
CREATE FUNCTION slow_key(id int, index_name text) RETURNS int IMMUTABLE LANGUAGE plpgsql AS $fn$
BEGIN
  PERFORM public.dblink_exec((SELECT conn FROM public.log_target), format(
    'INSERT INTO public.build_log (pid, index_name, row_id, workers) SELECT %s, %L, %s, count(*) '
    'FROM pg_catalog.pg_stat_activity WHERE backend_type = ''migrate worker''',
    pg_catalog.pg_backend_pid(), index_name, id));
  PERFORM pg_catalog.pg_sleep(0.1);
  RETURN id;
END $fn$;
SELECT migrate.revision('a1', '{}', 'SELECT 1');
SQL

# register <revision> <parent> <index>: a revision building <index> slowly.
register() {
  q "SELECT migrate.revision('$1', '{$2}', 'CREATE INDEX CONCURRENTLY $3 ON items (slow_key(id, ''$3''))',
                             'DROP INDEX $3', transactional => false)" >/dev/null
}
# started <index>: waits until a build of <index> has evaluated 3 rows.
started() {
  for _ in $(seq 1 300); do
    [ "$(q "SELECT count(*) >= 3 FROM build_log WHERE index_name = '$1'")" = t ] && return 0
    sleep 0.05
  done
  echo "the build of $1 did not start"; exit 1
}
# check <index> <revision> <builds>: the builds of <index> never overlapped,
# only the last one completed, the index is valid, the database is at <revision>.
check() {
  local index=$1 revision=$2 builds=$3
  expect "$(q "SELECT count(DISTINCT pid) FROM build_log WHERE index_name = '$index'")" "^$builds$"
  expect "$(q "SELECT coalesce(max(workers), 0) FROM build_log WHERE index_name = '$index'")" "^1$"
  expect "$(q "WITH b AS (SELECT pid, min(at) s, max(at) f FROM build_log WHERE index_name = '$index' GROUP BY pid)
               SELECT count(*) FROM b x JOIN b y ON x.pid < y.pid AND x.s <= y.f AND y.s <= x.f")" "^0$"
  # Exactly one build evaluated every row, and it is the last one.
  expect "$(q "SELECT string_agg((n = $rows)::text, ',' ORDER BY s) FROM (SELECT min(at) s, count(*) n
               FROM build_log WHERE index_name = '$index' GROUP BY pid) b")" "^(false,)*true$"
  expect "$(q "SELECT indisvalid FROM pg_index WHERE indexrelid = '$index'::regclass")" "^t$"
  expect "$(q "SELECT count(*) FROM pg_class WHERE relname LIKE '${index}%'")" "^1$"
  expect "$(q "SELECT string_agg(c, ',') FROM migrate.current() c")" "^$revision$"
  expect "$(q "SELECT count(*) FROM migrate.journal WHERE revision = '$revision'")" "^1$"
  expect "$(q "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'migrate worker'")" "^0$"
}
caller_pid() { q "SELECT pid FROM pg_stat_activity WHERE application_name = '$1' AND backend_type = 'client backend'"; }
run_as() { PGAPPNAME=$1 psql -X -q -d "$db" -c "CALL migrate.run()" >"/tmp/$db.$1.log" 2>&1; }
# start_run <name>: run_as in the background; $! is the psql process itself.
start_run() { (PGAPPNAME=$1 exec psql -X -q -d "$db" -c "CALL migrate.run()" >"/tmp/$db.$1.log" 2>&1) & }
trap 'rm -f /tmp/$db.*.log; dropdb --if-exists "$db" 2>/dev/null || true' EXIT

# 1. The caller is terminated while its worker builds.
register b2 a1 items_b2_idx
start_run first1
first=$!
started items_b2_idx
q "SELECT pg_terminate_backend($(caller_pid first1))" >/dev/null
run_as second1 || { echo "the second run failed: $(cat /tmp/$db.second1.log)"; exit 1; }
wait "$first" || true
grep -q 'terminating connection due to administrator command' "/tmp/$db.first1.log" ||
  { echo "first run not terminated: $(cat /tmp/$db.first1.log)"; exit 1; }
grep -q 'dropping invalid index public.items_b2_idx' "/tmp/$db.second1.log" ||
  { echo "second run did not drop the invalid index: $(cat /tmp/$db.second1.log)"; exit 1; }
check items_b2_idx b2 2

# 2. The caller's client dies (kill -9 of psql) while the worker builds.
register c3 b2 items_c3_idx
start_run first2
first=$!
started items_c3_idx
lost=$(caller_pid first2)
kill -9 "$first"
wait "$first" 2>/dev/null || true
run_as second2 || { echo "the second run failed: $(cat /tmp/$db.second2.log)"; exit 1; }
expect "$(q "SELECT count(*) FROM pg_stat_activity WHERE pid = $lost")" "^0$"
check items_c3_idx c3 2

# 3. A second run() while the first one's build runs: it waits, and has nothing left to do.
register d4 c3 items_d4_idx
start_run first3
first=$!
started items_d4_idx
timeout 60 bash -c "PGAPPNAME=second3 psql -X -q -d '$db' -c 'CALL migrate.run()' >/tmp/$db.second3.log 2>&1" ||
  { echo "the second run failed or hung: $(cat /tmp/$db.second3.log)"; exit 1; }
wait "$first" || { echo "the first run failed: $(cat /tmp/$db.first3.log)"; exit 1; }
grep -q 'nothing to do; the database is at d4' "/tmp/$db.second3.log" ||
  { echo "unexpected: $(cat /tmp/$db.second3.log)"; exit 1; }
check items_d4_idx d4 1

# 4. The worker itself is terminated: its caller fails, saying where the
# database is; the next run() drops the invalid index and builds it again.
register e5 d4 items_e5_idx
start_run first4
first=$!
started items_e5_idx
q "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE backend_type = 'migrate worker'" >/dev/null
wait "$first" && { echo "the first run did not fail: $(cat /tmp/$db.first4.log)"; exit 1; }
grep -q 'migrate.run stopped at revision e5: 0 revisions before it applied and committed; the database is at d4' \
  "/tmp/$db.first4.log" || { echo "no stop report: $(cat /tmp/$db.first4.log)"; exit 1; }
run_as second4 || { echo "the second run failed: $(cat /tmp/$db.second4.log)"; exit 1; }
check items_e5_idx e5 2

# 5. kill -9 of the caller: the postmaster restarts every process, the worker
# included; the next run() drops the invalid index and builds it again.
register f6 e5 items_f6_idx
start_run first5
first=$!
started items_f6_idx
kill -9 "$(caller_pid first5)"
wait "$first" || true
for _ in $(seq 1 100); do q "SELECT 1" >/dev/null 2>&1 && break; sleep 0.1; done
run_as second5 || { echo "the run after the crash failed: $(cat /tmp/$db.second5.log)"; exit 1; }
check items_f6_idx f6 2
