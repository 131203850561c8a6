#!/usr/bin/env bash
# Offline SQL: `upgrade --sql` run by psql leaves a database exactly as the
# online `upgrade` does (schema, revisions, version rows, journal,
# backfills), including a merge, a label, a non-transactional revision, a
# timeout and text that needs quoting; `downgrade FROM:TO --sql` likewise;
# a script refuses a database that is not where it starts; the bundle
# registers everything with \i and prints no rows; refusals of --sql.
set -euo pipefail
. "$(dirname "$0")/cli_lib.sh"
cd "$work"
"$PGM" init 2>/dev/null
write_rev versions a1.sql <<'SQL'
-- revision: a1
-- message: users

-- migrate:upgrade
CREATE TABLE users (id bigint PRIMARY KEY, name text);
-- migrate:downgrade
DROP TABLE users;
SQL
write_rev versions b2.sql <<'SQL'
-- revision: b2
-- revises: a1
-- message: audit
-- branch-labels: audit

-- migrate:upgrade
CREATE TABLE audit_log (id bigint, at timestamptz DEFAULT now())
-- migrate:downgrade
DROP TABLE audit_log;
SQL
write_rev versions c2.sql <<'SQL'
-- revision: c2
-- revises: a1
-- message: user's email \ backslash

-- migrate:upgrade
ALTER TABLE users ADD email text;
CREATE FUNCTION users_tag() RETURNS text LANGUAGE sql AS $$ SELECT 'it''s $migrate$ \ done' $$;
-- migrate:downgrade
DROP FUNCTION users_tag();
ALTER TABLE users DROP email;
SQL
write_rev versions m3.sql <<'SQL'
-- revision: m3
-- revises: b2, c2
-- message: merge

-- migrate:upgrade
-- migrate:downgrade
SQL
write_rev versions d4.sql <<'SQL'
-- revision: d4
-- revises: m3
-- message: index emails
-- transactional: false

-- migrate:upgrade
CREATE INDEX CONCURRENTLY users_email ON users (email);
CREATE INDEX CONCURRENTLY users_name ON users (name);
-- migrate:downgrade
DROP INDEX CONCURRENTLY users_name;
DROP INDEX CONCURRENTLY users_email;
SQL
write_rev versions e5.sql <<'SQL'
-- revision: e5
-- revises: d4
-- message: kinds
-- lock-timeout: 2s
-- statement-timeout: 1min

-- migrate:upgrade
ALTER TABLE users ADD kind text;
-- migrate:downgrade
ALTER TABLE users DROP kind;

-- migrate:backfill fill_kind
-- pause: 10ms
UPDATE users SET kind = 'k' WHERE id IN (SELECT id FROM users WHERE kind IS NULL LIMIT 100);
SQL
write_rev versions f6.sql <<'SQL'
-- revision: f6
-- revises: e5
-- message: comment last
-- depends-on: audit

-- migrate:upgrade
COMMENT ON TABLE users IS 'people';
-- no semicolon after this comment line
-- migrate:downgrade
COMMENT ON TABLE users IS NULL;
SQL

new_db migrate_cli_online
new_db migrate_cli_offline
state() { # everything but timings and registration times
  psql -X -At -d "$1" <<'Q'
SELECT id, checksum, down_revisions, depends_on, branch_labels, transactional, lock_timeout, statement_timeout FROM migrate.revisions ORDER BY id;
SELECT version_num FROM migrate.version ORDER BY 1;
SELECT revision, direction, from_heads, to_heads FROM migrate.journal ORDER BY id;
SELECT name, revision, checksum, state, pause FROM migrate.backfill_jobs ORDER BY name;
SELECT users_tag();
Q
}
schema() { pg_dump -s -N migrate "$1" | grep -v -e '^--' -e '^\\restrict' -e '^\\unrestrict'; }
same() { # same DB1 DB2
  diff <(state "$1" 2>&1) <(state "$2" 2>&1) || { echo "catalog state differs"; exit 1; }
  diff <(schema "$1") <(schema "$2") || { echo "schema differs"; exit 1; }
}

