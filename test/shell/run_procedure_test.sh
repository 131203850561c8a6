#!/usr/bin/env bash
# CALL migrate.run(): a commit per revision (a failure at revision k leaves
# 1..k-1 applied and journaled) and a resume; CREATE INDEX CONCURRENTLY in a
# background worker while another session keeps writing to the table; a
# cancel in the middle of a build, then a rerun that drops the INVALID index
# and builds a valid one; two calls at once serialize; a role without grants
# cannot start a worker.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
fresh_db migrate_run_procedure
state() { q "SELECT coalesce(string_agg(c, ','), 'base') FROM migrate.current() c"; }

psql -X -q -v ON_ERROR_STOP=1 -d "$db" >/dev/null <<'SQL'
CREATE EXTENSION migrate;
CREATE TABLE ran (revision text);
SELECT migrate.revision('r1', '{}', $$CREATE TABLE big (id bigserial PRIMARY KEY, v int);
  INSERT INTO big (v) SELECT g % 1000 FROM generate_series(1, 200000) g; INSERT INTO ran VALUES ('r1')$$, 'DROP TABLE big');
SELECT migrate.revision('r2', '{r1}', $$INSERT INTO ran VALUES ('r2')$$, 'SELECT 1');
SELECT migrate.revision('r3', '{r2}', $$INSERT INTO ran VALUES ('r3'); SELECT 1 / 0$$, 'SELECT 1');
SELECT migrate.revision('r4', '{r3}', $$INSERT INTO ran VALUES ('r4')$$, 'SELECT 1');
SQL

# 1. A failure at r3: r1 and r2 stay applied and journaled, r3 left nothing behind.
out=$(psql -X -q -d "$db" -c "CALL migrate.run('r4')" 2>&1 || true)
echo "$out" | grep -q 'ERROR:  division by zero' || { echo "unexpected: $out"; exit 1; }
echo "$out" | grep -q 'migrate.run stopped at revision r3: 2 revisions before it applied and committed; the database is at r2' \
  || { echo "no stop report: $out"; exit 1; }
expect "$(state)" "^r2$"
expect "$(q "SELECT string_agg(revision, ',' ORDER BY id) FROM migrate.journal")" "^r1,r2$"
expect "$(q "SELECT string_agg(revision, ',' ORDER BY revision) FROM ran")" "^r1,r2$"
# Fixed, the next call resumes at r3.
q "SELECT migrate.revision('r3', '{r2}', \$\$INSERT INTO ran VALUES ('r3')\$\$, 'SELECT 1')" >/dev/null
psql -X -q -v ON_ERROR_STOP=1 -d "$db" -c "CALL migrate.run('r4')" >/dev/null 2>&1
expect "$(state)" "^r4$"
expect "$(q "SELECT string_agg(revision, ',' ORDER BY revision) FROM ran")" "^r1,r2,r3,r4$"

# 2. CREATE INDEX CONCURRENTLY while another session inserts all along.
q "SELECT migrate.revision('r5', '{r4}', 'CREATE INDEX CONCURRENTLY big_v_idx ON big (v)', 'DROP INDEX big_v_idx', transactional => false)" >/dev/null
psql -X -q -d "$db" >/tmp/$db.writer.log 2>&1 <<'SQL' &
DO $$ BEGIN
  FOR i IN 1..400 LOOP INSERT INTO big (v) VALUES (-1); COMMIT; PERFORM pg_sleep(0.005); END LOOP;
END $$;
SQL
writer=$!
sleep 0.3
before=$(q "SELECT count(*) FROM big WHERE v = -1")
out=$(psql -X -q -v ON_ERROR_STOP=1 -d "$db" -c "CALL migrate.run('r5')" 2>&1)
during=$(q "SELECT count(*) FROM big WHERE v = -1")
wait "$writer"
[ ! -s /tmp/$db.writer.log ] || { echo "writer failed: $(cat /tmp/$db.writer.log)"; exit 1; }
rm -f /tmp/$db.writer.log
echo "$out" | grep -q 'Running upgrade r4 -> r5 (outside a transaction)' || { echo "unexpected: $out"; exit 1; }
echo "writes during the build: $before before the call, $during when it returned, $(q "SELECT count(*) FROM big WHERE v = -1") in all"
[ "$during" -gt "$before" ] || { echo "no write went through during the build"; exit 1; }
expect "$(q "SELECT indisvalid FROM pg_index WHERE indexrelid = 'big_v_idx'::regclass")" "^t$"
expect "$(state)" "^r5$"
expect "$(q "SELECT count(*) FROM big WHERE v = -1")" "^400$"

