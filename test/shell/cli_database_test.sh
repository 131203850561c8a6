#!/usr/bin/env bash
# pg_migrate against one database, connected as psql connects (PG*
# variables, --dsn): load (new, updated, unchanged), upgrade, the backfill
# gate, downgrade, stamp, current, plan, history -i, check --db with a changed
# applied file, a non-transactional revision through CALL migrate.run(),
# server errors with SQLSTATE, DETAIL, HINT and CONTEXT, progress on a
# terminal only.
set -euo pipefail
. "$(dirname "$0")/cli_lib.sh"
cd "$work"
new_db migrate_cli_db
export PGDATABASE=migrate_cli_db
db=migrate_cli_db
"$PGM" init 2>/dev/null

write_rev versions a1_users.sql <<'SQL'
-- revision: a1
-- message: create users

-- migrate:upgrade
CREATE TABLE users (id bigint PRIMARY KEY);
INSERT INTO users SELECT generate_series(1, 25);

-- migrate:downgrade
DROP TABLE users;
SQL
write_rev versions b2_email.sql <<'SQL'
-- revision: b2
-- revises: a1
-- message: user's email
-- lock-timeout: 2s

-- migrate:upgrade
ALTER TABLE users ADD email text;

-- migrate:downgrade
ALTER TABLE users DROP email;

-- migrate:backfill fill_email
-- max-batches: 100
UPDATE users SET email = id || '@example.com'
WHERE id IN (SELECT id FROM users WHERE email IS NULL ORDER BY id LIMIT 10);
SQL
write_rev versions c3_not_null.sql <<'SQL'
-- revision: c3
-- revises: b2
-- message: email required
-- requires-backfills: fill_email

-- migrate:upgrade
ALTER TABLE users ALTER email SET NOT NULL;

-- migrate:downgrade
ALTER TABLE users ALTER email DROP NOT NULL;
SQL

# --- load: new, then unchanged; updated when a pending file or a timeout changes ---
expect_rc 0 "$PGM" load
expect "$out" "^loaded versions: 3 new, 0 updated, 0 unchanged; backfills: 1 new, 0 updated, 0 unchanged$"
expect "$err" "INFO  \[pg_migrate.load\] new revision a1 \(versions/a1_users.sql\)"
expect "$(q "SELECT string_agg(id, ',' ORDER BY created_at) FROM migrate.revisions")" "^a1,b2,c3$"
expect "$(q "SELECT message FROM migrate.revisions WHERE id = 'b2'")" "^user's email$"
expect "$(q "SELECT lock_timeout FROM migrate.revisions WHERE id = 'b2'")" "^00:00:02$"
expect_rc 0 "$PGM" load
expect "$out" "^loaded versions: 0 new, 0 updated, 3 unchanged; backfills: 0 new, 0 updated, 1 unchanged$"
sed -i 's/^-- lock-timeout: 2s/-- lock-timeout: 500ms/' versions/b2_email.sql
sed -i 's/^-- max-batches: 100/-- max-batches: 50/' versions/b2_email.sql
expect_rc 0 "$PGM" --dsn "dbname=$db" load
expect "$out" "0 new, 1 updated, 2 unchanged; backfills: 0 new, 1 updated, 0 unchanged"
expect "$(q "SELECT lock_timeout FROM migrate.revisions WHERE id = 'b2'")" "^00:00:00.5$"
expect "$(q "SELECT max_batches FROM migrate.backfill_jobs WHERE name = 'fill_email'")" "^50$"

