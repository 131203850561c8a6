#!/usr/bin/env bash
# The update path: a database with migrate 0.1.0 and data in every table is
# updated with ALTER EXTENSION migrate UPDATE. Its data stays as it was, the
# engine goes on from there (backfills resume, run, downgrade, registration),
# and the updated extension is the same, in every catalog detail, as a fresh
# install of the default version in another database
# (extension_description.sql; pg_dump -s leaves extension members out).
#
# Every change to the installed SQL goes into both migrate--0.2.0.sql and
# migrate--0.1.0--0.2.0.sql: this test fails when they disagree. The tables
# are filled through 0.1.0's own SQL functions, which call the library of
# this build: until ALTER EXTENSION UPDATE runs, the new library must serve
# the old declarations.
set -euo pipefail
cd "$(dirname "$0")"
. ./lib.sh
old=migrate_update_old
fresh=migrate_update_fresh
dropdb --if-exists "$old"
dropdb --if-exists "$fresh"
createdb "$old"
createdb "$fresh"
trap 'dropdb --if-exists "$old" 2>/dev/null || true; dropdb --if-exists "$fresh" 2>/dev/null || true' EXIT
db=$old
run() { PGOPTIONS='-c client_min_messages=warning' psql -X -q -At -v ON_ERROR_STOP=1 -d "$db" "$@"; }

run -c "CREATE EXTENSION migrate VERSION '0.1.0'"
expect "$(q "SELECT extversion FROM pg_extension WHERE extname = 'migrate'")" '^0\.1\.0$'

# Fill every table: revisions (labels, depends_on, an irreversible one, a
# non-transactional one, timeouts, a backfill gate, a merge), version rows on
# two branches, journal rows of every direction, backfills pending with
# progress, done and failed, and the sequences behind them.
run >/dev/null <<'SQL'
CREATE TABLE orders (id bigint PRIMARY KEY, kind text);
INSERT INTO orders SELECT g, NULL FROM generate_series(1, 7) g;
SELECT migrate.revision('a1', '{}', 'CREATE TABLE t1 (id int)', 'DROP TABLE t1', 'first', branch_labels => '{main}');
SELECT migrate.revision('b1', '{}', 'CREATE TABLE u1 (id int)', NULL, 'other base, irreversible', branch_labels => '{other}');
SELECT migrate.revision('a2', '{a1}', 'ALTER TABLE t1 ADD n int', 'ALTER TABLE t1 DROP n', 'add n',
                        depends_on => '{other}', lock_timeout => '3 s', statement_timeout => '10 min');
SELECT migrate.revision('a3', '{a2}', 'CREATE INDEX CONCURRENTLY t1_n_idx ON t1 (n)', 'DROP INDEX t1_n_idx',
                        'index n', transactional => false);
SELECT migrate.backfill('fill_orders', 'a2',
  'UPDATE orders SET kind = ''x'' WHERE id IN (SELECT id FROM orders WHERE id > coalesce($1::bigint, 0) ORDER BY id LIMIT 2) RETURNING id',
  pause => '1 ms', max_batches => 1);
SELECT migrate.backfill('fill_nothing', 'a1', 'UPDATE orders SET kind = kind WHERE false');
SELECT migrate.backfill('fill_fails', 'a1', 'UPDATE orders SET id = id / 0 RETURNING id');
SELECT migrate.revision('a4', '{a3}', 'ALTER TABLE orders ALTER kind SET NOT NULL',
                        'ALTER TABLE orders ALTER kind DROP NOT NULL', 'kind not null', requires_backfills => '{fill_orders}');
SELECT migrate.merge('{a4,b1}', 'join', 'm1');
SELECT * FROM migrate.upgrade('a1');
SELECT * FROM migrate.downgrade('base');
SELECT * FROM migrate.upgrade('a1');
SELECT * FROM migrate.stamp('a2');
SELECT * FROM migrate.stamp('a1');
SELECT * FROM migrate.upgrade('a2');
SQL
run -c "CALL migrate.run_backfills()" 2>&1 | grep -q 'Backfill fill_fails failed at batch 1: 22012'

