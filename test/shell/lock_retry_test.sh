#!/usr/bin/env bash
# A revision whose DDL queues behind another session's lock: with
# lock_timeout it gives up waiting, retries in a subtransaction (the
# revisions before it in the same call stay), and succeeds once the holder
# commits within the retry budget. When the holder does not let go, the
# upgrade fails cleanly with 55P03 naming the lock, the table and the holder's
# pid, and nothing is applied; CALL migrate.run() keeps the revisions before.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
fresh_db migrate_lock_retry

psql -X -q -v ON_ERROR_STOP=1 -d "$db" >/dev/null <<'SQL'
CREATE EXTENSION migrate;
SELECT migrate.revision('a1', '{}', 'CREATE TABLE t (id int)', 'DROP TABLE t');
SELECT migrate.upgrade('a1');
SELECT migrate.revision('b2', '{a1}', 'CREATE TABLE u (id int)', 'DROP TABLE u');
SELECT migrate.revision('c3', '{b2}', 'ALTER TABLE t ADD c int', 'ALTER TABLE t DROP c', lock_timeout => '200 ms');
SELECT migrate.revision('d4', '{c3}', 'CREATE TABLE v (id int)', 'DROP TABLE v');
SELECT migrate.revision('e5', '{d4}', 'ALTER TABLE t ADD e int', 'ALTER TABLE t DROP e', lock_timeout => '100 ms');
SQL

# Holds ACCESS SHARE on t for $1 seconds in the background; prints its pid once held.
hold_lock() {
  psql -X -q -d "$db" -c "BEGIN; LOCK TABLE t IN ACCESS SHARE MODE; SELECT pg_sleep($1); COMMIT;" >/dev/null 2>&1 &
  for _ in $(seq 1 100); do
    pid=$(q "SELECT pid FROM pg_locks WHERE relation = 't'::regclass AND mode = 'AccessShareLock' AND granted AND pid <> pg_backend_pid()")
    [ -n "$pid" ] && { echo "$pid"; return 0; }
    sleep 0.05
  done
  return 1
}

# 1. The holder commits after ~1.5 s; 200 ms timeouts with 200 ms, 400 ms, ... delays outlast it.
holder=$(hold_lock 1.5)
out=$(psql -X -q -At -v ON_ERROR_STOP=1 -d "$db" -c "SET migrate.lock_retries = 8" -c "SET migrate.lock_retry_delay = '200ms'" \
  -c "SELECT string_agg(revision, ',') FROM migrate.upgrade('c3')" 2>&1)
echo "$out" | grep -q 'AccessExclusiveLock on table public.t not granted within 200 ms; retry 1 of 8' || { echo "no retry NOTICE: $out"; exit 1; }
expect "$(echo "$out" | tail -n 1)" "^b2,c3$"
expect "$(q "SELECT string_agg(c, ',') FROM migrate.current() c")" "^c3$"
echo "retried $(echo "$out" | grep -c 'retry [0-9]* of') times, then applied b2 and c3"
wait

# 2. The holder stays: the upgrade fails with 55P03 and nothing is applied (d4 neither).
holder=$(hold_lock 60)
out=$(psql -X -q -At -d "$db" -c "SET migrate.lock_retries = 2" -c "SET migrate.lock_retry_delay = '50ms'" \
  -c "\\set VERBOSITY verbose" -c "SELECT migrate.upgrade('e5')" 2>&1 || true)
echo "$out" | grep -q 'ERROR:  55P03: migrate: upgrade d4 -> e5 (revision e5): AccessExclusiveLock on table public.t was not granted within lock_timeout (100 ms), 3 attempts' \
  || { echo "unexpected failure: $out"; exit 1; }
echo "$out" | grep -q "DETAIL:  Held by pid $holder (AccessShareLock, active" || { echo "holder not named: $out"; exit 1; }
expect "$(q "SELECT string_agg(c, ',') FROM migrate.current() c")" "^c3$"
expect "$(q "SELECT to_regclass('v') IS NULL")" "^t$"

# 3. The same with CALL migrate.run(): d4 is committed before e5 fails, and a later call resumes.
out=$(psql -X -q -At -d "$db" -c "SET migrate.lock_retries = 1" -c "SET migrate.lock_retry_delay = '50ms'" \
  -c "CALL migrate.run('e5')" 2>&1 || true)
echo "$out" | grep -q 'migrate.run stopped at revision e5: 1 revision before it applied and committed; the database is at d4' \
  || { echo "unexpected: $out"; exit 1; }
expect "$(q "SELECT string_agg(c, ',') FROM migrate.current() c")" "^d4$"
expect "$(q "SELECT string_agg(revision, ',' ORDER BY id) FROM migrate.journal WHERE direction = 'upgrade'")" "^a1,b2,c3,d4$"
q "SELECT pg_terminate_backend($holder)" >/dev/null
wait || true
psql -X -q -d "$db" -c "CALL migrate.run('e5')" >/dev/null 2>&1
expect "$(q "SELECT string_agg(c, ',') FROM migrate.current() c")" "^e5$"

# 4. A CREATE TABLE of new objects runs without a subtransaction, but its
# schema's lock is taken first with the retries: a DROP SCHEMA left open in
# another session is waited out and retried, named in the NOTICE.
q "CREATE SCHEMA app; CREATE TYPE app.mood AS ENUM ('calm')"
q "SELECT migrate.revision('f6', '{e5}', 'CREATE TABLE app.fresh (id int PRIMARY KEY, v text)', 'DROP TABLE app.fresh', lock_timeout => '200 ms')" >/dev/null
# ... and one whose column has a user-defined type keeps its subtransaction: a
# DROP TYPE left open is retried the same way, naming the type.
q "SELECT migrate.revision('g7', '{f6}', 'CREATE TABLE app.moods (m app.mood)', 'DROP TABLE app.moods', lock_timeout => '200 ms')" >/dev/null
for what in "DROP SCHEMA app CASCADE" "DROP TYPE app.mood CASCADE"; do
  psql -X -q -d "$db" -c "BEGIN; $what; SELECT pg_sleep(1.2); ROLLBACK;" >/dev/null 2>&1 &
  for _ in $(seq 1 100); do
    [ -n "$(q "SELECT 1 FROM pg_locks WHERE locktype = 'object' AND mode = 'AccessExclusiveLock' AND granted AND pid <> pg_backend_pid()")" ] && break
    sleep 0.05
  done
  target=$([ "$what" = "DROP SCHEMA app CASCADE" ] && echo f6 || echo g7)
  out=$(psql -X -q -At -v ON_ERROR_STOP=1 -d "$db" -c "SET migrate.lock_retries = 8" -c "SET migrate.lock_retry_delay = '200ms'" \
    -c "SELECT string_agg(revision, ',') FROM migrate.upgrade('$target')" 2>&1)
  wait
  object=$([ "$target" = f6 ] && echo "schema app" || echo "type app.mood")
  echo "$out" | grep -q "AccessShareLock on $object not granted within 200 ms; retry 1 of 8" || { echo "no retry NOTICE for $object: $out"; exit 1; }
  expect "$(echo "$out" | tail -n 1)" "^$target$"
  echo "$target: $(echo "$out" | grep -c 'retry [0-9]* of') retries on $object, then applied"
done
expect "$(q "SELECT string_agg(c, ',') FROM migrate.current() c")" "^g7$"
