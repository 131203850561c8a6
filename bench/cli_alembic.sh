#!/usr/bin/env bash
# pg_migrate against Alembic (issue 10), run by hand; figures go to
# bench/RESULTS.md. N revisions (default 1000) in a line, revision i being
#   CREATE TABLE t_i (id int PRIMARY KEY, v text)
# as an Alembic project (op.execute of that DDL, online env.py with psycopg2,
# one transaction for the run as Alembic's template does) and as revision
# files imported from it with pg_migrate import-alembic (so both sides hold
# the same revisions). On one cluster, in one run, each item RUNS times
# (default 3, fresh databases where it matters), medians and minimums:
#   1. heads: pg_migrate heads vs alembic heads (files only);
#   2. upgrade head on a fresh database: pg_migrate upgrade (load the files
#      and apply, one transaction) vs alembic upgrade head;
#   3. a no-op upgrade head (already at head), same commands again;
#   4. upgrade head --sql > file: pg_migrate vs alembic (files only);
# and the floor both stand on: psql -1 -f of the same DDL on a fresh database.
# Also timed once: import-alembic itself, and pg_migrate's phases (read and
# check the files; load; migrate.upgrade()) for where the time goes.
#
# Usage: bench/cli_alembic.sh          (standalone: re-runs itself under pg_virtualenv -t)
#        N=1000 RUNS=3 bench/cli_alembic.sh
set -euo pipefail
N=${N:-1000}
RUNS=${RUNS:-3}

if [[ -z "${PGHOST:-}${PGPORT:-}${PGDATABASE:-}" ]]; then
  exec pg_virtualenv -t "$0" "$@"
fi

PGM=${PGM:-$(pg_config --bindir)/pg_migrate}
ALEMBIC=${ALEMBIC:-/usr/bin/alembic}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

# --- the Alembic project ---
mkdir -p proj/alembic/versions
cat >proj/alembic.ini <<'INI'
[alembic]
script_location = alembic
sqlalchemy.url = postgresql:///bench
INI
cat >proj/alembic/env.py <<'PY'
import os
from alembic import context
from sqlalchemy import engine_from_config, pool

config = context.config
if os.environ.get("DATABASE_URL"):
    config.set_main_option("sqlalchemy.url", os.environ["DATABASE_URL"])

