#!/usr/bin/env bash
# pg_migrate test (issue 12): one CI step for a team's migrations. In a
# throwaway database (created through the maintenance database, dropped at
# the end, also when something failed) or in --dsn's (left as it was), the
# files are loaded and every revision's round trip is checked from base
# (migrate.check_roundtrip('heads')) and the plan linted; a failed round trip
# points at the revision's downgrade section and names what differs; exit 1
# on any failure (a lint error; --strict: a warning).
set -euo pipefail
. "$(dirname "$0")/cli_lib.sh"
cd "$work"
new_db migrate_cli_test
export PGDATABASE=migrate_cli_test
db=migrate_cli_test
scratch_dbs() { psql -X -At -d postgres -c "SELECT count(*) FROM pg_database WHERE datname LIKE 'pg\_migrate\_test\_%'"; }
"$PGM" init 2>/dev/null

write_rev versions a1.sql <<'SQL'
-- revision: a1
-- message: t

-- migrate:upgrade
CREATE TABLE t (id int PRIMARY KEY, v text);
-- migrate:downgrade
DROP TABLE t;
SQL
# Its downgrade forgets the index (line 9 is the downgrade marker).
write_rev versions b2.sql <<'SQL'
-- revision: b2
-- revises: a1
-- message: index and column

-- migrate:upgrade
CREATE INDEX t_v ON t (v);
ALTER TABLE t ADD w int DEFAULT 0;

-- migrate:downgrade
ALTER TABLE t DROP w;
SQL
expect_rc 1 "$PGM" test
expect "$out" "ok: round trip of a1 \(versions/a1\.sql:1\)"
expect "$out" "versions/b2\.sql:9: FAILED: round trip of b2"
expect "$out" "    index public\.t_v: left behind"
expect "$out" "FAILED: 2 revisions: 1 round trip failed; lint: 0 errors, 0 warnings$"
expect "$err" "created database pg_migrate_test_[0-9]+_[0-9a-f]{8} for the test"
expect "$err" "dropped database pg_migrate_test_"
expect "$(scratch_dbs)" '^0$'

# Fixed: exit 0. A concurrent index cannot run in the check's transaction,
# an irreversible revision is never run down: both reported, not failures.
sed -i 's/^ALTER TABLE t DROP w;$/&\nDROP INDEX t_v;/' versions/b2.sql
write_rev versions c3.sql <<'SQL'
-- revision: c3
-- revises: b2
-- transactional: false
-- migrate:upgrade
CREATE INDEX CONCURRENTLY t_w ON t (w);
-- migrate:downgrade
DROP INDEX CONCURRENTLY t_w;
SQL
# In --dsn's database everything is rolled back: the concurrent index is
# reported, not checked.
expect_rc 0 "$PGM" --dsn dbname=migrate_cli_test test
expect "$out" "ok: round trip of b2"
expect "$out" "not checked: c3 \(versions/c3\.sql:1\): "
[[ "$out" != *"): not checked:"* ]] || { echo "said twice: $out"; exit 1; }
expect "$out" "ok: 3 revisions: 0 round trips failed, 1 not checked; lint: 0 errors, 0 warnings$"
# In a throwaway database test owns, it is run for real by CALL
# migrate.run() (up, down, up), and the check goes on after it: d4's
# forgotten column is found, and so is c3's forgotten index.
write_rev versions d4.sql <<'SQL'
-- revision: d4
-- revises: c3
-- migrate:upgrade
ALTER TABLE t ADD x int;
-- migrate:downgrade
SELECT 1;
SQL
expect_rc 1 "$PGM" test
expect "$out" "ok: round trip of b2"
expect "$out" "ok: round trip of c3 \(versions/c3\.sql:1\), run by CALL migrate\.run\(\)"
expect "$out" "versions/d4\.sql:[0-9]+: FAILED: round trip of d4"
expect "$out" "    column public\.t\.x: left behind"
expect "$out" "FAILED: 4 revisions: 1 round trip failed; lint: 0 errors, 0 warnings$"
[[ "$out" != *"Running upgrade"* && "$err" != *"each committed"* ]] || { echo "run()'s reports printed: $out $err"; exit 1; }
sed -i 's/^DROP INDEX CONCURRENTLY t_w;$/SELECT 1;/' versions/c3.sql
sed -i 's/^SELECT 1;$/ALTER TABLE t DROP x;/' versions/d4.sql
expect_rc 1 "$PGM" test
expect "$out" "versions/c3\.sql:[0-9]+: FAILED: round trip of c3, run by CALL migrate\.run\(\)"
expect "$out" "    index public\.t_w: left behind"
expect "$out" "upgrade again failed: SQLSTATE 42P07"
expect "$out" "not checked: what follows c3"
expect "$(scratch_dbs)" '^0$'
sed -i 's/^SELECT 1;$/DROP INDEX CONCURRENTLY t_w;/' versions/c3.sql
expect_rc 0 "$PGM" test
expect "$out" "ok: round trip of d4"
expect "$out" "ok: 4 revisions: 0 round trips failed; lint: 0 errors, 0 warnings$"
expect "$(scratch_dbs)" '^0$'
rm versions/c3.sql versions/d4.sql

# An upgrade that fails: reported, exit 1, the database dropped all the same.
write_rev versions c3.sql <<'SQL'
-- revision: c3
-- revises: b2
-- migrate:upgrade
ALTER TABLE t ADD CONSTRAINT t_v_nonempty CHECK (v <> '');
INSERT INTO t VALUES (1, '');
-- migrate:downgrade
ALTER TABLE t DROP CONSTRAINT t_v_nonempty;
SQL
expect_rc 1 "$PGM" test
expect "$out" "versions/c3\.sql:[0-9]+: FAILED: round trip of c3"
expect "$out" "23514"
expect "$(scratch_dbs)" '^0$'
rm versions/c3.sql

