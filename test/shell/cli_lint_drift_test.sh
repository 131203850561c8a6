#!/usr/bin/env bash
# pg_migrate lint and drift (issue 12): lint loads the files, asks
# migrate.lint() and prints each finding at its file:line (the statement's
# line inside the upgrade section mapped to the file), exit 1 on an error
# (--strict: on a warning too), and leaves nothing registered; a file's
# "-- lint-ignore:" header reaches migrate.revisions (load and bundle) and
# silences the rule; drift lists what was changed by hand since the last
# move, exit 1 when anything was.
set -euo pipefail
. "$(dirname "$0")/cli_lib.sh"
cd "$work"
new_db migrate_cli_lint
export PGDATABASE=migrate_cli_lint
db=migrate_cli_lint
"$PGM" init 2>/dev/null

write_rev versions a1.sql <<'SQL'
-- revision: a1
-- message: orders

-- migrate:upgrade
CREATE TABLE orders (id int PRIMARY KEY, v text, note text);
INSERT INTO orders SELECT i, 'v' || i, 'n' FROM generate_series(1, 2000) i;
-- migrate:downgrade
DROP TABLE orders;
SQL
expect_rc 0 "$PGM" upgrade a1

# Line 8 is the CREATE INDEX (after a blank line and a comment), line 9 the
# ALTER TABLE that drops a column.
write_rev versions b2.sql <<'SQL'
-- revision: b2
-- revises: a1
-- message: index and drop

-- migrate:upgrade

-- an index for lookups
CREATE INDEX orders_v ON orders (v);
ALTER TABLE orders
  DROP COLUMN note;

-- migrate:downgrade
ALTER TABLE orders ADD note text;
DROP INDEX orders_v;
SQL

# Two warnings (the table has rows, below migrate.lint_large_table): exit 0.
expect_rc 0 "$PGM" lint
expect "$out" "versions/b2\.sql:8: warning: index-not-concurrent: .*orders"
expect "$out" "versions/b2\.sql:9: warning: drop-column: "
expect "$out" "HINT:  .*CONCURRENTLY"
expect "$out" "ok: lint to head: 0 errors, 2 warnings$"
# Nothing stays: the load was rolled back.
expect "$(q "SELECT count(*) FROM migrate.revisions WHERE id = 'b2'")" '^0$'
# --strict: warnings fail.
expect_rc 1 "$PGM" lint --strict
expect "$out" "FAILED: lint to head: 0 errors, 2 warnings$"
# A smaller large-table threshold makes the index an error: exit 1.
PGOPTIONS="-c migrate.lint_large_table=8kB" expect_rc 1 "$PGM" lint head
expect "$out" "versions/b2\.sql:8: error: index-not-concurrent: "
expect "$out" "FAILED: lint to head: 1 error, 1 warning$"
# A target already reached lints nothing.
expect_rc 0 "$PGM" lint a1
expect "$out" "^ok: lint to a1: 0 errors, 0 warnings$"

# -- lint-ignore: silences the rule for this revision, reaches the database
# (not part of the checksum: it may change once applied), and bundle.
sed -i 's/^-- message: index and drop$/&\n-- lint-ignore: drop-column/' versions/b2.sql
expect_rc 1 "$PGM" lint --strict
expect "$out" "versions/b2\.sql:9: warning: index-not-concurrent: "
[[ "$out" != *drop-column* ]] || { echo "drop-column not silenced: $out"; exit 1; }
expect_rc 0 "$PGM" bundle
expect "$out" "lint_ignore => '\\{\"drop-column\"\\}'"
expect_rc 0 "$PGM" upgrade
expect "$(q "SELECT lint_ignore FROM migrate.revisions WHERE id = 'b2'")" '^\{drop-column\}$'
checksum=$(q "SELECT checksum FROM migrate.revisions WHERE id = 'b2'")
sed -i 's/^-- lint-ignore: drop-column$/-- lint-ignore: drop-column, index-not-concurrent/' versions/b2.sql
expect_rc 0 "$PGM" load
expect "$out" "1 updated"
expect "$(q "SELECT lint_ignore FROM migrate.revisions WHERE id = 'b2'")" '^\{drop-column,index-not-concurrent\}$'
expect "$(q "SELECT checksum FROM migrate.revisions WHERE id = 'b2'")" "^$checksum$"
expect_rc 0 "$PGM" load
expect "$out" "0 updated, 2 unchanged"

# An unknown rule is refused at its file:line, listing the known ones.
cp versions/b2.sql b2.keep
sed -i 's/^-- lint-ignore: .*/-- lint-ignore: index-not-concurrent, no-such-rule/' versions/b2.sql
expect_rc 1 "$PGM" lint
expect "$err" "versions/b2\.sql:4: lint-ignore: unknown rule \"no-such-rule\""
expect "$err" "DETAIL:  Known rules: table-rewrite, index-not-concurrent, "
cp b2.keep versions/b2.sql

# A pending revision whose lint finds an error under the default threshold:
# ADD COLUMN NOT NULL without a default on a table with rows fails.
write_rev versions c3.sql <<'SQL'
-- revision: c3
-- revises: b2
-- migrate:upgrade
ALTER TABLE orders ADD required int NOT NULL;
SQL
expect_rc 1 "$PGM" lint
expect "$out" "versions/c3\.sql:4: error: required-column: "
# Bad usage and bad targets.
expect_rc 2 "$PGM" lint a b
expect_rc 2 "$PGM" lint --bogus
expect_rc 1 "$PGM" lint nosuch
expect "$err" "ERROR:  [0-9A-Z]{5}: "
rm versions/c3.sql
# A revision the database holds and no file defines: named, with its line.
q "SELECT migrate.revision('x9', '{b2}', E'SELECT 1;\nALTER TABLE orders DROP COLUMN v')" >/dev/null
expect_rc 0 "$PGM" lint x9
expect "$out" "^revision x9, line 2 of its upgrade SQL: warning: drop-column: "

# drift: nothing right after a move; out-of-band DDL is listed, exit 1.
expect_rc 0 "$PGM" drift
expect "$out" "^ok: no drift"
q "ALTER TABLE orders ADD COLUMN extra int"
q "CREATE INDEX orders_extra ON orders (extra)"
expect_rc 1 "$PGM" drift
expect "$out" "kind +\| name +\| change +\| detail"
expect "$out" "column +\| public\.orders\.extra +\| added +\| now: integer"
expect "$out" "index +\| public\.orders_extra +\| added +\| now: CREATE INDEX orders_extra"
expect "$out" "FAILED: drift: 2 objects changed out of band since the engine's last move$"
# A fleet: one result line per database.
new_db migrate_cli_lint_b
psql -X -q -d migrate_cli_lint_b -c "SELECT migrate.stamp('base')" >/dev/null
expect_rc 1 "$PGM" --dsn dbname=migrate_cli_lint --dsn dbname=migrate_cli_lint_b drift
expect "$out" "migrate_cli_lint@.*: FAILED: drift: 2 objects changed"
expect "$out" "migrate_cli_lint_b@.*: ok: no drift"
# Stamping where the database is takes the schema as it is.
expect_rc 0 "$PGM" stamp b2
expect_rc 0 "$PGM" drift
# Before any move there is nothing to compare with: the engine's refusal.
new_db migrate_cli_lint_c
expect_rc 1 "$PGM" --dsn dbname=migrate_cli_lint_c drift
expect "$err" "ERROR:  55000: "
expect "$err" "HINT:  "
expect_rc 2 "$PGM" drift now
echo "ok"
