#!/usr/bin/env bash
# The engine's own queries resolve only in pg_catalog and migrate, whatever
# the caller's search_path; a revision's own SQL keeps the caller's path.
#
# An unprivileged role owns schema `hostile`, which a superuser has on its
# path before pg_catalog. It plants there, generated from the catalog
# (hostile_plants.sql), exact-match copies of every pg_catalog operator over
# common types, of every function the engine's SQL names (grepped from
# src/pg) and of common polymorphic and variadic ones, and domains shadowing
# common type names; each records its call. Every SQL entry point then runs as
# the superuser: nothing planted may run. Positive controls: a revision's
# own `numeric * integer` does reach the plant, and its CREATE TABLE lands in
# the caller's first schema. Every function of schema migrate must have been
# called (pg_stat_user_functions), so a new entry point must be added here.
set -euo pipefail
cd "$(dirname "$0")"
. ./lib.sh
fresh_db migrate_hostile
mallory=migrate_mallory
trap 'dropdb --if-exists "$db" 2>/dev/null || true; psql -X -q -d postgres -c "DROP ROLE IF EXISTS $mallory" >/dev/null 2>&1 || true' EXIT
psql -X -q -v ON_ERROR_STOP=1 -d "$db" >/dev/null <<SQL
DROP ROLE IF EXISTS $mallory;
CREATE ROLE $mallory;
CREATE SCHEMA hostile AUTHORIZATION $mallory;
CREATE EXTENSION migrate;
SQL

psql -X -q -d "$db" -v plant_schema=hostile -v plant_functions="$(plant_function_names)" \
  -c "SET ROLE $mallory" -f hostile_plants.sql >/dev/null
