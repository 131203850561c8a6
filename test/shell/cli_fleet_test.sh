#!/usr/bin/env bash
# Fleets: --dsn repeated and --dsn-file, --jobs 2. The command runs on every
# database, one result line each in the order given, exit 1 if any failed;
# the failing database keeps nothing (its load rolled back with its
# upgrade), the others are upgraded.
set -euo pipefail
. "$(dirname "$0")/cli_lib.sh"
cd "$work"
"$PGM" init 2>/dev/null
write_rev versions a1.sql <<'SQL'
-- revision: a1
-- message: create t

-- migrate:upgrade
CREATE TABLE t (id int);
-- migrate:downgrade
DROP TABLE t;
SQL
write_rev versions b2.sql <<'SQL'
-- revision: b2
-- revises: a1
-- message: add c

-- migrate:upgrade
ALTER TABLE t ADD c int;
-- migrate:downgrade
ALTER TABLE t DROP c;
SQL
new_db migrate_cli_fleet1
new_db migrate_cli_fleet2
new_db migrate_cli_fleet3
psql -X -q -d migrate_cli_fleet3 -c "CREATE TABLE t (id int)" # upgrading it fails: t exists
printf '# the second half of the fleet\n\ndbname=migrate_cli_fleet2\n' >dsns.txt

fleet=(--dsn dbname=migrate_cli_fleet1 --dsn "postgresql:///migrate_cli_fleet3" --dsn-file dsns.txt --jobs 2)
expect_rc 1 "$PGM" "${fleet[@]}" upgrade
lines=$(echo "$out" | grep -v '^\[')
expect "$(echo "$lines" | wc -l)" "^3$"
expect "$(echo "$lines" | sed -n 1p)" "^migrate_cli_fleet1@.*: ok: loaded 2 new, 0 updated, 0 unchanged; upgraded 2 revisions; at b2$"
expect "$(echo "$lines" | sed -n 2p)" '^migrate_cli_fleet3@.*: FAILED: 42P07 relation "t" already exists$'
expect "$(echo "$lines" | sed -n 3p)" "^migrate_cli_fleet2@.*: ok: .*; at b2$"
expect "$err" '\[migrate_cli_fleet3@[^]]*\] ERROR:  42P07: relation "t" already exists'
expect "$err" "\[migrate_cli_fleet1@[^]]*\] INFO  \[alembic.runtime.migration\] Running upgrade a1 -> b2, add c"
expect "$err" "1 of 3 databases failed"
if grep -q $'\r' "$work/.err"; then echo "progress drawn into a pipe"; exit 1; fi
for d in 1 2; do
  expect "$(psql -X -At -d migrate_cli_fleet$d -c "SELECT string_agg(version_num, ',') FROM migrate.version")" "^b2$"
done
expect "$(psql -X -At -d migrate_cli_fleet3 -c "SELECT count(*) FROM migrate.revisions") $(psql -X -At -d migrate_cli_fleet3 -c "SELECT count(*) FROM migrate.version")" "^0 0$"

expect_rc 0 "$PGM" "${fleet[@]}" current
expect "$(echo "$out" | grep -v '^\[')" "^migrate_cli_fleet1@.*: ok: b2 \(head\)
migrate_cli_fleet3@.*: ok: base
migrate_cli_fleet2@.*: ok: b2 \(head\)$"

# Fixed, the same command brings the last one along; the others have nothing to do.
psql -X -q -d migrate_cli_fleet3 -c "DROP TABLE t"
expect_rc 0 "$PGM" "${fleet[@]}" upgrade
expect "$(echo "$out" | grep -c ': ok: ')" "^3$"
expect "$out" "migrate_cli_fleet1@.*: ok: loaded 0 new, 0 updated, 2 unchanged; upgraded 0 revisions; at b2"
expect "$out" "migrate_cli_fleet3@.*: ok: loaded 2 new, 0 updated, 0 unchanged; upgraded 2 revisions; at b2"
expect_rc 0 "$PGM" "${fleet[@]}" check --db
expect "$(echo "$out" | grep -c ': ok: at b2; up to date with versions$')" "^3$"

# A database that cannot be reached is one failed line, not the end of the fleet.
expect_rc 1 "$PGM" --dsn dbname=migrate_cli_fleet1 --dsn dbname=migrate_cli_fleet_nosuch current
expect "$out" "migrate_cli_fleet1@.*: ok: b2 \(head\)"
expect "$out" 'migrate_cli_fleet_nosuch@.*: FAILED: connection to server .*database "migrate_cli_fleet_nosuch" does not exist'
echo "fleet: 3 databases, 2 at a time, one failing alone"
