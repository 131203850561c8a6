#!/usr/bin/env bash
# Proving benchmark (issue 12), run by hand; figures go to bench/RESULTS.md.
#
#   1. lint of 1,000 pending revisions: (a) each `CREATE TABLE n_i (id int
#      PRIMARY KEY, v text)`, on a database that already has TABLES tables;
#      (b) each four statements on an existing table with rows (ADD COLUMN with
#      a default, ALTER COLUMN TYPE, CREATE INDEX, SET NOT NULL): the path that
#      reads the catalog and runs PostgreSQL's coercion and planner.
#   2. fingerprint() and drift() with TABLES + 1,000 tables.
#   3. a no-op upgrade('head') (pgbench, one connection), with 1,000 revisions
#      applied and TABLES + 1,000 tables: nothing moved, nothing recorded.
#   4. a move: upgrade() of one revision `ALTER TABLE t_1 ADD c int`, rolled
#      back after each run, with TABLES + 1,000 tables and with 100 tables;
#      under migrate.lint = off and warn (the lint gate), each recording the
#      schema it leaves; and upgrade() of the 1,000 CREATE TABLE revisions.
#   5. CALL migrate.run() of 100 CREATE TABLE revisions on a 100-table schema:
#      it commits, and records the schema, after each revision.
# Items 3 and 4 also run on a build without this work (MIGRATE_DESTDIR of an
# older commit): the script skips what that build lacks.
#
# Server-side timing: a plpgsql loop takes clock_timestamp() around each
# EXECUTE (a run that must not stay is rolled back in a subtransaction).
#
# Usage: bench/prove.sh                        (re-runs itself under pg_virtualenv -t)
#        TABLES=10000 RUNS=5 bench/prove.sh
#        MIGRATE_DESTDIR=/tmp/dest bench/prove.sh   (a staged build: make install DESTDIR=...)
set -euo pipefail
TABLES=${TABLES:-10000}
RUNS=${RUNS:-5}
REVS=${REVS:-1000}

if [[ -z "${PGHOST:-}${PGPORT:-}${PGDATABASE:-}" ]]; then
  opts=(-t -o max_locks_per_transaction=1024)
  [[ -n "${MIGRATE_DESTDIR:-}" ]] && opts+=(-o "extension_destdir=$MIGRATE_DESTDIR")
  exec pg_virtualenv "${opts[@]}" "$0" "$@"
fi

export PGOPTIONS='-c client_min_messages=error'
PSQL=(psql -X -q -At -v ON_ERROR_STOP=1)
fresh() { dropdb --if-exists "$1" 2>/dev/null; createdb "$1"; "${PSQL[@]}" -d "$1" -c "CREATE EXTENSION migrate"; }
# tables DB FIRST LAST: t_FIRST..t_LAST, 1,000 per transaction.
tables() {
  local db=$1 from=$2 to=$3
  "${PSQL[@]}" -d "$db" -c "
    DO \$\$ BEGIN FOR i IN $from..$to LOOP
      EXECUTE format('CREATE TABLE t_%s (id int PRIMARY KEY, v text)', i);
      IF i % 1000 = 0 THEN COMMIT; END IF;
    END LOOP; END \$\$"
}
# revisions DB SQL-FORMAT: REVS revisions r00001.., one chain; %1\$s is the revision's number.
revisions() {
  "${PSQL[@]}" -d "$1" -c "
    DO \$\$ BEGIN FOR i IN 1..$REVS LOOP
      PERFORM migrate.revision(format('r%s', lpad(i::text, 5, '0')),
        CASE WHEN i = 1 THEN '{}'::text[] ELSE ARRAY[format('r%s', lpad((i - 1)::text, 5, '0'))] END,
        format('$2', i));
    END LOOP; END \$\$"
}
timer() { # timer DB: a plpgsql timer in the database
  "${PSQL[@]}" -d "$1" -c "
    CREATE OR REPLACE FUNCTION public.bench_ms(sql text, runs int, undo boolean DEFAULT false) RETURNS text
    LANGUAGE plpgsql AS \$f\$
    DECLARE t timestamptz; d float8[] := '{}';
    BEGIN
      FOR i IN 1..runs LOOP
        t := clock_timestamp();
        IF undo THEN
          BEGIN EXECUTE sql; RAISE EXCEPTION USING ERRCODE = 'P0099';
          EXCEPTION WHEN SQLSTATE 'P0099' THEN NULL; END;
        ELSE
          EXECUTE sql;
        END IF;
        d := d || extract(epoch FROM clock_timestamp() - t) * 1000;
      END LOOP;
      RETURN (SELECT format('median %s ms, min %s ms, max %s ms (%s runs)',
                            round(percentile_cont(0.5) WITHIN GROUP (ORDER BY x)::numeric, 1),
                            round(min(x)::numeric, 1), round(max(x)::numeric, 1), runs) FROM unnest(d) x);
    END \$f\$"
}
has() { [[ "$("${PSQL[@]}" -d "$1" -c "SELECT to_regprocedure('$2') IS NOT NULL")" == t ]]; }