# --- upgrade: online, and offline through psql, end alike ---
expect_rc 0 "$PGM" --dsn "dbname=migrate_cli_online" upgrade
expect_rc 0 "$PGM" upgrade --sql
cp "$work/.out" up.sql
expect "$err" "INFO  \[alembic.runtime.migration\] Running upgrade m3 -> d4, index emails"
expect "$out" "^-- pg_migrate upgrade head --sql"
expect "$out" "
-- Running upgrade  -> a1, users
"
expect "$out" "COMMIT;

-- Running upgrade m3 -> d4, index emails \(outside a transaction\)
SELECT pg_catalog.clock_timestamp\(\) AS step_started \\\\gset migrate_
CREATE INDEX CONCURRENTLY users_email ON users \(email\);
CREATE INDEX CONCURRENTLY users_name ON users \(name\);

BEGIN;"
psql -X -q -d migrate_cli_offline -f up.sql >psql.log 2>&1 || { cat psql.log; exit 1; }
same migrate_cli_online migrate_cli_offline
expect "$(state migrate_cli_offline | grep -c '|upgrade|')" "^7$"
expect "$(psql -X -At -d migrate_cli_offline -c "SELECT users_tag()")" '^it.s \$migrate\$ \\ done$'

# Run again, the script refuses: the database is no longer where it starts.
set +e
psql -X -q -d migrate_cli_offline -f up.sql >psql.log 2>&1
psql_rc=$?
set -e
expect "$psql_rc" "^3$"
expect "$(cat psql.log)" "ERROR:  this script moves the database from version rows \{\} \(base\), but they are \{f6\}"
same migrate_cli_online migrate_cli_offline

# --- downgrade: online and offline alike; offline also through the concurrent index ---
expect_rc 0 "$PGM" --dsn "dbname=migrate_cli_online" downgrade d4
expect_rc 0 "$PGM" downgrade f6:d4 --sql
cp "$work/.out" down.sql
psql -X -q -d migrate_cli_offline -f down.sql >psql.log 2>&1 || { cat psql.log; exit 1; }
same migrate_cli_online migrate_cli_offline
# Step by step on another database, through a state of two heads (FROM lists them).
new_db migrate_cli_steps
apply() { # apply RANGE: render it, run it with psql
  expect_rc 0 "$PGM" upgrade "$1" --sql
  cp "$work/.out" step.sql
  psql -X -q -d migrate_cli_steps -f step.sql >psql.log 2>&1 || { cat psql.log; exit 1; }
}
apply b2
apply b2:c2
expect "$(psql -X -At -d migrate_cli_steps -c "SELECT string_agg(version_num, ',' ORDER BY 1) FROM migrate.version")" "^b2,c2$"
apply b2,c2:head
expect "$(psql -X -At -d migrate_cli_steps -c "SELECT string_agg(version_num, ',') FROM migrate.version")" "^f6$"
# All the way down, through the concurrent index that only a script (or run()) can drop.
psql -X -q -d migrate_cli_steps -c "UPDATE migrate.backfill_jobs SET state = 'done', batches = 3"
expect_rc 0 "$PGM" downgrade head:base --sql
cp "$work/.out" base.sql
expect "$out" "DROP INDEX CONCURRENTLY users_email;

BEGIN;"
psql -X -q -d migrate_cli_steps -f base.sql >psql.log 2>&1 || { cat psql.log; exit 1; }
expect "$(psql -X -At -d migrate_cli_steps -c "SELECT count(*) FROM migrate.version")" "^0$"
expect "$(psql -X -At -d migrate_cli_steps -c "SELECT count(*) FROM pg_class WHERE relname IN ('users', 'audit_log')")" "^0$"
expect "$(psql -X -At -d migrate_cli_steps -c "SELECT state || batches FROM migrate.backfill_jobs")" "^pending0$"
expect "$(psql -X -At -d migrate_cli_steps -c "SELECT count(*) FROM migrate.journal WHERE direction = 'downgrade'")" "^7$"

