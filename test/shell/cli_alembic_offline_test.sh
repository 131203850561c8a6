#!/usr/bin/env bash
# Alembic 1.8.1's offline (--sql) tests, transcribed for pg_migrate:
# tests/test_command.py, UpgradeDowngradeStampTest (three revisions a, b, c
# in a line; revision N's upgrade runs "CREATE STEP N", its downgrade
# "DROP STEP N"). Alembic's version-table statements map to ours:
#   CREATE TABLE alembic_version + INSERT  ->  INSERT INTO migrate.version
#     (the extension owns the table; the script checks the rows it starts from)
#   UPDATE alembic_version                 ->  UPDATE migrate.version
#   DROP TABLE alembic_version (to base)   ->  DELETE FROM migrate.version
# Only the steps' own lines count: the script's registration block quotes
# every revision's SQL (as `pg_migrate load` registers it), so a step's
# statement is matched where it starts a line.
set -euo pipefail
. "$(dirname "$0")/cli_lib.sh"
cd "$work"
"$PGM" init >/dev/null 2>&1
for n in 1 2 3; do
  id=$(echo abc | cut -c$n)
  parent=$( ((n > 1)) && echo abc | cut -c$((n - 1)) || true)
  printf -- '-- revision: %s\n-- revises: %s\n\n-- migrate:upgrade\nSELECT '"'"'CREATE STEP %s'"'"';\n-- migrate:downgrade\nSELECT '"'"'DROP STEP %s'"'"';\n' \
    "$id" "$parent" "$n" "$n" >"versions/$id.sql"
done

has() { grep -qxF -- "$2" <<<"$1" || { echo "expected the line: $2"; echo "$1"; exit 1; }; }
lacks() { ! grep -qxF -- "$2" <<<"$1" || { echo "unexpected line: $2"; echo "$1"; exit 1; }; }
has_start() { grep -q -- "^$2" <<<"$1" || { echo "expected a line starting: $2"; echo "$1"; exit 1; }; }
lacks_start() { ! grep -q -- "^$2" <<<"$1" || { echo "unexpected line starting: $2"; echo "$1"; exit 1; }; }

# test_version_from_none_insert: upgrade a --sql
expect_rc 0 "$PGM" upgrade a --sql
has "$out" "INSERT INTO migrate.version (version_num) VALUES ('a');"
has "$out" "SELECT 'CREATE STEP 1';"
lacks "$out" "SELECT 'CREATE STEP 2';"
lacks "$out" "SELECT 'CREATE STEP 3';"

# test_version_from_middle_update: upgrade b:c --sql
expect_rc 0 "$PGM" upgrade b:c --sql
lacks_start "$out" "INSERT INTO migrate.version"
has "$out" "UPDATE migrate.version SET version_num = 'c' WHERE version_num OPERATOR(pg_catalog.=) 'b';"
lacks "$out" "SELECT 'CREATE STEP 1';"
lacks "$out" "SELECT 'CREATE STEP 2';"
has "$out" "SELECT 'CREATE STEP 3';"

# test_version_to_none: downgrade c:base --sql
expect_rc 0 "$PGM" downgrade c:base --sql
lacks_start "$out" "INSERT INTO migrate.version"
has_start "$out" "DELETE FROM migrate.version"
has "$out" "SELECT 'DROP STEP 3';"
has "$out" "SELECT 'DROP STEP 2';"
has "$out" "SELECT 'DROP STEP 1';"

# test_version_to_middle: downgrade c:a --sql
expect_rc 0 "$PGM" downgrade c:a --sql
lacks_start "$out" "INSERT INTO migrate.version"
lacks_start "$out" "DELETE FROM migrate.version"
has "$out" "SELECT 'DROP STEP 3';"
has "$out" "SELECT 'DROP STEP 2';"
lacks "$out" "SELECT 'DROP STEP 1';"

# test_none_to_head_sql, test_base_to_head_sql: upgrade head / base:head --sql
for target in head base:head; do
  expect_rc 0 "$PGM" upgrade "$target" --sql
  has "$out" "INSERT INTO migrate.version (version_num) VALUES ('a');"
  has_start "$out" "UPDATE migrate.version"
  has "$out" "SELECT 'CREATE STEP 1';"
  has "$out" "SELECT 'CREATE STEP 2';"
  has "$out" "SELECT 'CREATE STEP 3';"
done
echo "ok"