echo "== build: $(psql -X -At -d postgres -c "SELECT setting FROM pg_settings WHERE name = 'extension_destdir'" 2>/dev/null || true); fsync=$(psql -X -At -d postgres -c 'SHOW fsync'); TABLES=$TABLES REVS=$REVS RUNS=$RUNS"

# --- 1. lint ------------------------------------------------------------------------
fresh bench_prove
tables bench_prove 1 "$TABLES"
timer bench_prove
revisions bench_prove 'CREATE TABLE n_%1$s (id int PRIMARY KEY, v text)'
if has bench_prove 'migrate.lint(text)'; then
  echo "lint, $REVS pending CREATE TABLE revisions, $TABLES tables: $("${PSQL[@]}" -d bench_prove -c "SELECT bench_ms('SELECT count(*) FROM migrate.lint()', $RUNS)")"
  echo "  findings: $("${PSQL[@]}" -d bench_prove -c "SELECT count(*) FROM migrate.lint()")"
fi

fresh bench_lint
"${PSQL[@]}" -d bench_lint -c "
  DO \$\$ BEGIN FOR i IN 1..$REVS LOOP
    EXECUTE format('CREATE TABLE a_%s (id int PRIMARY KEY, v varchar(20), n int)', i);
    EXECUTE format('INSERT INTO a_%s SELECT g, ''v'', g FROM generate_series(1, 20) g', i);
  END LOOP; END \$\$" >/dev/null
"${PSQL[@]}" -d bench_lint -c "ANALYZE" >/dev/null
timer bench_lint
revisions bench_lint 'ALTER TABLE a_%1$s ADD c timestamptz DEFAULT now(); ALTER TABLE a_%1$s ALTER v TYPE varchar(40); CREATE INDEX ON a_%1$s (n); ALTER TABLE a_%1$s ALTER n SET NOT NULL'
if has bench_lint 'migrate.lint(text)'; then
  echo "lint, $REVS pending revisions of 4 ALTER/INDEX statements on tables with rows: $("${PSQL[@]}" -d bench_lint -c "SELECT bench_ms('SELECT count(*) FROM migrate.lint()', $RUNS)")"
  echo "  findings: $("${PSQL[@]}" -d bench_lint -c "SELECT rule || ' ' || count(*) FROM migrate.lint() GROUP BY rule ORDER BY 1" | paste -sd, -)"
fi