# Ctrl-C while the check runs cancels it; the database is dropped all the same.
write_rev versions c3.sql <<'SQL'
-- revision: c3
-- revises: b2
-- migrate:upgrade
SELECT pg_sleep(20);
-- migrate:downgrade
SQL
set +e
"$PGM" test >"$work/int.out" 2>"$work/int.err" &
pid=$!
for _ in $(seq 100); do
  [ "$(psql -X -At -d postgres -c "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%check_roundtrip%' AND pid <> pg_backend_pid()")" = 1 ] && break
  sleep 0.1
done
kill -INT $pid
wait $pid
rc=$?
set -e
[ "$rc" = 1 ] || { echo "Ctrl-C: exit $rc"; cat "$work/int.err"; exit 1; }
expect "$(cat "$work/int.err")" "57014"
expect "$(cat "$work/int.err")" "dropped database pg_migrate_test_"
expect "$(scratch_dbs)" '^0$'
rm versions/c3.sql

# Ctrl-C while no statement runs (nothing to cancel: a plain client would
# exit at once, 130): here the client is blocked writing its report into a
# full pipe, after the check and before the drop. The database is dropped
# all the same.
mkdir many
for i in $(seq 1 3000); do # a report of ~130 kB
  printf -- '-- revision: r%04d\n-- revises: %s\n\n-- migrate:upgrade\nSELECT 1;\n-- migrate:downgrade\nSELECT 1;\n' \
    "$i" "$( ((i > 1)) && printf 'r%04d' $((i - 1)) || true)" >"many/r$(printf %04d "$i").sql"
done
mkfifo "$work/full"
exec 7<>"$work/full" # held open, never read: 64 KiB fit, then writes block
"$PGM" --dir many test >"$work/full" 2>"$work/many.err" &
pid=$!
for _ in $(seq 600); do
  [[ "$(cat /proc/$pid/wchan 2>/dev/null)" == *pipe_write* ]] && break
  sleep 0.1
done
[[ "$(cat /proc/$pid/wchan 2>/dev/null)" == *pipe_write* ]] || { echo "pg_migrate test never blocked on its output"; exit 1; }
kill -INT $pid
cat "$work/full" 7>&- >/dev/null & # now read: the rest of the report can be written
drain=$!
set +e
wait $pid
rc=$?
set -e
exec 7>&-
wait $drain || true
# (The check was over: it reports, exit 0, or stops at its next statement, exit 1.)
[[ "$rc" == [01] ]] || { echo "Ctrl-C between statements: exit $rc"; cat "$work/many.err"; exit 1; }
expect "$(cat "$work/many.err")" "dropped database pg_migrate_test_"
expect "$(scratch_dbs)" '^0$'
rm -r many

# --dsn: that database, at base; the extension and the files are rolled
# back with the rest, nothing is dropped.
expect_rc 0 "$PGM" --dsn dbname=migrate_cli_test test
expect "$(q "SELECT count(*) FROM migrate.revisions")" '^0$'
[[ "$err" != *"created database"* ]] || { echo "--dsn created a database: $err"; exit 1; }
createdb migrate_cli_test_bare
dbs+=(migrate_cli_test_bare)
expect_rc 0 "$PGM" --dsn dbname=migrate_cli_test_bare test
expect "$(psql -X -At -d migrate_cli_test_bare -c "SELECT count(*) FROM pg_extension WHERE extname = 'migrate'")" '^0$'
# Not at base: refused.
expect_rc 0 "$PGM" upgrade a1
expect_rc 1 "$PGM" --dsn dbname=migrate_cli_test test
expect "$err" "the database is at a1, not at base"
expect "$err" "HINT:  "

# Lint in the test: a table the revisions do not create (it has rows) and
# a revision that drops it: a warning, a failure only with --strict.
psql -X -q -d migrate_cli_test_bare -c "CREATE TABLE legacy (id int); INSERT INTO legacy SELECT generate_series(1, 100)"
mkdir other
write_rev other a1.sql <<'SQL'
-- revision: a1
-- migrate:upgrade
DROP TABLE legacy;
-- migrate:downgrade
CREATE TABLE legacy (id int);
SQL
expect_rc 0 "$PGM" --dir other --dsn dbname=migrate_cli_test_bare test
expect "$out" "other/a1\.sql:3: warning: drop-table: "
expect "$out" "ok: 1 revision: 0 round trips failed; lint: 0 errors, 1 warning$"
expect_rc 1 "$PGM" --dir other --dsn dbname=migrate_cli_test_bare test --strict
expect "$(psql -X -At -d migrate_cli_test_bare -c "SELECT count(*) FROM legacy")" '^100$'

# Refusals: a broken file before any database is made; a maintenance
# database that does not exist; bad usage.
echo "-- revision: zz" >versions/zz.sql
expect_rc 1 "$PGM" test
expect "$err" "versions/zz\.sql:1: "
[[ "$err" != *"created database"* ]] || { echo "a database was made for broken files: $err"; exit 1; }
rm versions/zz.sql
expect_rc 1 "$PGM" test --maintenance-db no_such_database
expect "$err" "no_such_database"
expect_rc 2 "$PGM" test extra
expect_rc 2 "$PGM" --dsn dbname=a --dsn dbname=b test
expect_rc 2 "$PGM" --dsn dbname=a test --maintenance-db postgres
expect "$(scratch_dbs)" '^0$'
echo "ok"