planted=$(q "SELECT (SELECT count(*) FROM pg_operator WHERE oprnamespace = 'hostile'::regnamespace) || ' operators, ' ||
                    (SELECT count(*) FROM pg_proc WHERE pronamespace = 'hostile'::regnamespace) || ' functions, ' ||
                    (SELECT count(*) FROM pg_type WHERE typnamespace = 'hostile'::regnamespace AND typtype = 'd') || ' domains'")
echo "planted: $planted"
hits() { q "SELECT last_value - 1 + is_called::int FROM hostile.hits"; }

# The superuser's session: hostile first, an explicit pg_catalog after it.
out=$(mktemp)
trap 'rm -f "$out"; dropdb --if-exists "$db" 2>/dev/null || true; psql -X -q -d postgres -c "DROP ROLE IF EXISTS $mallory" >/dev/null 2>&1 || true' EXIT
as_caller() {
  echo "-- $1" >>"$out"
  PGOPTIONS="-c search_path=hostile,pg_catalog,public -c track_functions=all" \
    psql -X -q -At -v ON_ERROR_STOP=1 -d "$db" -c "$1" >>"$out" 2>&1 || echo "FAILED: $1" >>"$out"
}
refused() { # refused <sql> <pattern>: the call fails with <pattern>; what it planted-ran is still logged
  local r
  if r=$(PGOPTIONS="-c search_path=hostile,pg_catalog,public -c track_functions=all" \
    psql -X -q -At -v ON_ERROR_STOP=1 -d "$db" -c "$1" 2>&1); then
    echo "expected a refusal: $1"; exit 1
  fi
  expect "$r" "$2"
  echo "$r" | grep 'HIJACKED' >>"$out" || true
}

# Registration: labels, depends_on, timeouts, a second base, re-sending
# (no-op), changing a pending revision (whole-graph check), a generated merge.
as_caller "SELECT migrate.revision('h1', '{}', 'CREATE TABLE t (id int PRIMARY KEY, done boolean NOT NULL DEFAULT false)', 'DROP TABLE t', 'base', branch_labels => '{trunk}')"
as_caller "SELECT migrate.revision('h1', '{}', 'CREATE TABLE t (id int PRIMARY KEY, done boolean NOT NULL DEFAULT false)', 'DROP TABLE t', 'base', branch_labels => '{trunk}')"
as_caller "SELECT migrate.revision('s1', '{}', 'CREATE TABLE s (id int)', 'DROP TABLE s', 'side base', branch_labels => '{side}')"
as_caller "SELECT migrate.revision('h2', '{h1}', 'ALTER TABLE t ADD COLUMN n int', 'ALTER TABLE t DROP COLUMN n', 'add n', depends_on => '{side}', lock_timeout => '200 ms', statement_timeout => '1 min')"
as_caller "SELECT migrate.revision('h2', '{h1}', 'ALTER TABLE t ADD COLUMN n int', 'ALTER TABLE t DROP COLUMN n', 'add n to t', branch_labels => '{feature}', depends_on => '{side}', lock_timeout => '200 ms')"
as_caller "SELECT migrate.merge('{h2,s1}', 'join')"
merge=$(q "SELECT id FROM migrate.revisions WHERE message = 'join'")
as_caller "SELECT migrate.revision('h3', '{$merge}', 'CREATE INDEX CONCURRENTLY t_n_idx ON t (n)', 'DROP INDEX t_n_idx', 'index n', transactional => false)"
as_caller "SELECT migrate.backfill('fill_t', 'h2', 'UPDATE t SET done = true WHERE ctid = ANY (ARRAY(SELECT ctid FROM t WHERE done IS NOT TRUE LIMIT 2)) RETURNING id', pause => '1 ms', max_batches => 100, max_duration => '1 min')"
as_caller "SELECT migrate.revision('h4', '{h3}', 'ALTER TABLE t ALTER COLUMN done DROP DEFAULT', 'ALTER TABLE t ALTER COLUMN done SET DEFAULT false', 'no default', requires_backfills => '{fill_t}')"
# A superuser's direct DML on the catalog fires the engine's trigger.
as_caller "DELETE FROM migrate.revisions WHERE false"

# Reading the graph.
as_caller "SELECT * FROM migrate.heads()"
as_caller "SELECT * FROM migrate.branches()"
as_caller "SELECT * FROM migrate.history()"
as_caller "SELECT * FROM migrate.history('trunk@base:heads')"
as_caller "SELECT * FROM migrate.show('h2')"
as_caller "SELECT * FROM migrate.graph()"
as_caller "SELECT * FROM migrate.plan('$merge')"
as_caller "SELECT * FROM migrate.lint('heads')"
# Rehearsing every step (h3 listed, not run: the worker's; h4 listed: gated), rolled back.
as_caller "SELECT * FROM migrate.rehearse('heads')"
# check_roundtrip (issue 12): the stairway, all rolled back (h3, transactional => false, is reported, not run).
as_caller "SELECT * FROM migrate.check_roundtrip('heads')"
grep -q '^h2|t|$' "$out" || { cat "$out"; echo "check_roundtrip did not check h2"; exit 1; }

# Moving it: upgrade, with a lock wait on h2 (retried, the holders described).
as_caller "SELECT * FROM migrate.upgrade('h1')"
as_caller "SELECT * FROM migrate.current()"
as_caller "SELECT * FROM migrate.show('current')"
as_caller "SELECT * FROM migrate.fingerprint()"
as_caller "SELECT * FROM migrate.drift()"
psql -X -q -d "$db" -c "BEGIN; LOCK TABLE hostile.t IN ACCESS SHARE MODE; SELECT pg_sleep(1.2); COMMIT" >/dev/null &
holder=$!
sleep 0.4
as_caller "SELECT * FROM migrate.upgrade('$merge')"
wait $holder
grep -q 'not granted within 200 ms; retry 1' "$out" || { cat "$out"; echo "the lock wait was not retried"; exit 1; }
q "INSERT INTO hostile.t (id) SELECT g FROM generate_series(1, 5) g"
refused "SELECT * FROM migrate.upgrade('heads')" 'requires backfill fill_t to be done'
as_caller "SELECT * FROM migrate.plan('heads')"
# run(): h3 in the worker, then at h4's gate it stops, or runs fill_t there.
as_caller "CALL migrate.run('heads', at_gate => 'stop')"
grep -q 'stopped at the gate of revision h4' "$out" || { cat "$out"; echo "run() did not stop at the gate"; exit 1; }
as_caller "CALL migrate.run('heads')"
as_caller "SELECT * FROM migrate.backfills"
as_caller "SELECT * FROM migrate.downgrade('h3')"
as_caller "CALL migrate.run('$merge', 'downgrade')"
as_caller "SELECT * FROM migrate.plan('h1', 'downgrade')"
as_caller "SELECT * FROM migrate.downgrade('h1')"
as_caller "SELECT * FROM migrate.stamp('h2', 's1')"
as_caller "SELECT * FROM migrate.stamp('base')"
as_caller "CALL migrate.run_backfills()"

fail=0
if grep -q 'WARNING:  HIJACKED' "$out"; then
  echo "planted objects ran inside the engine:"
  grep -o 'WARNING:  HIJACKED: .*' "$out" | sort | uniq -c | sort -rn | head -40
  fail=1
fi
[ "$(hits)" = 0 ] || { echo "hostile.hits = $(hits)"; fail=1; }
if grep -q '^FAILED\|ERROR' "$out"; then
  echo "an entry point failed:"
  grep -B3 '^FAILED\|ERROR' "$out" | head -40
  fail=1
fi
[ $fail = 0 ] || exit 1
# The calls above did what they say.
expect "$(q "SELECT string_agg(revision, ',' ORDER BY id) FROM migrate.journal WHERE direction = 'upgrade'")" \
  "^h1,s1,h2,$merge,h3,h4$"
expect "$(q "SELECT count(DISTINCT revision) FROM migrate.journal WHERE direction = 'downgrade' AND revision IN ('h2', 'h3', 'h4')")" '^3$'
expect "$(q "SELECT to_regclass('hostile.t_n_idx') IS NULL")" '^t$' # h3's downgrade, in the worker
expect "$(q "SELECT count(*) > 0 FROM migrate.journal WHERE direction = 'stamp'")" '^t$'
expect "$(q "SELECT state FROM migrate.backfill_jobs")" '^pending$' # reset by downgrading h2
expect "$(q "SELECT count(*) FROM hostile.t WHERE done")" '^5$'

# Every function of schema migrate ran above (statistics arrive when a session ends).
for _ in $(seq 50); do
  missing=$(q "SELECT string_agg(p.proname, ', ' ORDER BY p.proname) FROM pg_proc p
               LEFT JOIN pg_stat_user_functions s ON s.funcid = p.oid
               WHERE p.pronamespace = 'migrate'::regnamespace AND coalesce(s.calls, 0) = 0")
  [ -z "$missing" ] && break
  sleep 0.2
done
[ -z "$missing" ] || { echo "not exercised under the hostile search_path: $missing (add them to $0)"; exit 1; }

# Positive controls: the plants are live, and a revision's own SQL runs with
# the caller's path (its operators and its CREATE TABLE).
as_caller "SELECT ARRAY['a'] @> ARRAY['a']"
[ "$(hits)" -gt 0 ] || { echo "the text[] @> text[] plant did not run"; exit 1; }
before=$(hits)
as_caller "SELECT migrate.revision('p1', '{}', 'CREATE TABLE control_t AS SELECT 1.5 * 2 AS x', 'DROP TABLE control_t')"
[ "$(hits)" = "$before" ] || { echo "registering p1 ran a plant"; exit 1; }
as_caller "SELECT * FROM migrate.upgrade('p1')"
grep -q 'HIJACKED: operator numeric \* integer' "$out" || { tail -20 "$out"; echo "p1's own numeric * integer did not reach the plant"; exit 1; }
expect "$(q "SELECT table_schema FROM information_schema.tables WHERE table_name IN ('control_t', 't') ORDER BY 1")" '^hostile
hostile$'
expect "$(q "SELECT x FROM hostile.control_t")" '^3.0$'
echo "ok: $planted, none ran in the engine"