# --- 2. fingerprint and drift ----------------------------------------------------------
echo "upgrade('head') of the $REVS CREATE TABLE revisions, $TABLES tables before (rolled back): $("${PSQL[@]}" -d bench_prove -c "SELECT bench_ms('SELECT count(*) FROM migrate.upgrade()', 3, true)")"
"${PSQL[@]}" -d bench_prove -c "SELECT count(*) FROM migrate.upgrade('head')" >/dev/null
total=$("${PSQL[@]}" -d bench_prove -c "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
if has bench_prove 'migrate.fingerprint()'; then
  echo "fingerprint(), $total tables: $("${PSQL[@]}" -d bench_prove -c "SELECT bench_ms('SELECT count(*) FROM migrate.fingerprint()', $RUNS)"); rows: $("${PSQL[@]}" -d bench_prove -c "SELECT count(*) FROM migrate.fingerprint()")"
  echo "drift() (none), $total tables: $("${PSQL[@]}" -d bench_prove -c "SELECT bench_ms('SELECT count(*) FROM migrate.drift()', $RUNS)")"
  "${PSQL[@]}" -d bench_prove -c "ALTER TABLE t_1 ADD drifted int" >/dev/null
  echo "drift() (one column added by hand), $total tables: $("${PSQL[@]}" -d bench_prove -c "SELECT bench_ms('SELECT count(*) FROM migrate.drift()', $RUNS)")"
  "${PSQL[@]}" -d bench_prove -c "ALTER TABLE t_1 DROP drifted" >/dev/null
  echo "  stored: $("${PSQL[@]}" -d bench_prove -c "SELECT count(*) || ' rows, ' || pg_size_pretty(pg_total_relation_size('migrate.schema_fingerprint')) FROM migrate.schema_fingerprint")"
fi

# --- 3. no-op upgrade ----------------------------------------------------------------------
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "SELECT count(*) FROM migrate.upgrade('head');" >"$work/noop.sql"
lat=$(pgbench -n -c 1 -t 2000 -f "$work/noop.sql" bench_prove 2>/dev/null | sed -n 's/^latency average = \(.*\) ms$/\1/p')
echo "no-op upgrade('head'), $REVS revisions applied, $total tables: latency average $lat ms (pgbench, 2000 transactions)"

# --- 4. a move ---------------------------------------------------------------------------------
move() { # move DB LABEL
  "${PSQL[@]}" -d "$1" -c "SELECT migrate.revision('move1', ARRAY(SELECT migrate.heads()), 'ALTER TABLE t_1 ADD c int')" >/dev/null
  local n
  n=$("${PSQL[@]}" -d "$1" -c "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
  if has "$1" 'migrate.lint(text)'; then
    for mode in off warn; do
      echo "one move (ALTER TABLE t_1 ADD c int), $n tables, $2, migrate.lint = $mode: $(PGOPTIONS="$PGOPTIONS -c migrate.lint=$mode" "${PSQL[@]}" -d "$1" -c "SELECT bench_ms('SELECT count(*) FROM migrate.upgrade()', $RUNS * 2, true)")"
    done
  else
    echo "one move (ALTER TABLE t_1 ADD c int), $n tables, $2: $("${PSQL[@]}" -d "$1" -c "SELECT bench_ms('SELECT count(*) FROM migrate.upgrade()', $RUNS * 2, true)")"
  fi
}
move bench_prove "large schema"
fresh bench_small
tables bench_small 1 100
timer bench_small
"${PSQL[@]}" -d bench_small -c "SELECT migrate.revision('base0', '{}', 'SELECT 1'); SELECT count(*) FROM migrate.upgrade()" >/dev/null
move bench_small "small schema"

# --- 5. CALL migrate.run(): a commit, and a recorded schema, per revision ----------------
declare -a t_run=()
for i in $(seq 1 "$RUNS"); do
  fresh bench_run
  tables bench_run 1 100
  REVS=100 revisions bench_run 'CREATE TABLE n_%1$s (id int PRIMARY KEY, v text)'
  s=$(date +%s%N); "${PSQL[@]}" -d bench_run -c "CALL migrate.run()" >/dev/null; e=$(date +%s%N)
  t_run+=("$(((e - s) / 1000000))")
done
echo "CALL migrate.run() of 100 CREATE TABLE revisions, 100 tables before: $(printf '%s\n' "${t_run[@]}" | sort -n | awk '{ v[NR] = $1 } END { printf "median %s ms, min %s ms (%d runs)", v[int((NR + 1) / 2)], v[1], NR }')"