# --- upgrade: Alembic's log lines; at the backfill gate, --at-gate stop ends there, the default runs it ---
expect_rc 0 "$PGM" upgrade b2
expect "$err" "^INFO  \[alembic.runtime.migration\] Running upgrade  -> a1, create users
INFO  \[alembic.runtime.migration\] Running upgrade a1 -> b2, user's email"
expect_rc 0 "$PGM" current
expect "$out" "^b2$"
sed -i 's/^-- message: email required/-- message: emails required/' versions/c3_not_null.sql
expect_rc 0 "$PGM" upgrade --at-gate stop
expect "$err" "NOTICE:  migrate.run: stopped at the gate of revision c3, which requires backfill fill_email \(pending, 0 batches, 0 rows\) to be done"
expect "$err" "INFO  \[pg_migrate\] upgraded 0 revisions; stopped at the gate of revision c3, which requires backfill fill_email to be done; the database is at b2"
expect "$(q "SELECT message FROM migrate.revisions WHERE id = 'c3'")" "^emails required$" # loaded, committed before run()
expect "$(q "SELECT string_agg(version_num, ',') FROM migrate.version")" "^b2$"
expect "$(q "SELECT state FROM migrate.backfill_jobs WHERE name = 'fill_email'")" "^pending$"
expect_rc 2 "$PGM" upgrade --at-gate later
expect "$err" "--at-gate must be run or stop, not \"later\""
expect_rc 2 "$PGM" upgrade --at-gate stop --sql
expect_rc 2 "$PGM" downgrade a1 --at-gate stop
expect "$err" "--at-gate is for upgrade: a downgrade passes no backfill gate"
expect_rc 0 "$PGM" upgrade
expect "$err" "NOTICE:  migrate.run: revision c3 waits for backfill fill_email"
expect "$err" "Running upgrade b2 -> c3, emails required"
expect "$err" "INFO  \[pg_migrate\] upgraded 1 revision, opening the gate of c3 \(backfill fill_email\); the database is at c3"
expect "$(q "SELECT count(*) FROM users WHERE email IS NULL")" "^0$"
expect_rc 0 "$PGM" upgrade # nothing left
expect "$err" "upgraded 0 revisions; the database is at c3"
expect "$(q "SELECT count(*) FROM migrate.journal")" "^3$"

# --- check --db: agrees; then an applied file changed (file:line, exit 1), then behind ---
expect_rc 0 "$PGM" check --db
expect "$out" "^ok: at c3; up to date with versions$"
cp versions/a1_users.sql a1.saved
sed -i 's/generate_series(1, 25)/generate_series(1, 30)/' versions/a1_users.sql
expect_rc 1 "$PGM" check --db
expect "$err" "versions/a1_users.sql:1: revision a1 is applied in the database, and its file changed since \(the upgrade SQL\)"
expect "$err" "DETAIL:  The database holds checksum [0-9a-f]{64}\."
expect "$out" "^FAILED: at c3; up to date with versions; 1 applied revision differs from the files$"
expect_rc 1 "$PGM" load
expect "$err" "ERROR:  55000: checksum mismatch: revision a1 is applied and its content changed"
expect "$err" "CONTEXT:  pg_migrate: registering revision a1 of versions/a1_users.sql:1"
cp a1.saved versions/a1_users.sql
write_rev versions d4_t.sql <<'SQL'
-- revision: d4
-- revises: c3
-- message: t

-- migrate:upgrade
CREATE TABLE t (id int);
-- migrate:downgrade
DROP TABLE t;
SQL
expect_rc 0 "$PGM" check --db
expect "$out" "^ok: at c3; 1 revision behind versions \(d4\)$"
rm versions/d4_t.sql
psql -X -q -d "$db" -c "SELECT migrate.revision('zz', '{c3}', 'SELECT 1')" -c "SELECT migrate.stamp('zz')" \
  >/dev/null 2>&1
expect_rc 1 "$PGM" check --db
expect "$err" "error: revision zz is applied in the database, but no file in versions defines it"
psql -X -q -d "$db" -c "SELECT migrate.stamp('c3')" -c "DELETE FROM migrate.revisions WHERE id = 'zz'" >/dev/null 2>&1

# --- plan: the files loaded and planned, then rolled back ---
write_rev versions d4_t.sql <<'SQL'
-- revision: d4
-- revises: c3
-- message: t

