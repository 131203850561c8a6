#!/usr/bin/env bash
# Engine benchmark (issue 3), run by hand; figures go to bench/RESULTS.md.
#
# N revisions (default 1000), revision i being
#   CREATE TABLE t_i (id int PRIMARY KEY, v text)
# measured on one cluster in one run:
#   1. psql -1 -f of the same DDL (the floor: PostgreSQL doing the work);
#   2. migrate: load (N migrate.revision() calls, one transaction), then
#      psql -c "SELECT count(*) FROM migrate.upgrade('head')";
#   3. alembic upgrade head on the same revisions (Debian's alembic, psycopg2,
#      one transaction for the whole run like ours: transaction_per_migration off);
#   4. no-op, already at head, inside one open connection (pgbench, 1 client,
#      one statement per transaction) with N and with NOOP_BIG (default 10000)
#      revisions (the latter with SELECT 1 as their SQL: only the catalog's size matters);
#   5. no-op from the shell: psql -c "SELECT ...upgrade('head')" vs alembic upgrade head,
#      over TCP with a password and over the Unix socket with peer authentication.
# pg_virtualenv creates its cluster with fsync=off; the script prints the
# settings it ran with. Each timed item is repeated RUNS times (default 5) on fresh databases; the
# median and the minimum are printed.
#
# Usage: bench/engine.sh                (standalone: re-runs itself under pg_virtualenv -t)
#        N=1000 RUNS=5 bench/engine.sh  (environment overrides)
#        MIGRATE_DESTDIR=/tmp/dest bench/engine.sh  (load a staged build: make install DESTDIR=...)
#        PRELOAD=on bench/engine.sh     (shared_preload_libraries = 'migrate'; system install only)
set -euo pipefail
N=${N:-1000}
NOOP_BIG=${NOOP_BIG:-10000}
RUNS=${RUNS:-5}

if [[ -z "${PGHOST:-}${PGPORT:-}${PGDATABASE:-}" ]]; then
  opts=(-t)
  [[ -n "${MIGRATE_DESTDIR:-}" ]] && opts+=(-o "extension_destdir=$MIGRATE_DESTDIR")
  # PRELOAD=on: shared_preload_libraries = 'migrate', so a new backend finds
  # the library (and libstdc++) loaded instead of loading it on first call.
  [[ "${PRELOAD:-off}" == on ]] && opts+=(-o shared_preload_libraries=migrate)
  exec pg_virtualenv "${opts[@]}" "$0" "$@"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
ids() { seq -f 'r%05g' 1 "$1"; }

# --- inputs -------------------------------------------------------------------
ids "$N" | awk '{ n = substr($1, 2) + 0; printf "CREATE TABLE t_%d (id int PRIMARY KEY, v text);\n", n }' >"$work/ddl.sql"
gen_load() { # gen_load COUNT [light]: the migrate.revision() calls, parents first, one transaction
  echo "BEGIN;"
  # light: SELECT 1 instead of a table, for a catalog that is only there to be
  # planned over (10,000 CREATE TABLE in one transaction exceed max_locks_per_transaction).
  ids "$1" | awk -v light="${2:-}" '{
    n = substr($1, 2) + 0
    parent = (n == 1) ? "{}" : sprintf("{r%05d}", n - 1)
    up = light ? "SELECT 1" : sprintf("CREATE TABLE t_%d (id int PRIMARY KEY, v text)", n)
    down = light ? "SELECT 1" : sprintf("DROP TABLE t_%d", n)
    printf "SELECT migrate.revision(%s, %s, %s, %s, %s);\n", q($1), q(parent), q(up), q(down), q("table " n)
  }
  function q(s) { return "'"'"'" s "'"'"'" }'
  echo "COMMIT;"
}
gen_load "$N" >"$work/load.sql"
gen_load "$NOOP_BIG" light >"$work/load_big.sql"

mkdir -p "$work/alembic/versions"
cat >"$work/alembic/env.py" <<'PY'
import os
from alembic import context
from sqlalchemy import create_engine

def url():
    return "postgresql+psycopg2://"