# --- refusals of --sql ---
expect_rc 2 "$PGM" downgrade base --sql
expect "$err" "downgrade with --sql requires FROM:TO"
expect_rc 1 "$PGM" upgrade nowhere --sql
expect "$err" "Can't locate revision identified by 'nowhere'"
cp -r versions gated
sed -i 's/^-- revises: e5/-- revises: e5\n-- requires-backfills: fill_kind/' gated/f6.sql
expect_rc 1 "$PGM" --dir gated upgrade --sql
expect "$err" "revision f6 requires backfill fill_kind of revision e5, which this same script upgrades"
expect "$err" "HINT:  Render and run the script up to e5 first"
expect_rc 0 "$PGM" --dir gated upgrade e5:head --sql
expect "$out" "DO \\\$gate\\\$"
cp "$work/.out" gate.sql
# The script checks the gate as upgrade() does, in the engine's words; it runs once the backfill is done.
new_db migrate_cli_gate
expect_rc 0 "$PGM" --dir gated upgrade e5 --sql
psql -X -q -d migrate_cli_gate -f "$work/.out" >psql.log 2>&1 || { cat psql.log; exit 1; }
set +e
psql -X -q -d migrate_cli_gate -f gate.sql >psql.log 2>&1
psql_rc=$?
set -e
expect "$psql_rc" "^3$"
expect "$(cat psql.log)" "ERROR:  revision f6 requires backfill fill_kind to be done; it is pending \(0 batches, 0 rows\)
DETAIL:  Nothing was run in this transaction. Backfill fill_kind belongs to revision e5."
expect "$(psql -X -At -d migrate_cli_gate -c "SELECT string_agg(version_num, ',') FROM migrate.version")" "^e5$"
psql -X -q -d migrate_cli_gate -c "CALL migrate.run_backfills()" 2>/dev/null
psql -X -q -d migrate_cli_gate -f gate.sql >psql.log 2>&1 || { cat psql.log; exit 1; }
expect "$(psql -X -At -d migrate_cli_gate -c "SELECT string_agg(version_num, ',') FROM migrate.version")" "^f6$"
sed -i '/^-- migrate:downgrade/,$d' gated/c2.sql
expect_rc 1 "$PGM" --dir gated downgrade head:base --sql
expect "$err" "revision c2 is irreversible: it has no downgrade section"

# --- bundle: \i registers everything, prints no rows, and matches load ---
new_db migrate_cli_bundle
expect_rc 0 "$PGM" bundle
cp "$work/.out" bundle.sql
psql -X -a -d migrate_cli_bundle -c '\i bundle.sql' >bundle.log 2>&1 || { cat bundle.log; exit 1; }
if grep -q "row)" bundle.log; then echo "the bundle printed rows:"; cat bundle.log; exit 1; fi
expect "$(psql -X -At -d migrate_cli_bundle -c "SELECT count(*) FROM migrate.revisions")" "^7$"
expect_rc 0 "$PGM" --dsn dbname=migrate_cli_bundle load
expect "$out" "0 new, 0 updated, 7 unchanged; backfills: 0 new, 0 updated, 1 unchanged"
psql -X -q -d migrate_cli_bundle -f bundle.sql >/dev/null 2>&1
expect "$(psql -X -At -d migrate_cli_bundle -c "SELECT count(*) FROM migrate.revisions")" "^7$"
diff <(psql -X -At -d migrate_cli_bundle -c "SELECT id, checksum FROM migrate.revisions ORDER BY id") \
  <(psql -X -At -d migrate_cli_online -c "SELECT id, checksum FROM migrate.revisions ORDER BY id")
echo "offline: upgrade and downgrade scripts end where the online commands do; bundle via \\i"
