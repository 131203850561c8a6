#!/usr/bin/env bash
# Deploys through CALL migrate.run() from the client (issue 11): plan shows
# each step's runner and gates; one `pg_migrate upgrade` takes an expand, its
# backfill's gate, a contract and a concurrent index to the head, or ends at
# the gate with --at-gate stop (also over a fleet); `downgrade` goes through
# non-transactional revisions, stops at a failure with what committed kept,
# and goes on when called again; `stamp` takes several targets.
set -euo pipefail
. "$(dirname "$0")/cli_lib.sh"
cd "$work"
new_db migrate_cli_deploy
export PGDATABASE=migrate_cli_deploy
db=migrate_cli_deploy
"$PGM" init 2>/dev/null

write_rev versions a1.sql <<'SQL'
-- revision: a1
-- message: users

-- migrate:upgrade
CREATE TABLE users (id bigint PRIMARY KEY, email text);
INSERT INTO users SELECT i, 'User' || i || '@Example.com' FROM generate_series(1, 3000) i;
-- migrate:downgrade
DROP TABLE users;
SQL
write_rev versions b2.sql <<'SQL'
-- revision: b2
-- revises: a1
-- message: expand
-- transactional: false

-- migrate:upgrade
ALTER TABLE users ADD email_lower text;
CREATE INDEX CONCURRENTLY users_email_lower ON users (email_lower);
-- migrate:downgrade
DROP INDEX CONCURRENTLY IF EXISTS users_email_lower;
ALTER TABLE users DROP COLUMN IF EXISTS email_lower;

-- migrate:backfill fill_lower
-- max-batches: 1
UPDATE users SET email_lower = lower(email)
WHERE id IN (SELECT id FROM users WHERE email_lower IS NULL ORDER BY id LIMIT 500);
SQL
write_rev versions c3.sql <<'SQL'
-- revision: c3
-- revises: b2
-- message: contract
-- requires-backfills: fill_lower

-- migrate:upgrade
ALTER TABLE users ADD CONSTRAINT email_lower_set CHECK (email_lower IS NOT NULL) NOT VALID;
-- migrate:downgrade
DO $$ BEGIN
  IF EXISTS (SELECT FROM pg_class WHERE relname = 'downgrade_blocker') THEN
    RAISE EXCEPTION 'downgrade of c3 blocked';
  END IF;
END $$;
ALTER TABLE users DROP CONSTRAINT email_lower_set;
SQL
write_rev versions d4.sql <<'SQL'
-- revision: d4
-- revises: c3
-- message: unique emails
-- transactional: false

-- migrate:upgrade
CREATE UNIQUE INDEX CONCURRENTLY users_email_unique ON users (email_lower);
-- migrate:downgrade
DROP INDEX CONCURRENTLY users_email_unique;
SQL
rows() { q "SELECT coalesce(string_agg(version_num, ',' ORDER BY version_num), 'base') FROM migrate.version"; }

# --- plan: each step's runner and gates; runs nothing, keeps nothing ---
expect_rc 0 "$PGM" plan head
expect "$out" "^-- 1. upgrade a1: users \(version rows after: a1; runner: transaction\)"
expect "$out" "
-- 2. upgrade b2: expand \(version rows after: b2; runner: worker, outside a transaction\)"
expect "$out" "
-- 3. upgrade c3: contract \(version rows after: c3; runner: transaction; gated by backfill fill_lower, not done\)"
expect "$out" "
-- 4 steps: pg_migrate upgrade takes them with CALL migrate.run\(\), a commit after each, running a gate's backfills where it reaches it \(--at-gate stop: ends there\).$"
expect "$(q "SELECT count(*) FROM migrate.revisions")" "^0$"

# --- upgrade --at-gate stop: up to the gate, successfully, saying where and why ---
expect_rc 0 "$PGM" upgrade --at-gate stop
expect "$err" "Running upgrade a1 -> b2, expand \(outside a transaction\)"
expect "$err" "INFO  \[pg_migrate\] upgraded 2 revisions; stopped at the gate of revision c3, which requires backfill fill_lower to be done; the database is at b2"
expect "$err" "INFO  \[pg_migrate\] run the backfills"
expect "$(rows)" "^b2$"
# Once the backfill is done elsewhere (its pg_cron job), the same command goes on.
psql -X -q -d "$db" -c "CALL migrate.run_backfills()" 2>/dev/null # max-batches 1: one batch of 500
expect "$(q "SELECT state || ' ' || batches || ' ' || rows_done FROM migrate.backfill_jobs")" "^pending 1 500$"
# --- the default runs the rest of the gate's backfill (past its per-call limit), then goes on ---
expect_rc 0 "$PGM" upgrade
expect "$err" "Running backfill fill_lower"
expect "$err" "Running upgrade b2 -> c3, contract
INFO  \[alembic.runtime.migration\] Running upgrade c3 -> d4, unique emails \(outside a transaction\)"
expect "$err" "INFO  \[pg_migrate\] upgraded 2 revisions, opening the gate of c3 \(backfill fill_lower\); the database is at d4"
expect "$(q "SELECT count(*) FROM users WHERE email_lower IS NULL")" "^0$"
expect "$(q "SELECT state FROM migrate.backfill_jobs")" "^done$"
expect "$(q "SELECT indisvalid FROM pg_index WHERE indexrelid = 'users_email_unique'::regclass")" "^t$"