# 3. Cancel in the middle of a build: an old snapshot keeps CREATE INDEX
# CONCURRENTLY waiting after it has made the (invalid) index.
q "SELECT migrate.revision('r6', '{r5}', 'CREATE UNIQUE INDEX CONCURRENTLY big_id_v_idx ON big (id, v)', 'DROP INDEX big_id_v_idx', transactional => false)" >/dev/null
coproc BLOCKER { psql -X -q -At -d "$db"; }
echo "BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT count(*) FROM ran;" >&"${BLOCKER[1]}"
sleep 0.3
psql -X -q -d "$db" -c "CALL migrate.run('r6')" >/tmp/$db.run.log 2>&1 &
runner=$!
for _ in $(seq 1 200); do
  [ "$(q "SELECT count(*) FROM pg_class WHERE relname = 'big_id_v_idx'")" = 1 ] &&
    [ -n "$(q "SELECT 1 FROM pg_stat_activity WHERE backend_type = 'migrate worker' AND wait_event_type = 'Lock'")" ] && break
  sleep 0.1
done
expect "$(q "SELECT indisvalid FROM pg_index WHERE indexrelid = 'big_id_v_idx'::regclass")" "^f$"
q "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE query = 'CALL migrate.run(''r6'')'" >/dev/null
wait "$runner" || true
grep -q 'canceling statement due to user request' /tmp/$db.run.log || { echo "not cancelled: $(cat /tmp/$db.run.log)"; exit 1; }
for _ in $(seq 1 100); do
  [ "$(q "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'migrate worker'")" = 0 ] && break
  sleep 0.1
done
expect "$(q "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'migrate worker'")" "^0$"
expect "$(state)" "^r5$"
expect "$(q "SELECT indisvalid FROM pg_index WHERE indexrelid = 'big_id_v_idx'::regclass")" "^f$"
echo "COMMIT;" >&"${BLOCKER[1]}"
exec {BLOCKER[1]}>&-
wait "$BLOCKER_PID" 2>/dev/null || true
out=$(psql -X -q -v ON_ERROR_STOP=1 -d "$db" -c "CALL migrate.run('r6')" 2>&1)
echo "$out" | grep -q 'dropping invalid index public.big_id_v_idx' || { echo "invalid index not dropped: $out"; exit 1; }
expect "$(q "SELECT indisvalid FROM pg_index WHERE indexrelid = 'big_id_v_idx'::regclass")" "^t$"
expect "$(state)" "^r6$"
rm -f /tmp/$db.run.log

# 4. Two calls at once: the second waits for the first, then finds less (or nothing) to do.
psql -X -q -v ON_ERROR_STOP=1 -d "$db" >/dev/null <<'SQL'
SELECT migrate.revision('r7', '{r6}', $$INSERT INTO ran VALUES ('r7'); SELECT pg_sleep(0.5)$$, 'SELECT 1');
SELECT migrate.revision('r8', '{r7}', $$INSERT INTO ran VALUES ('r8'); SELECT pg_sleep(0.5)$$, 'SELECT 1');
SQL
psql -X -q -d "$db" -c "CALL migrate.run()" >/dev/null 2>&1 &
first=$!
psql -X -q -d "$db" -c "CALL migrate.run()" >/dev/null 2>&1 &
second=$!
wait "$first"; wait "$second"
expect "$(q "SELECT string_agg(revision || ':' || n, ',' ORDER BY revision) FROM (SELECT revision, count(*) n FROM ran WHERE revision IN ('r7', 'r8') GROUP BY revision) s")" "^r7:1,r8:1$"
expect "$(state)" "^r8$"

# 5. A role without grants can neither call the runner nor so start a worker.
psql -X -q -d "$db" -c "DROP ROLE IF EXISTS migrate_run_nobody" -c "CREATE ROLE migrate_run_nobody LOGIN PASSWORD 'nobody'" >/dev/null
out=$(PGPASSWORD=nobody psql -X -q -d "$db" -U migrate_run_nobody -c "CALL migrate.run()" 2>&1 || true)
psql -X -q -d "$db" -c "DROP ROLE migrate_run_nobody" >/dev/null 2>&1 || true
expect "$out" "permission denied for procedure run"
