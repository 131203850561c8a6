#!/usr/bin/env bash
# ALTER EXTENSION migrate UPDATE from 0.1.0 keeps a deployer working: EXECUTE
# on the old migrate.revision() carries over to its new signature
# (lint_ignore appended), and a role that could move the database (INSERT on
# migrate.journal) may record the schema each move leaves. PUBLIC gains nothing.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
fresh_db migrate_update_grants
trap 'dropdb --if-exists "$db" 2>/dev/null || true; psql -X -q -d postgres -c "DROP ROLE IF EXISTS migrate_old_deployer" >/dev/null' EXIT
psql -X -q -v ON_ERROR_STOP=1 -d "$db" >/dev/null <<'SQL'
CREATE EXTENSION migrate VERSION '0.1.0';
DROP ROLE IF EXISTS migrate_old_deployer;
CREATE ROLE migrate_old_deployer LOGIN PASSWORD 'old';
-- The grants 0.1.0's README listed.
GRANT EXECUTE ON FUNCTION migrate.revision(text, text[], text, text, text, text[], text[], boolean, text[], interval, interval),
                          migrate.upgrade(text), migrate.downgrade(text), migrate.stamp(text) TO migrate_old_deployer;
GRANT SELECT, INSERT, UPDATE ON migrate.revisions TO migrate_old_deployer;
GRANT SELECT, INSERT, UPDATE, DELETE ON migrate.version TO migrate_old_deployer;
GRANT INSERT ON migrate.journal TO migrate_old_deployer;
GRANT USAGE ON SEQUENCE migrate.journal_id_seq TO migrate_old_deployer;
GRANT UPDATE ON migrate.catalog_state TO migrate_old_deployer;
GRANT CREATE ON SCHEMA public TO migrate_old_deployer;
SELECT migrate.revision('a1', '{}', 'CREATE TABLE t (id int)', 'DROP TABLE t');
ALTER EXTENSION migrate UPDATE TO '0.2.0';
SQL
as_old() { PGOPTIONS='-c client_min_messages=warning' PGPASSWORD=old psql -X -q -At -d "$db" -U migrate_old_deployer -c "$1" 2>&1 || true; }
expect "$(as_old "SELECT migrate.revision('b2', '{a1}', 'ALTER TABLE t ADD n int', 'ALTER TABLE t DROP n', lint_ignore => '{drop-column}')")" "^b2$"
expect "$(as_old "SELECT revision FROM migrate.upgrade()")" $'^a1\nb2$'
expect "$(as_old "SELECT count(*) FROM migrate.drift()")" "^0$"
expect "$(as_old "SELECT count(*) FROM migrate.lint()")" "^0$"
# The old signature is gone; PUBLIC cannot execute the new one.
expect "$(q "SELECT count(*) FROM pg_proc WHERE proname = 'revision' AND pronamespace = 'migrate'::regnamespace")" "^1$"
expect "$(q "SELECT has_function_privilege('public', 'migrate.revision(text, text[], text, text, text, text[], text[], boolean, text[], interval, interval, text[])', 'EXECUTE')")" "^f$"
expect "$(q "SELECT has_table_privilege('public', 'migrate.schema_fingerprint', 'SELECT')")" "^f$"
expect "$(q "SELECT to_regclass('migrate.grants_to_carry_0_2_0') IS NULL")" "^t$"