# --- downgrade through non-transactional revisions: CALL migrate.run(target, 'downgrade') ---
expect_rc 0 "$PGM" plan --downgrade base
expect "$out" "^-- 1. downgrade d4: unique emails \(version rows after: c3; runner: worker, outside a transaction\)
DROP INDEX CONCURRENTLY users_email_unique;"
expect "$out" "
-- 4 steps: pg_migrate downgrade takes them with CALL migrate.run\(\), a commit after each.$"
q "CREATE TABLE downgrade_blocker ()"
expect_rc 1 "$PGM" downgrade base
expect "$err" "Running downgrade d4 -> c3, unique emails \(outside a transaction\)"
expect "$err" "ERROR:  P0001: downgrade of c3 blocked"
expect "$err" "WARNING:  .*c3"
expect "$(rows)" "^c3$" # d4's downgrade committed; c3's rolled back
expect "$(q "SELECT count(*) FROM pg_class WHERE relname = 'users_email_unique'")" "^0$"
q "DROP TABLE downgrade_blocker"
expect_rc 0 "$PGM" downgrade base
expect "$err" "Running downgrade c3 -> b2, contract
INFO  \[alembic.runtime.migration\] Running downgrade b2 -> a1, expand \(outside a transaction\)
NOTICE:  Backfill fill_lower starts over: its revision was downgraded
INFO  \[alembic.runtime.migration\] Running downgrade a1 -> , users"
expect "$err" "INFO  \[pg_migrate\] downgraded 3 revisions; the database is at base"
expect "$(rows)" "^base$"
expect "$(q "SELECT count(*) FROM pg_class WHERE relname = 'users'")" "^0$"
expect "$(q "SELECT string_agg(revision, ',' ORDER BY id) FROM migrate.journal WHERE direction = 'downgrade'")" "^d4,c3,b2,a1$"
expect "$(q "SELECT state FROM migrate.backfill_jobs")" "^pending$" # reset with its revision

# --- stamp with several targets: Alembic's stamp a b, one transaction ---
write_rev versions x1.sql <<'SQL'
-- revision: x1
-- revises: a1
-- message: side branch
-- branch-labels: side

-- migrate:upgrade
CREATE TABLE side (id int);
-- migrate:downgrade
DROP TABLE side;
SQL
expect_rc 0 "$PGM" stamp c3 side@head
expect "$err" "Running stamp_revision  -> c3"
expect "$err" "INFO  \[pg_migrate\] the database is at c3, x1"
expect "$(rows)" "^c3,x1$"
expect_rc 0 "$PGM" current
expect "$out" "^c3
x1 \(head\)$"
expect_rc 1 "$PGM" stamp d4 nowhere
expect "$err" "ERROR:  42704: Can't locate revision identified by 'nowhere'"
expect "$(rows)" "^c3,x1$" # nothing changed
expect_rc 0 "$PGM" stamp base
expect "$(rows)" "^base$"

# --- a fleet: each database ends at its gate, one result line each ---
rm versions/x1.sql # db1 keeps x1 registered: two heads there, so the target is d4
new_db migrate_cli_deploy2
expect_rc 0 "$PGM" --dsn "dbname=$db" --dsn dbname=migrate_cli_deploy2 upgrade d4 --at-gate stop
expect "$out" "migrate_cli_deploy@[^ ]*: ok: loaded 0 new, 0 updated, 4 unchanged; backfills: 0 new, 0 updated, 1 unchanged; upgraded 2 revisions; stopped at the gate of c3 \(backfill fill_lower not done\); at b2"
expect "$out" "migrate_cli_deploy2@[^ ]*: ok: loaded 4 new, 0 updated, 0 unchanged; backfills: 1 new, 0 updated, 0 unchanged; upgraded 2 revisions; stopped at the gate of c3 \(backfill fill_lower not done\); at b2"
echo "deploy: plan runners and gates, upgrade --at-gate stop|run, downgrade through the worker and its resume, stamp A B, fleet"
