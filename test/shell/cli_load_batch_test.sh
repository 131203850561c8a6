#!/usr/bin/env bash
# pg_migrate load sends its migrate.revision() calls pipelined, in chunks:
# a refusal in the middle of a later chunk still names its own file and
# line, nothing of the load stays, and the database can go on; updates and
# unchanged revisions are counted as one by one.
set -euo pipefail
. "$(dirname "$0")/cli_lib.sh"
cd "$work"
new_db migrate_cli_batch
export PGDATABASE=migrate_cli_batch
db=migrate_cli_batch
mkdir versions
rev() { # rev I [SQL]
  local id prev
  id=$(printf 'r%03d' "$1")
  prev=$([ "$1" -gt 1 ] && printf 'r%03d' $(($1 - 1)) || true)
  printf -- '-- revision: %s\n-- revises: %s\n-- message: table %d\n\n-- migrate:upgrade\n%s\n\n-- migrate:downgrade\nDROP TABLE t%d;\n' \
    "$id" "$prev" "$1" "${2:-CREATE TABLE t$1 (id int);}" "$1" >"versions/$id.sql"
}
for i in $(seq 1 150); do rev "$i"; done

# A refusal in the second chunk (statement 100): its file, nothing loaded.
rev 100 "CREATE TABLE t100 (id int"
expect_rc 1 "$PGM" load
expect "$err" "ERROR:  42601: syntax error at end of input"
expect "$err" "CONTEXT:  .*pg_migrate: registering revision r100 of versions/r100.sql:1$"
expect "$err" "new revision r099 \(versions/r099.sql\)"
[[ "$err" != *"new revision r100 "* ]] || { echo "r100 reported as loaded"; exit 1; }
expect "$(q "SELECT count(*) FROM migrate.revisions")" "^0$"
# ... and in the first one.
rev 100
rev 5 "CREATE TABLE t5 (id int"
expect_rc 1 "$PGM" load
expect "$err" "CONTEXT:  .*registering revision r005 of versions/r005.sql:1$"
expect "$(q "SELECT count(*) FROM migrate.revisions")" "^0$"

rev 5
expect_rc 0 "$PGM" load
expect "$out" "^loaded versions: 150 new, 0 updated, 0 unchanged$"
expect "$(q "SELECT string_agg(id, ',' ORDER BY created_at) FROM migrate.revisions")" "^r001,r002,r003,.*,r149,r150$"
rev 3 "CREATE TABLE t3 (id bigint);"
rev 140 "CREATE TABLE t140 (id bigint);"
expect_rc 0 "$PGM" load
expect "$out" "^loaded versions: 0 new, 2 updated, 148 unchanged$"
expect "$err" "updated revision r003 .*
INFO  \[pg_migrate.load\] updated revision r140 "
expect_rc 0 "$PGM" upgrade
expect "$(q "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 't140'::regclass AND attname = 'id'")" "^bigint$"
