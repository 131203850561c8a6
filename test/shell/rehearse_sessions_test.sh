#!/usr/bin/env bash
# migrate.rehearse() and the engine lock, across sessions: a rehearsal
# started while an upgrade holds the lock waits for it and rehearses only
# what is left; an upgrade started during a rehearsal waits for it, then runs
# every step (the rehearsal left nothing behind, its lock included). Also:
# a rehearsal cancelled mid-statement leaves nothing.
set -euo pipefail
cd "$(dirname "$0")"
. ./lib.sh
fresh_db migrate_rehearse_sessions
psql -X -q -v ON_ERROR_STOP=1 -d "$db" >/dev/null <<'SQL'
CREATE EXTENSION migrate;
CREATE TABLE ran (revision text NOT NULL);
SELECT migrate.revision('r1', '{}', 'INSERT INTO ran VALUES (''r1''); CREATE TABLE a (id int)', 'DROP TABLE a');
SELECT migrate.revision('r2', '{r1}', 'INSERT INTO ran VALUES (''r2''); SELECT pg_sleep(1.5); CREATE TABLE b (id int)', 'DROP TABLE b');
SQL
now_ms() { date +%s%3N; }
# 1. An upgrade to r1 holds the engine lock for 1.5 s; a rehearsal waits, then sees r1 applied.
psql -X -q -At -d "$db" -c "BEGIN" -c "SELECT count(*) FROM migrate.upgrade('r1')" -c "SELECT pg_sleep(1.5)" -c "COMMIT" >/dev/null &
holder=$!
sleep 0.5
start=$(now_ms)
rows=$(PGOPTIONS='-c client_min_messages=warning' q "SELECT string_agg(revision || ':' || statement, ',') FROM migrate.rehearse()")
waited=$(($(now_ms) - start))
wait $holder
expect "$rows" '^r2:1,r2:2,r2:3$'
((waited >= 700)) || { echo "the rehearsal did not wait for the upgrade (${waited} ms)"; exit 1; }
expect "$(q "SELECT string_agg(revision, ',') FROM ran")" '^r1$'
expect "$(q "SELECT version_num FROM migrate.version")" '^r1$'
# 2. A rehearsal of r2 (1.5 s) holds the lock; an upgrade waits, then runs r2 itself.
PGOPTIONS='-c client_min_messages=warning' q "SELECT count(*) FROM migrate.rehearse()" >/dev/null &
rehearsal=$!
sleep 0.5
start=$(now_ms)
expect "$(PGOPTIONS='-c client_min_messages=warning' q "SELECT string_agg(revision, ',') FROM migrate.upgrade()")" '^r2$'
waited=$(($(now_ms) - start))
wait $rehearsal
((waited >= 700)) || { echo "the upgrade did not wait for the rehearsal (${waited} ms)"; exit 1; }
expect "$(q "SELECT string_agg(revision, ',' ORDER BY revision) FROM ran")" '^r1,r2$'
expect "$(q "SELECT to_regclass('b') IS NOT NULL")" '^t$'
# 3. A rehearsal cancelled by statement_timeout in the middle of r3: nothing stays.
q "SELECT migrate.revision('r3', '{r2}', 'INSERT INTO ran VALUES (''r3''); CREATE TABLE c (id int); SELECT pg_sleep(5)', 'DROP TABLE c')" >/dev/null
out=$(PGOPTIONS='-c statement_timeout=500' psql -X -q -At -d "$db" -c "SELECT count(*) FROM migrate.rehearse()" 2>&1 || true)
expect "$out" 'canceling statement due to statement timeout'
expect "$out" 'migrate.rehearse\(\): revision r3, statement 3'
expect "$(q "SELECT count(*) FROM ran WHERE revision = 'r3'")" '^0$'
expect "$(q "SELECT to_regclass('c') IS NULL")" '^t$'
expect "$(q "SELECT version_num FROM migrate.version")" '^r2$'
echo "ok"
