#!/usr/bin/env bash
# pg_migrate rehearse (issue 12): loads the files and prints
# migrate.rehearse(target) as one table per revision (each statement's
# duration, rows, locks taken, relations rewritten, SQL, note), then rolls
# back: the database keeps its version rows, schema and catalog, and no
# "Running upgrade" line claims an upgrade happened.
set -euo pipefail
. "$(dirname "$0")/cli_lib.sh"
cd "$work"
new_db migrate_cli_rehearse
export PGDATABASE=migrate_cli_rehearse
db=migrate_cli_rehearse
"$PGM" init 2>/dev/null

write_rev versions a1.sql <<'SQL'
-- revision: a1
-- migrate:upgrade
CREATE TABLE orders (id int PRIMARY KEY, v text);
INSERT INTO orders SELECT i, 'v' || i FROM generate_series(1, 2000) i;
-- migrate:downgrade
DROP TABLE orders;
SQL
expect_rc 0 "$PGM" upgrade a1
write_rev versions b2.sql <<'SQL'
-- revision: b2
-- revises: a1
-- message: widen and fill
-- migrate:upgrade
ALTER TABLE orders ADD w int;
UPDATE orders SET w = id;
ALTER TABLE orders ALTER id TYPE bigint;
-- migrate:downgrade
ALTER TABLE orders ALTER id TYPE int;
ALTER TABLE orders DROP w;
SQL
write_rev versions c3.sql <<'SQL'
-- revision: c3
-- revises: b2
-- transactional: false
-- migrate:upgrade
CREATE INDEX CONCURRENTLY orders_w ON orders (w);
-- migrate:downgrade
DROP INDEX CONCURRENTLY orders_w;
SQL
expect_rc 0 "$PGM" rehearse
expect "$out" "^-- b2 \(versions/b2\.sql:1\)"
expect "$out" "statement \| duration +\| rows +\| locks taken +\| rewritten +\| sql +\| note"
expect "$out" "
1 +\| [0-9]+\.[0-9] ms +\| +\| [^|]*AccessExclusiveLock on public\.orders"
expect "$out" "
2 +\| [0-9]+\.[0-9] ms +\| 2000 +\| [^|]*RowExclusiveLock on public\.orders[^|]*\| +\| UPDATE orders SET w = id +\|"
expect "$out" "
3 +\| [^|]*\| [^|]*\| [^|]*\| public\.orders, public\.orders_pkey +\| ALTER TABLE orders ALTER id TYPE bigint"
expect "$out" "-- c3 \(versions/c3\.sql:1\)"
expect "$out" "CREATE INDEX CONCURRENTLY orders_w ON orders \(w\) +\| not rehearsed: "
expect "$out" "-- rehearsed 2 revisions to head \([0-9]+ statements\), rolled back$"
[[ "$err" != *"Running upgrade"* ]] || { echo "a rehearsal printed an upgrade: $err"; exit 1; }
# Nothing stays: version rows, schema, catalog.
expect "$(q "SELECT version_num FROM migrate.version")" '^a1$'
expect "$(q "SELECT count(*) FROM pg_attribute WHERE attrelid = 'orders'::regclass AND attname = 'w'")" '^0$'
expect "$(q "SELECT count(*) FROM migrate.revisions WHERE id IN ('b2', 'c3')")" '^0$'
# A target: one revision.
expect_rc 0 "$PGM" rehearse b2
expect "$out" "-- rehearsed 1 revision to b2 \(3 statements\), rolled back$"
# Nothing pending.
expect_rc 0 "$PGM" rehearse a1
expect "$out" "^-- rehearsed 0 revisions to a1 \(0 statements\), rolled back$"
# Refusals: the engine's, with SQLSTATE; bad usage.
expect_rc 1 "$PGM" rehearse nosuch
expect "$err" "ERROR:  [0-9A-Z]{5}: "
expect_rc 2 "$PGM" rehearse a b
expect_rc 2 "$PGM" rehearse --sql
echo "ok"
