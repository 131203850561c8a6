#!/usr/bin/env bash
# What migrate.check_roundtrip() costs next to what it checks (issue 12's
# goal: at most 4x an upgrade plus a downgrade of the same revisions).
# N revisions, each `CREATE TABLE t_i (id int PRIMARY KEY, v text); CREATE
# INDEX ON t_i (v)` with its downgrade `DROP TABLE t_i`, pending on a schema
# of realistic size (TABLES tables of 8 columns, a primary key, an index, a
# foreign key and a view each: the fingerprint, read twice per revision, grows
# with it). Paired and alternating, per run two fresh databases (none dropped
# while timing), in alternating order:
#   check  psql -c "SELECT count(*) FROM migrate.check_roundtrip('head')"
#   move   psql -c "SELECT count(*) FROM migrate.upgrade('head')"
#               -c "SELECT count(*) FROM migrate.downgrade('base')"
# Prints wall time per run, the medians, and the median of the per-run ratios.
#
# Usage: bench/roundtrip.sh              (re-runs itself under pg_virtualenv -t)
#        N=100 TABLES=500 RUNS=5 bench/roundtrip.sh
set -euo pipefail
. "$(dirname "$0")/lib.sh"
N=${N:-100}
TABLES=${TABLES:-500}
RUNS=${RUNS:-5}
if [[ -z "${PGHOST:-}${PGPORT:-}${PGDATABASE:-}" ]]; then
  exec pg_virtualenv -t "$0" "$@"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
seq 1 "$TABLES" | awk '{
  printf "CREATE TABLE app_%d (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, parent bigint REFERENCES app_%d (id), ", $1, ($1 > 1 ? $1 - 1 : 1)
  printf "name text NOT NULL, note text, amount numeric(12,2) DEFAULT 0, created timestamptz DEFAULT now(), flag boolean NOT NULL DEFAULT false, tags text[]);\n"
  printf "CREATE INDEX ON app_%d (name);\n", $1
  printf "CREATE VIEW app_%d_v AS SELECT id, name FROM app_%d WHERE flag;\n", $1, $1
}' >"$work/schema.sql"
linear_revisions "$N" "CREATE TABLE t_%d (id int PRIMARY KEY, v text); CREATE INDEX ON t_%d (v)" "DROP TABLE t_%d" >"$work/load.sql"
P=("$(pg_config --bindir)/psql" -X -q -At -v ON_ERROR_STOP=1)
export PGOPTIONS='-c client_min_messages=warning'

declare -A result
n=0
echo "== N=$N revisions on $TABLES tables, $RUNS runs; data directory under ${TMPDIR:-/tmp}"
for run in $(seq 1 "$RUNS"); do
  order=(check move)
  ((run % 2 == 0)) && order=(move check)
  line="run $run:"
  for mode in "${order[@]}"; do
    n=$((n + 1))
    db=roundtrip_${mode}_$n
    createdb "$db"
    "${P[@]}" -d "$db" -f "$work/schema.sql" -c "CREATE EXTENSION migrate" -f "$work/load.sql" >/dev/null
    "${P[@]}" -d "$db" -c "VACUUM ANALYZE" -c "CHECKPOINT"
    if [[ $mode == check ]]; then
      s=$(now_ms)
      out=$("${P[@]}" -d "$db" -c "SELECT count(*) FILTER (WHERE ok) FROM migrate.check_roundtrip('head')")
      e=$(now_ms)
    else
      s=$(now_ms)
      out=$("${P[@]}" -d "$db" -c "SELECT count(*) FROM migrate.upgrade('head')" \
        -c "SELECT count(*) FROM migrate.downgrade('base')" | tail -1)
      e=$(now_ms)
    fi
    [[ "$out" == "$N" ]] || { echo "unexpected result for $mode: $out"; exit 1; }
    result[$mode,$run]=$(awk -v a="$s" -v b="$e" 'BEGIN { printf "%.0f", b - a }')
    line="$line  $mode ${result[$mode,$run]} ms"
  done
  echo "$line  ratio $(awk -v c="${result[check,$run]}" -v m="${result[move,$run]}" 'BEGIN { printf "%.2f", c / m }')"
done
for mode in check move; do
  echo "median $mode: $(for r in $(seq 1 "$RUNS"); do echo "${result[$mode,$r]}"; done | median) ms"
done
echo "median ratio check/move: $(for r in $(seq 1 "$RUNS"); do
  awk -v c="${result[check,$r]}" -v m="${result[move,$r]}" 'BEGIN { printf "%.3f\n", c / m }'; done | median)"
echo "fingerprint rows of the schema: $("${P[@]}" -d "$db" -c "SELECT count(*) FROM migrate.fingerprint()")"
