#!/usr/bin/env bash
# A role without grants can neither register revisions nor write the catalog;
# it may read once an owner grants SELECT.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
db=migrate_privileges
dropdb --if-exists "$db"; createdb "$db"
trap 'dropdb --if-exists "$db"; psql -X -q -d postgres -c "DROP ROLE IF EXISTS migrate_nobody" -c "DROP ROLE IF EXISTS migrate_deployer" >/dev/null' EXIT
psql -X -q -v ON_ERROR_STOP=1 -d "$db" >/dev/null <<'SQL'
CREATE EXTENSION migrate;
SELECT migrate.revision('a1', '{}', 'SELECT 1');
DROP ROLE IF EXISTS migrate_nobody;
CREATE ROLE migrate_nobody LOGIN PASSWORD 'nobody';
SQL
as_nobody() { PGPASSWORD=nobody psql -X -q -At -d "$db" -U migrate_nobody -c "$1" 2>&1 || true; }
expect() { # expect <output> <pattern>
  echo "$1" | grep -q "$2" || { echo "expected /$2/, got: $1"; exit 1; }
}
expect "$(as_nobody "SELECT migrate.revision('b2', '{a1}', 'SELECT 1')")" "permission denied for function revision"
expect "$(as_nobody "INSERT INTO migrate.revisions (id, upgrade_sql, checksum) VALUES ('b2', 'SELECT 1', 'x')")" "permission denied for table revisions"
expect "$(as_nobody "INSERT INTO migrate.version VALUES ('a1')")" "permission denied for table version"
expect "$(as_nobody "DELETE FROM migrate.journal")" "permission denied for table journal"
expect "$(as_nobody "SELECT * FROM migrate.heads()")" "permission denied for table revisions"
expect "$(as_nobody "SELECT * FROM migrate.upgrade('a1')")" "permission denied for function upgrade"
expect "$(as_nobody "SELECT * FROM migrate.downgrade('base')")" "permission denied for function downgrade"
expect "$(as_nobody "SELECT * FROM migrate.stamp('a1')")" "permission denied for function stamp"
expect "$(as_nobody "SELECT migrate.merge('{a1,a2}')")" "permission denied for function merge"
expect "$(as_nobody "SELECT migrate.backfill('f', 'a1', 'DELETE FROM t')")" "permission denied for function backfill"
expect "$(as_nobody "CALL migrate.run_backfills()")" "permission denied for procedure run_backfills"
expect "$(as_nobody "CALL migrate.run()")" "permission denied for procedure run"
expect "$(as_nobody "SELECT * FROM migrate.rehearse()")" "permission denied for function rehearse"
# Proving reads what the role may read: the catalog's revisions, the recorded schema.
expect "$(as_nobody "SELECT count(*) FROM migrate.lint()")" "permission denied for table revisions"
expect "$(as_nobody "SELECT count(*) FROM migrate.drift()")" "permission denied for table schema_fingerprint_state"
expect "$(as_nobody "SELECT count(*) FROM migrate.check_roundtrip()")" "permission denied for function check_roundtrip"
expect "$(as_nobody "SELECT count(*) > 0 FROM migrate.fingerprint()")" "^t$"
expect "$(as_nobody "DELETE FROM migrate.schema_fingerprint")" "permission denied for table schema_fingerprint"
psql -X -q -d "$db" -c "GRANT SELECT ON migrate.revisions, migrate.version TO migrate_nobody" >/dev/null
expect "$(as_nobody "SELECT * FROM migrate.heads()")" "^a1$"
expect "$(as_nobody "SELECT migrate.revision('b2', '{a1}', 'SELECT 1')")" "permission denied for function revision"
[ "$(psql -X -At -d "$db" -c 'SELECT count(*) FROM migrate.revisions')" = 1 ]