engine = create_engine(url(), connect_args={
    "host": os.environ.get("PGHOST"), "port": os.environ.get("PGPORT"),
    "user": os.environ.get("PGUSER"), "password": os.environ.get("PGPASSWORD"),
    "dbname": os.environ["ALEMBIC_DB"]})
with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=None, transaction_per_migration=False)
    with context.begin_transaction():
        context.run_migrations()
PY
cat >"$work/alembic.ini" <<EOF
[alembic]
script_location = $work/alembic
EOF
ids "$N" | while read -r id; do
  n=$((10#${id#r}))
  down=$([[ $n == 1 ]] && echo None || printf "'r%05d'" $((n - 1)))
  cat >"$work/alembic/versions/$id.py" <<PY
from alembic import op
revision = '$id'
down_revision = $down
branch_labels = None
depends_on = None
def upgrade():
    op.execute("CREATE TABLE t_$n (id int PRIMARY KEY, v text)")
def downgrade():
    op.execute("DROP TABLE t_$n")
PY
done

# --- timing helpers -------------------------------------------------------------
now_ms() { date +%s%N | awk '{ printf "%.3f", $1 / 1e6 }'; }
stats() { sort -n | awk '{ v[NR] = $1 } END { printf "median %.1f ms, min %.1f ms", (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2), v[1] }'; }
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
fresh() { dropdb --if-exists "$1" 2>/dev/null; createdb "$1"; }
PSQL=(psql -X -q -v ON_ERROR_STOP=1)
export PGOPTIONS='-c client_min_messages=warning'

declare -a t_psql t_load t_upgrade t_alembic
for run in $(seq 1 "$RUNS"); do
  fresh bench_psql
  s=$(now_ms); "${PSQL[@]}" -1 -d bench_psql -f "$work/ddl.sql" >/dev/null; e=$(now_ms)
  t_psql+=("$(awk -v a="$s" -v b="$e" 'BEGIN { print b - a }')")

  fresh bench_migrate
  "${PSQL[@]}" -d bench_migrate -c "CREATE EXTENSION migrate" >/dev/null
  s=$(now_ms); "${PSQL[@]}" -d bench_migrate -f "$work/load.sql" >/dev/null; e=$(now_ms)
  t_load+=("$(awk -v a="$s" -v b="$e" 'BEGIN { print b - a }')")
  s=$(now_ms); "${PSQL[@]}" -d bench_migrate -c "SELECT count(*) FROM migrate.upgrade('head')" >/dev/null; e=$(now_ms)
  t_upgrade+=("$(awk -v a="$s" -v b="$e" 'BEGIN { print b - a }')")
  [[ "$(psql -X -At -d bench_migrate -c "SELECT count(*) FROM pg_tables WHERE tablename LIKE 't\_%'")" == "$N" ]]

  fresh bench_alembic
  s=$(now_ms); ALEMBIC_DB=bench_alembic /usr/bin/python3 -m alembic -c "$work/alembic.ini" upgrade head >/dev/null 2>&1; e=$(now_ms)
  t_alembic+=("$(awk -v a="$s" -v b="$e" 'BEGIN { print b - a }')")
  [[ "$(psql -X -At -d bench_alembic -c "SELECT count(*) FROM pg_tables WHERE tablename LIKE 't\_%'")" == "$N" ]]
done

echo "== N=$N revisions, CREATE TABLE t_i (id int PRIMARY KEY, v text); $RUNS runs each, fresh databases; fsync=$(psql -X -At -d postgres -c 'SHOW fsync'), shared_preload_libraries='$(psql -X -At -d postgres -c 'SHOW shared_preload_libraries')'"
echo "psql -1 -f (DDL only):            $(printf '%s\n' "${t_psql[@]}" | stats)"
echo "migrate load (N revision() calls): $(printf '%s\n' "${t_load[@]}" | stats)"
echo "migrate upgrade('head'):          $(printf '%s\n' "${t_upgrade[@]}" | stats)"
echo "alembic upgrade head:             $(printf '%s\n' "${t_alembic[@]}" | stats)"
echo "  each run (psql -1 -f / upgrade): $(for i in "${!t_psql[@]}"; do printf '%.0f/%.0f ' "${t_psql[$i]}" "${t_upgrade[$i]}"; done)ms"
mp=$(printf '%s\n' "${t_psql[@]}" | median); mu=$(printf '%s\n' "${t_upgrade[@]}" | median)
ml=$(printf '%s\n' "${t_load[@]}" | median); ma=$(printf '%s\n' "${t_alembic[@]}" | median)
awk -v u="$mu" -v p="$mp" 'BEGIN { printf "upgrade / psql -1 -f (goal <= 1.05):          %.3f\n", u / p }'
awk -v a="$ma" -v l="$ml" -v u="$mu" 'BEGIN { printf "alembic / (load + upgrade) (goal >= 1.5):     %.2f\n", a / (l + u) }'

# --- no-op, in one open connection ------------------------------------------------
fresh bench_big
"${PSQL[@]}" -d bench_big -c "CREATE EXTENSION migrate" >/dev/null
"${PSQL[@]}" -d bench_big -f "$work/load_big.sql" >/dev/null
"${PSQL[@]}" -d bench_big -c "SELECT count(*) FROM migrate.upgrade('head')" >/dev/null
echo "SELECT count(*) FROM migrate.upgrade('head');" >"$work/noop.sql"
for db in bench_migrate bench_big; do
  revs=$(psql -X -At -d "$db" -c "SELECT count(*) FROM migrate.revisions")
  lat=$(pgbench -n -c 1 -t 2000 -f "$work/noop.sql" "$db" 2>/dev/null | sed -n 's/^latency average = \(.*\) ms$/\1/p')
  echo "no-op upgrade('head') in one connection, $revs revisions: latency average $lat ms (pgbench, 2000 transactions)"
done

# --- no-op from the shell ------------------------------------------------------------
# Both tools connect the way pg_virtualenv sets up its clients (TCP, SCRAM
# password), and then, as root can do here, over the Unix socket as the
# postgres OS user with peer authentication, the usual local setup: the
# handshake is part of each tool's start-up, not of the engines.
# psql is timed as the binary itself: Debian's /usr/bin/psql is pg_wrapper, a
# Perl script that adds ~18 ms of its own before exec'ing it.
socket_dir=$(psql -X -At -d postgres -c "SELECT split_part(current_setting('unix_socket_directories'), ',', 1)")
psql_bin="$(pg_config --bindir)/psql"
chmod -R a+rX "$work"
shell_noop() { # shell_noop LABEL PREFIX...: time both tools' no-op with the given command prefix
  local label=$1; shift
  local -a s_psql=() s_alembic=()
  for i in $(seq 1 $((RUNS * 4))); do
    s=$(now_ms); "$@" "$psql_bin" -X -q -d bench_migrate -c "SELECT count(*) FROM migrate.upgrade('head')" >/dev/null; e=$(now_ms)
    s_psql+=("$(awk -v a="$s" -v b="$e" 'BEGIN { print b - a }')")
  done
  for i in $(seq 1 "$RUNS"); do
    s=$(now_ms); "$@" env ALEMBIC_DB=bench_alembic /usr/bin/python3 -m alembic -c "$work/alembic.ini" upgrade head >/dev/null 2>&1; e=$(now_ms)
    s_alembic+=("$(awk -v a="$s" -v b="$e" 'BEGIN { print b - a }')")
  done
  local sp sa
  sp=$(printf '%s\n' "${s_psql[@]}" | median); sa=$(printf '%s\n' "${s_alembic[@]}" | median)
  echo "no-op from the shell ($label), N=$N: psql -c upgrade: $(printf '%s\n' "${s_psql[@]}" | stats); alembic upgrade head: $(printf '%s\n' "${s_alembic[@]}" | stats)"
  awk -v a="$sa" -v p="$sp" -v l="$label" 'BEGIN { printf "alembic / psql no-op, %s (goal >= 10):  %.1f\n", l, a / p }'
}
shell_noop "TCP, SCRAM" env
if [[ $(id -u) == 0 ]]; then
  shell_noop "Unix socket, peer" runuser -u postgres -- env PGHOST="$socket_dir" PGUSER=postgres PGPASSWORD=
fi