-- migrate:upgrade
CREATE TABLE t (id int);
-- migrate:downgrade
DROP TABLE t;
SQL
expect_rc 0 "$PGM" plan head
expect "$out" "^-- 1. upgrade d4: t \(version rows after: d4; runner: transaction\)
CREATE TABLE t \(id int\);
-- 1 step: pg_migrate upgrade takes it in one transaction \(migrate.upgrade\(\)\).$"
expect "$(q "SELECT count(*) FROM migrate.revisions WHERE id = 'd4'")" "^0$"
expect_rc 0 "$PGM" plan --downgrade b2
expect "$out" "^-- 1. downgrade c3: emails required \(version rows after: b2; runner: transaction\)"
expect_rc 1 "$PGM" plan nowhere
expect "$err" "ERROR:  42704: Can't locate revision identified by 'nowhere'"

# --- downgrade, stamp, history -i ---
expect_rc 0 "$PGM" downgrade b2
expect "$err" "INFO  \[alembic.runtime.migration\] Running downgrade c3 -> b2, emails required"
expect_rc 0 "$PGM" current
expect "$out" "^b2$"
expect_rc 0 "$PGM" stamp c3
expect "$err" "Running stamp_revision b2 -> c3"
expect "$(q "SELECT count(*) FROM migrate.journal WHERE direction = 'stamp'")" "^[3-9]$"
expect_rc 1 "$PGM" stamp nowhere
expect "$err" "ERROR:  42704: Can't locate revision identified by 'nowhere'"
expect_rc 2 "$PGM" stamp
expect_rc 0 "$PGM" history -i
expect "$out" "b2 -> c3 \(current\), emails required"
expect_rc 0 "$PGM" history -r current:
expect "$(echo "$out" | wc -l)" "^2$"
expect_rc 1 "$PGM" downgrade nowhere
expect_rc 2 "$PGM" downgrade

# --- a non-transactional revision: load commits, CALL migrate.run() runs it ---
write_rev versions e5_index.sql <<'SQL'
-- revision: e5
-- revises: d4
-- message: index emails
-- transactional: false

-- migrate:upgrade
CREATE INDEX CONCURRENTLY users_email ON users (email);
-- migrate:downgrade
DROP INDEX CONCURRENTLY users_email;
SQL
expect_rc 0 "$PGM" upgrade
expect "$err" "Running upgrade c3 -> d4, t
INFO  \[alembic.runtime.migration\] Running upgrade d4 -> e5, index emails \(outside a transaction\)"
expect "$(q "SELECT indisvalid FROM pg_index WHERE indexrelid = 'users_email'::regclass")" "^t$"
expect_rc 0 "$PGM" current
expect "$out" "^e5 \(head\)$"

# --- a failing statement: SQLSTATE, CONTEXT; neither the step nor the load stays ---
write_rev versions f6_bad.sql <<'SQL'
-- revision: f6
-- revises: e5
-- message: bad

-- migrate:upgrade
ALTER TABLE nosuch ADD x int;
SQL
expect_rc 1 "$PGM" upgrade
expect "$err" 'ERROR:  42P01: relation "nosuch" does not exist'
expect "$err" "CONTEXT:  .*migrate: upgrade e5 -> f6, bad \(revision f6\)"
expect "$(q "SELECT count(*) FROM migrate.revisions WHERE id = 'f6'")" "^0$"
rm versions/f6_bad.sql

# --- connections: a bad conninfo fails with libpq's message ---
expect_rc 1 "$PGM" --dsn "dbname=migrate_cli_nosuchdb" current
expect "$err" 'error: connection to server .* failed: FATAL:  database "migrate_cli_nosuchdb" does not exist'

# --- progress: never when piped; on a terminal, a status line ---
write_rev versions g7_slow.sql <<'SQL'
-- revision: g7
-- revises: e5
-- message: slow

-- migrate:upgrade
SELECT pg_sleep(1.5);
-- migrate:downgrade
SELECT 1;
SQL
expect_rc 0 "$PGM" upgrade
if grep -q $'\r' "$work/.err"; then echo "progress drawn into a pipe"; exit 1; fi
expect_rc 0 "$PGM" downgrade e5
script -qec "$PGM upgrade" /dev/null >"$work/tty.log"
grep -q $'\r\033\[Kupgrade: 1/1, 1 s' "$work/tty.log" || { echo "no progress line on a terminal:"; cat -v "$work/tty.log"; exit 1; }
echo "database: load, upgrade, gate, check --db, plan, downgrade, stamp, history -i, run(), errors, progress"