# A deploy role with the grants README lists can register and read.
psql -X -q -v ON_ERROR_STOP=1 -d "$db" >/dev/null <<SQL
DROP ROLE IF EXISTS migrate_deployer;
CREATE ROLE migrate_deployer LOGIN PASSWORD 'deployer';
$(readme_grants migrate_deployer)
-- What the deployer's migrations themselves create.
GRANT CREATE ON SCHEMA public TO migrate_deployer;
SQL
as_deployer() { PGOPTIONS='-c client_min_messages=warning' PGPASSWORD=deployer psql -X -q -At -d "$db" -U migrate_deployer -c "$1" 2>&1 || true; }
expect "$(as_deployer "SELECT migrate.revision('b2', '{a1}', 'SELECT 1')")" "^b2$"
expect "$(as_deployer "SELECT * FROM migrate.heads()")" "^b2$"
expect "$(as_deployer "SELECT migrate.revision('b2', '{a1}', 'SELECT 2')")" "^b2$"
expect "$(as_deployer "SELECT upgrade_sql FROM migrate.revisions WHERE id = 'b2'")" "^SELECT 2$"
# ... and move the database with the README's grants, running as itself.
expect "$(as_deployer "SELECT migrate.revision('c3', '{b2}', 'CREATE TABLE deployed (id int)', 'DROP TABLE deployed')")" "^c3$"
expect "$(as_deployer "SELECT revision FROM migrate.upgrade('head')")" "c3"
expect "$(as_deployer "SELECT c FROM migrate.current() c")" "^c3$"
expect "$(psql -X -At -d "$db" -c "SELECT tableowner FROM pg_tables WHERE tablename = 'deployed'")" "^migrate_deployer$"
# ... lint the next step and see no drift after its move, as itself.
expect "$(as_deployer "SELECT migrate.revision('c4', '{c3}', 'ALTER TABLE deployed ADD n int', 'ALTER TABLE deployed DROP n', lint_ignore => '{drop-table}')")" "^c4$"
expect "$(as_deployer "SELECT rule FROM migrate.lint()")" "^$"
expect "$(as_deployer "SELECT revision || ' ' || statement || ' ' || locks::text FROM migrate.rehearse()")" '^c4 1 {"AccessExclusiveLock on public.deployed"}$'
expect "$(psql -X -At -d "$db" -c "SELECT count(*) FROM information_schema.columns WHERE table_name = 'deployed' AND column_name = 'n'")" "^0$"
# check_roundtrip (issue 12) with docs/sql.md's grants: the stairway of c4, as itself, nothing kept.
expect "$(as_deployer "SELECT revision || ' ' || ok FROM migrate.check_roundtrip()")" "^c4 true$"
expect "$(as_deployer "SELECT count(*) FROM information_schema.columns WHERE table_name = 'deployed' AND column_name = 'n'")" "^0$"
expect "$(as_deployer "SELECT count(*) FROM migrate.drift()")" "^0$"
psql -X -q -d "$db" -c "CREATE INDEX deployed_by_hand ON deployed (id)" >/dev/null
expect "$(as_deployer "SELECT name || ' ' || change FROM migrate.drift()")" "^public.deployed_by_hand added$"
expect "$(as_deployer "SELECT revision FROM migrate.upgrade('c4')")" "^c4$"
expect "$(as_deployer "SELECT count(*) FROM migrate.drift()")" "^0$"
psql -X -q -d "$db" -c "DROP INDEX deployed_by_hand" >/dev/null
# ... and register and run a backfill, as itself.
expect "$(as_deployer "SELECT migrate.backfill('fill_deployed', 'c3', 'INSERT INTO deployed SELECT 1 WHERE NOT EXISTS (SELECT FROM deployed)')")" "^fill_deployed$"
expect "$(as_deployer "CALL migrate.run_backfills()")" "^$"
expect "$(as_deployer "SELECT state || ' ' || rows_done FROM migrate.backfills")" "^done 1$"
# ... and run a concurrent index build through migrate.run(), as itself.
expect "$(as_deployer "SELECT migrate.revision('c3x', '{c4}', 'CREATE INDEX CONCURRENTLY deployed_id_idx ON deployed (id)', 'DROP INDEX deployed_id_idx', transactional => false)")" "^c3x$"
expect "$(as_deployer "CALL migrate.run()")" "^$"
expect "$(psql -X -At -d "$db" -c "SELECT indisvalid FROM pg_index WHERE indexrelid = 'deployed_id_idx'::regclass")" "^t$"
# downgrade() refuses a non-transactional revision: undo it by hand and stamp.
expect "$(as_deployer "SELECT revision FROM migrate.downgrade('c3')")" "cannot run inside downgrade"
expect "$(as_deployer "DROP INDEX deployed_id_idx; SELECT c FROM migrate.stamp('c3') c")" "^c3$"
expect "$(as_deployer "SELECT revision FROM migrate.downgrade('b2')")" "c3"
expect "$(as_deployer "SELECT state || ' ' || rows_done FROM migrate.backfills")" "^pending 0$"
expect "$(as_deployer "SELECT c FROM migrate.stamp('base') c")" "^$"
# ... and, with the same grants, run() up through the concurrent index and
# down again through the worker, and stamp several revisions.
expect "$(as_deployer "CALL migrate.run('c3x')")" "^$"
expect "$(psql -X -At -d "$db" -c "SELECT indisvalid FROM pg_index WHERE indexrelid = 'deployed_id_idx'::regclass")" "^t$"
expect "$(as_deployer "CALL migrate.run('b2', 'downgrade')")" "^$"
expect "$(psql -X -At -d "$db" -c "SELECT to_regclass('deployed_id_idx') IS NULL AND to_regclass('deployed') IS NULL")" "^t$"
expect "$(as_deployer "SELECT string_agg(c, ',') FROM migrate.stamp('base') c")" "^$"
expect "$(as_deployer "SELECT string_agg(c, ',' ORDER BY c) FROM migrate.stamp('a1', 'c3x') c")" "^a1,c3x$"
expect "$(as_deployer "SELECT migrate.merge('{c3x}', 'single')")" "a merge needs two or more heads"
# migrate_nobody still cannot move it.
expect "$(as_nobody "SELECT * FROM migrate.upgrade('head')")" "permission denied for function upgrade"
