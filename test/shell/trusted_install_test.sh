#!/usr/bin/env bash
# migrate is a trusted extension: the owner of a database (no superuser) may
# install it, deploy with it and grant it to others; it gains nothing beyond.
#  - A role without CREATE on the database cannot install it; a schema
#    `migrate` made beforehand by another non-superuser is refused.
#  - The scripts run as the bootstrap superuser: the owner fills schema
#    `migrate` first with decoys (hostile_plants.sql: exact-match operators,
#    functions, aggregates and type names), then installs 0.1.0 and updates
#    it. No decoy runs, and the result equals a fresh 0.2.0 install by the
#    owner in another database (grants included: extension_description.sql).
#  - The owner holds EXECUTE on every routine and the table privileges a
#    deployer needs, with grant option, but owns none of the objects: it
#    cannot redefine them, hook triggers into them or drop them one by one.
#  - The owner deploys (a revision, upgrade, CALL run with a concurrent index
#    build in a worker, a backfill) and grants a deployer; a role without
#    grants can do nothing.
set -euo pipefail
cd "$(dirname "$0")"
. ./lib.sh
db=migrate_trusted
fresh=migrate_trusted_fresh
owner=migrate_t_owner
evil=migrate_t_evil
deployer=migrate_t_deployer
nobody=migrate_t_nobody
cleanup() {
  dropdb --if-exists "$db" 2>/dev/null || true
  dropdb --if-exists "$fresh" 2>/dev/null || true
  for r in $owner $evil $deployer $nobody; do psql -X -q -d postgres -c "DROP ROLE IF EXISTS $r" >/dev/null 2>&1 || true; done
}
cleanup
trap cleanup EXIT
psql -X -q -v ON_ERROR_STOP=1 -d postgres >/dev/null <<SQL
CREATE ROLE $owner LOGIN PASSWORD 'owner';
CREATE ROLE $evil LOGIN PASSWORD 'evil';
CREATE ROLE $deployer LOGIN PASSWORD 'deployer';
CREATE ROLE $nobody LOGIN PASSWORD 'nobody';
SQL
createdb -O "$owner" "$db"
createdb -O "$owner" "$fresh"
q "GRANT CREATE ON DATABASE $db TO $evil"
as() { # as <role> <database> psql-args...: prints output and errors, never fails
  local role=$1 database=$2
  shift 2
  PGPASSWORD=${role#migrate_t_} PGOPTIONS='-c client_min_messages=warning' \
    psql -X -q -At -v ON_ERROR_STOP=1 -U "$role" -d "$database" "$@" 2>&1 || true
}
expect "$(q "SELECT trusted FROM pg_available_extension_versions WHERE name = 'migrate' AND version = '0.2.0'")" '^t$'
expect "$(q "SELECT rolsuper FROM pg_roles WHERE rolname = '$owner'")" '^f$'

# Who may install: not a role without CREATE on the database; not into a
# schema another non-superuser made.
expect "$(as $nobody "$db" -c "CREATE EXTENSION migrate")" 'permission denied for database migrate_trusted'
as $evil "$db" -c "CREATE SCHEMA migrate" >/dev/null
expect "$(as $owner "$db" -c "CREATE EXTENSION migrate")" 'schema migrate belongs to role migrate_t_evil, which is not installing the extension'
q "DROP SCHEMA migrate"

# The owner's decoys in the schema the scripts run in; 0.1.0, then the update.
as $owner "$db" -c "CREATE SCHEMA migrate" >/dev/null
out=$(as $owner "$db" -v plant_schema=migrate -v plant_functions="$(plant_function_names)" -f hostile_plants.sql)
[ -z "$out" ] || { echo "planting failed: $out"; exit 1; }
out=$(as $owner "$db" -c "CREATE EXTENSION migrate VERSION '0.1.0'" -c "ALTER EXTENSION migrate UPDATE")
[ -z "$out" ] || { echo "the owner's install and update said:"; echo "$out" | sort | uniq -c | sort -rn | head -30; exit 1; }
expect "$(q "SELECT last_value - 1 + is_called::int FROM migrate.hits")" '^0$'
expect "$(q "SELECT extversion || ' ' || pg_get_userbyid(extowner) FROM pg_extension WHERE extname = 'migrate'")" "^0.2.0 $owner$"
as $owner "$fresh" -c "CREATE EXTENSION migrate" >/dev/null
described=$(psql -X -q -d "$db" -f extension_description.sql)
described_fresh=$(psql -X -q -d "$fresh" -f extension_description.sql)
if [ "$described" != "$described_fresh" ]; then
  echo "the owner's updated install differs from its fresh one (< updated with decoys, > fresh):"
  diff <(echo "$described") <(echo "$described_fresh") | head -40
  exit 1
fi

# What the owner holds: privileges with grant option on every member, no ownership.
members="SELECT d.classid, d.objid FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid
         WHERE e.extname = 'migrate' AND d.deptype = 'e'"
expect "$(q "SELECT count(*) FROM pg_proc p WHERE (tableoid, oid) IN ($members)
               AND NOT has_function_privilege('$owner', p.oid, 'EXECUTE WITH GRANT OPTION')")" '^0$'
expect "$(q "SELECT count(*) FROM pg_class c WHERE (tableoid, oid) IN ($members) AND NOT CASE c.relkind
               WHEN 'r' THEN has_table_privilege('$owner', c.oid, 'SELECT WITH GRANT OPTION, INSERT WITH GRANT OPTION,
                                                                  UPDATE WITH GRANT OPTION, DELETE WITH GRANT OPTION')
                        AND NOT has_table_privilege('$owner', c.oid, 'TRIGGER, REFERENCES, TRUNCATE')
               WHEN 'v' THEN has_table_privilege('$owner', c.oid, 'SELECT WITH GRANT OPTION')
               WHEN 'S' THEN has_sequence_privilege('$owner', c.oid, 'USAGE WITH GRANT OPTION, UPDATE WITH GRANT OPTION')
               END")" '^0$'
expect "$(q "SELECT string_agg(DISTINCT pg_get_userbyid(o), ',') FROM (
               SELECT proowner FROM pg_proc WHERE (tableoid, oid) IN ($members)
               UNION SELECT relowner FROM pg_class WHERE (tableoid, oid) IN ($members)) x(o)")" \
  "^$(q "SELECT rolname FROM pg_roles WHERE oid = 10")$"
expect "$(as $owner "$db" -c "ALTER FUNCTION migrate.upgrade(text) SECURITY DEFINER")" 'must be owner of function (migrate[.])?upgrade'
expect "$(as $owner "$db" -c "CREATE OR REPLACE FUNCTION migrate.heads() RETURNS SETOF text LANGUAGE sql AS 'SELECT 1'")" \
  'must be owner of function (migrate[.])?heads'
expect "$(as $owner "$db" -c "CREATE FUNCTION public.f() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NULL; END'" \
  -c "CREATE TRIGGER t AFTER INSERT ON migrate.version EXECUTE FUNCTION public.f()")" 'permission denied for table version'
expect "$(as $owner "$db" -c "ALTER TABLE migrate.revisions ADD COLUMN x int")" 'must be owner of table (migrate[.])?revisions'
expect "$(as $owner "$db" -c "DROP FUNCTION migrate.heads()")" 'cannot drop function migrate.heads\(\) because extension migrate requires it'
expect "$(as $owner "$db" -c "ALTER EXTENSION migrate DROP FUNCTION migrate.heads()")" 'must be owner of function (migrate[.])?heads'
expect "$(as $owner "$db" -c "ALTER SCHEMA migrate OWNER TO $evil")" 'must be (able to SET ROLE|member of role)'

# The owner deploys, as itself: a revision, upgrade, a backfill, and a
# concurrent index build in a worker through CALL migrate.run().
expect "$(as $owner "$db" -c "SELECT migrate.revision('a1', '{}', 'CREATE TABLE orders (id int PRIMARY KEY, kind text); INSERT INTO orders SELECT g FROM generate_series(1, 5) g', 'DROP TABLE orders')")" '^a1$'
expect "$(as $owner "$db" -c "SELECT revision FROM migrate.upgrade('head')")" '^a1$'
expect "$(as $owner "$db" -c "SELECT migrate.backfill('fill_kind', 'a1', 'UPDATE orders SET kind = ''k'' WHERE id IN (SELECT id FROM orders WHERE kind IS NULL LIMIT 2)')")" '^fill_kind$'
expect "$(as $owner "$db" -c "CALL migrate.run_backfills()")" '^$'
expect "$(as $owner "$db" -c "SELECT state || ' ' || rows_done FROM migrate.backfills")" '^done 5$'
expect "$(as $owner "$db" -c "SELECT migrate.revision('a2', '{a1}', 'CREATE INDEX CONCURRENTLY orders_kind_idx ON orders (kind)', 'DROP INDEX orders_kind_idx', transactional => false)")" '^a2$'
expect "$(as $owner "$db" -c "CALL migrate.run()")" '^$'
expect "$(q "SELECT indisvalid FROM pg_index WHERE indexrelid = 'orders_kind_idx'::regclass")" '^t$'
expect "$(q "SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid IN ('orders'::regclass, 'orders_kind_idx'::regclass) GROUP BY 1")" "^$owner$"
expect "$(as $owner "$db" -c "SELECT c FROM migrate.current() c")" '^a2$'

# ... and grants a deployer what README lists, which then deploys.
out=$(as $owner "$db" <<SQL
$(readme_grants "$deployer")
GRANT CREATE ON SCHEMA public TO $deployer;
SQL
)
[ -z "$out" ] || { echo "the owner could not grant: $out"; exit 1; }
expect "$(as $deployer "$db" -c "SELECT migrate.revision('a3', '{a2}', 'CREATE TABLE deployed (id int)', 'DROP TABLE deployed')")" '^a3$'
expect "$(as $deployer "$db" -c "SELECT revision FROM migrate.upgrade('head')")" '^a3$'
expect "$(as $deployer "$db" -c "SELECT revision FROM migrate.downgrade('a2')")" '^a3$'

# A role without grants can do nothing.
expect "$(as $nobody "$db" -c "SELECT * FROM migrate.upgrade('head')")" 'permission denied for function upgrade'
expect "$(as $nobody "$db" -c "SELECT migrate.revision('x', '{}', 'SELECT 1')")" 'permission denied for function revision'
expect "$(as $nobody "$db" -c "CALL migrate.run()")" 'permission denied for procedure run'
expect "$(as $nobody "$db" -c "CALL migrate.run_backfills()")" 'permission denied for procedure run_backfills'
expect "$(as $nobody "$db" -c "SELECT * FROM migrate.heads()")" 'permission denied for table revisions'
expect "$(as $nobody "$db" -c "INSERT INTO migrate.version VALUES ('a1')")" 'permission denied for table version'
expect "$(as $nobody "$db" -c "GRANT EXECUTE ON FUNCTION migrate.upgrade(text) TO $nobody")" 'permission denied for function upgrade'

# The owner may drop its extension.
expect "$(as $owner "$fresh" -c "DROP EXTENSION migrate")" '^$'
echo "ok"