if context.is_offline_mode():
    context.configure(url=config.get_main_option("sqlalchemy.url"), literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    engine = engine_from_config(config.get_section(config.config_ini_section), prefix="sqlalchemy.",
                                poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection)
        with context.begin_transaction():
            context.run_migrations()
PY
/usr/bin/python3 - "$N" <<'PY'
import sys
n = int(sys.argv[1])
prev = None
for i in range(1, n + 1):
    rid = "%012x" % (0xa00000000000 + i)
    with open("proj/alembic/versions/%s_create_t_%d.py" % (rid, i), "w") as f:
        f.write('''"""create t_%d"""
from alembic import op

revision = "%s"
down_revision = %r
branch_labels = None
depends_on = None


def upgrade():
    op.execute("CREATE TABLE t_%d (id int PRIMARY KEY, v text)")


def downgrade():
    op.execute("DROP TABLE t_%d")
''' % (i, rid, prev, i, i))
    prev = rid
PY

now_ms() { echo $(($(date +%s%N) / 1000000)); }
# timed NAME CMD...: runs CMD (output discarded), prints and records its milliseconds.
declare -A times
timed() {
  local name=$1 start end
  shift
  start=$(now_ms)
  "$@" >/dev/null 2>"$work/last.err" || { echo "FAILED: $*"; cat "$work/last.err"; exit 1; }
  end=$(now_ms)
  times[$name]+="$((end - start)) "
}
median() { tr ' ' '\n' | grep . | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
minimum() { tr ' ' '\n' | grep . | sort -n | head -1; }

timed import "$PGM" --dir versions import-alembic proj/alembic.ini
[ "$(ls versions | wc -l)" = "$N" ] || { echo "import wrote $(ls versions | wc -l) files"; exit 1; }
for i in $(seq 1 "$N"); do echo "CREATE TABLE t_$i (id int PRIMARY KEY, v text);"; done >ddl.sql
alembic() { (cd proj && DATABASE_URL="postgresql:///$1" "$ALEMBIC" "${@:2}"); }
fresh() { dropdb --if-exists "$1"; createdb "$1"; }

for run in $(seq 1 "$RUNS"); do
  timed pgm_heads "$PGM" --dir versions heads
  timed alembic_heads alembic x heads
  timed pgm_sql "$PGM" --dir versions upgrade head --sql
  timed alembic_sql alembic x upgrade head --sql
  fresh bench_pgm
  psql -X -q -d bench_pgm -c "CREATE EXTENSION migrate"
  timed pgm_upgrade "$PGM" --dir versions --dsn dbname=bench_pgm upgrade head
  timed pgm_noop "$PGM" --dir versions --dsn dbname=bench_pgm upgrade head
  fresh bench_alembic
  timed alembic_upgrade alembic bench_alembic upgrade head
  timed alembic_noop alembic bench_alembic upgrade head
  fresh bench_floor
  timed floor psql -X -q -1 -d bench_floor -f ddl.sql
  # Where pg_migrate's fresh upgrade goes: the same work in three parts.
  fresh bench_parts
  psql -X -q -d bench_parts -c "CREATE EXTENSION migrate"
  timed part_files "$PGM" --dir versions check
  timed part_load "$PGM" --dir versions --dsn dbname=bench_parts load
  timed part_upgrade psql -X -q -d bench_parts -c "SELECT count(*) FROM migrate.upgrade('head')"
  echo "run $run done" >&2
done
[ "$(psql -X -At -d bench_pgm -c "SELECT count(*) FROM pg_tables WHERE tablename LIKE 't\_%'")" = "$N" ]
[ "$(psql -X -At -d bench_alembic -c "SELECT count(*) FROM pg_tables WHERE tablename LIKE 't\_%'")" = "$N" ]

row() { # name pgm_key alembic_key goal
  local p a
  p=$(echo "${times[$2]}" | median)
  a=$(echo "${times[$3]}" | median)
  printf '| %s | %s ms (min %s) | %s ms (min %s) | %s× | %s |\n' "$1" "$p" "$(echo "${times[$2]}" | minimum)" \
    "$a" "$(echo "${times[$3]}" | minimum)" "$(awk -v a="$a" -v p="$p" 'BEGIN { printf "%.1f", a / (p > 0 ? p : 1) }')" "$4"
}
echo
echo "N = $N revisions, $RUNS runs; PostgreSQL $(psql -X -At -c 'SHOW server_version'), fsync $(psql -X -At -c 'SHOW fsync');" \
  "Alembic $(/usr/bin/python3 -c 'import alembic; print(alembic.__version__)'); $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| command | pg_migrate | alembic | alembic / pg_migrate | goal |"
echo "| --- | ---: | ---: | ---: | --- |"
row "heads" pgm_heads alembic_heads "≥ 20×"
row "upgrade head, fresh database" pgm_upgrade alembic_upgrade "≥ 2×"
row "upgrade head, no-op" pgm_noop alembic_noop "≥ 10×"
row "upgrade head --sql" pgm_sql alembic_sql "≥ 10×"
echo
echo "import-alembic of the $N revisions: $(echo "${times[import]}" | median) ms (once)"
echo "the DDL alone (psql -1 -f, fresh database): $(echo "${times[floor]}" | median) ms (min $(echo "${times[floor]}" | minimum))"
echo "pg_migrate's fresh upgrade in parts (medians): read and check the files $(echo "${times[part_files]}" | median) ms;" \
  "load $(echo "${times[part_load]}" | median) ms; SELECT migrate.upgrade('head') $(echo "${times[part_upgrade]}" | median) ms"