# The data as 0.1.0 holds it: every member table (each must have rows) with
# the columns 0.1.0 gave it (record_columns, before the update; columns
# 0.2.0 adds are checked on their own), and every member sequence.
declare -A cols_of
record_columns() {
  local t
  for t in $tables; do
    cols_of[$t]=$(q "SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) FROM pg_attribute
                     WHERE attrelid = 'migrate.$t'::regclass AND attnum > 0 AND NOT attisdropped")
  done
}
snapshot() {
  local t cols
  for t in $tables; do
    cols=${cols_of[$t]}
    echo "== $t"
    q "COPY (SELECT $cols FROM migrate.$t ORDER BY $(seq -s, 1 "$(wc -w <<<"${cols//,/ }")")) TO STDOUT"
  done
  for t in $sequences; do echo "== $t"; q "SELECT last_value, is_called FROM migrate.$t"; done
}
members_of_kind() {
  q "SELECT string_agg(c.relname, ' ' ORDER BY c.relname) FROM pg_depend d JOIN pg_class c ON c.oid = d.objid
     WHERE d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'migrate') AND d.deptype = 'e'
       AND d.classid = 'pg_class'::regclass AND c.relkind = '$1'"
}
tables=$(members_of_kind r)
sequences=$(members_of_kind S)
for t in $tables; do
  [ "$(q "SELECT count(*) > 0 FROM migrate.$t")" = t ] || { echo "the fill left migrate.$t empty: fill it too"; exit 1; }
done
expect "$(q "SELECT string_agg(name || ' ' || state || ' ' || batches, ', ' ORDER BY name) FROM migrate.backfills")" \
  '^fill_fails failed 0, fill_nothing done 0, fill_orders pending 1$'
record_columns
before=$(snapshot)

run -c "ALTER EXTENSION migrate UPDATE"
expect "$(q "SELECT extversion = default_version FROM pg_extension, pg_available_extensions
             WHERE extname = 'migrate' AND name = 'migrate'")" '^t$'
after=$(snapshot)
if [ "$before" != "$after" ]; then
  echo "the update changed the data:"
  diff <(echo "$before") <(echo "$after") | head -40
  exit 1
fi
# What 0.2.0 adds to existing rows starts empty.
expect "$(q "SELECT count(*) FROM migrate.revisions WHERE lint_ignore <> '{}'")" '^0$'

# The same extension as a fresh install of the default version.
run -d "$fresh" -c "CREATE EXTENSION migrate"
described_old=$(psql -X -q -d "$old" -f extension_description.sql)
described_fresh=$(psql -X -q -d "$fresh" -f extension_description.sql)
[ "$(wc -l <<<"$described_fresh")" -gt 50 ] || { echo "the description is too short: $described_fresh"; exit 1; }
if [ "$described_old" != "$described_fresh" ]; then
  echo "the updated extension differs from a fresh install (< updated, > fresh):"
  diff <(echo "$described_old") <(echo "$described_fresh") | head -60
  exit 1
fi

# And it works: the backfills go on from their progress (fill_fails once its
# SQL is corrected), run() applies the non-transactional index and the gated
# revision, registration, upgrade and downgrade.
run -c "SELECT migrate.backfill('fill_orders', 'a2',
  'UPDATE orders SET kind = ''x'' WHERE id IN (SELECT id FROM orders WHERE id > coalesce(\$1::bigint, 0) ORDER BY id LIMIT 2) RETURNING id',
  pause => '1 ms')" >/dev/null
run -c "SELECT migrate.backfill('fill_fails', 'a1', 'UPDATE orders SET id = id WHERE false')" >/dev/null
run -c "CALL migrate.run_backfills()"
expect "$(q "SELECT string_agg(name || ' ' || state || ' ' || batches || ' ' || rows_done, ', ' ORDER BY name) FROM migrate.backfills")" \
  '^fill_fails done 0 0, fill_nothing done 0 0, fill_orders done 4 7$'
run -c "CALL migrate.run('heads')"
expect "$(q "SELECT string_agg(c, ',') FROM migrate.current() c")" '^m1$'
expect "$(q "SELECT indisvalid FROM pg_index WHERE indexrelid = 't1_n_idx'::regclass")" '^t$'
expect "$(q "SELECT attnotnull FROM pg_attribute WHERE attrelid = 'orders'::regclass AND attname = 'kind'")" '^t$'
run -c "SELECT migrate.revision('a5', '{m1}', 'CREATE TABLE t5 (id int)', 'DROP TABLE t5')" >/dev/null
run -c "SELECT * FROM migrate.upgrade('head')" >/dev/null
expect "$(q "SELECT string_agg(c, ',') FROM migrate.current() c")" '^a5$'
expect "$(q "SELECT to_regclass('t5') IS NOT NULL")" '^t$'
run -c "SELECT * FROM migrate.downgrade('m1')" >/dev/null
expect "$(q "SELECT to_regclass('t5') IS NULL")" '^t$'
expect "$(q "SELECT count(*) FROM migrate.history()")" '^7$'
echo "ok: $(wc -l <<<"$described_fresh") catalog facts equal"
