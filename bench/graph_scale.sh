#!/usr/bin/env bash
# Graph scale benchmark (issue 2).
#
# For each N (default: 10000 100000), in a fresh database:
#   1. CREATE EXTENSION migrate;
#   2. register N revisions through migrate.revision() in ONE transaction,
#      generated server-side in a plpgsql loop (parents always first).
#      Shape: a linear main line; in every cycle of 50 revisions, a side branch
#      of 4 revisions forks off the main line and is merged back by a merge
#      revision (down_revisions of 2). N must be a multiple of 50, so the graph
#      ends with exactly one head.
#   3. VACUUM ANALYZE migrate.revisions (so autovacuum does not run under the timings);
#   4. in ONE new session, time `SELECT count(*) FROM migrate.heads()` and
#      `SELECT count(*) FROM migrate.history()` RUNS times each (server-side:
#      clock_timestamp() around each query in a plpgsql loop); report median and min;
#   5. in another new connection, time heads() once (first call in a backend:
#      library load, plan preparation; data already cached);
#   6. in another new connection, time 10 single registrations on top of the
#      N-revision catalog (rolled back): the steady-state cost of one more revision.
# Prints a summary table and the growth ratios (last N / first N).
# The "max" of the timed runs is typically run 1, the session's first call.
#
# Usage (from the repo root):
#   bench/graph_scale.sh                 # standalone: runs under pg_virtualenv
#   PGHOST=... bench/graph_scale.sh      # inside an existing cluster (PG* env set)
# Environment:
#   SIZES="10000 100000"   revision counts (multiples of 50)
#   RUNS=7                 timed runs per query
#   MAX_MS_PER_REV=20      abort registration when a chunk of 1000 averages more
#                          than this many ms per revision (0 disables)
#   KEEP_DB=0              1 keeps the bench databases (bench_graph_<N>) afterwards
#   MIGRATE_DESTDIR=       standalone only: load the extension from this staging
#                          root (make install DESTDIR=...) instead of the system
#                          install, through Debian's extension_destdir setting;
#                          e.g. a clean build of HEAD:
#                            git archive HEAD | tar -x -C /tmp/m && make -C /tmp/m &&
#                            make -C /tmp/m install DESTDIR=/tmp/migrate-dest
#                            MIGRATE_DESTDIR=/tmp/migrate-dest bench/graph_scale.sh
set -euo pipefail

SIZES=${SIZES:-"10000 100000"}
RUNS=${RUNS:-7}
MAX_MS_PER_REV=${MAX_MS_PER_REV:-20}
KEEP_DB=${KEEP_DB:-0}

# Standalone: no PostgreSQL connection settings in the environment -> re-run
# this script inside a throwaway cluster.
if [[ -z "${PGHOST:-}${PGPORT:-}${PGDATABASE:-}${PGSERVICE:-}" && -z "${GRAPH_SCALE_IN_VIRTUALENV:-}" ]]; then
  export GRAPH_SCALE_IN_VIRTUALENV=1
  venv=(-t) # -t: a private cluster directory, even as root
  if [[ -n "${MIGRATE_DESTDIR:-}" ]]; then
    venv+=(-o "extension_destdir=$MIGRATE_DESTDIR")
  fi
  exec pg_virtualenv "${venv[@]}" "$0" "$@"
fi

for n in $SIZES; do
  if ! [[ $n =~ ^[0-9]+$ ]] || ((n == 0 || n % 50 != 0)); then
    echo "graph_scale: N=$n is not a positive multiple of 50" >&2
    exit 2
  fi
done

PSQL=(psql -X -q -v ON_ERROR_STOP=1 -At -F '|')

# Helpers installed in each bench database (schema "bench").
HELPERS=$(cat <<'SQL'
CREATE SCHEMA bench;

-- Registers n revisions in the calling transaction; returns the elapsed time.
-- Cycle of 50: main revisions m0..m44 (m0's parent is the previous cycle's
-- merge), a side branch s1..s4 forking off m30, and a merge of (m44, s4).
CREATE FUNCTION bench.register(n int, max_ms_per_rev float8)
RETURNS TABLE (total_ms float8, revisions bigint) LANGUAGE plpgsql AS $f$
DECLARE
  i int := 0;
  k int;
  tip text := NULL;     -- tip of the main line
  fork text;            -- main revision the side branch forks off
  side text;            -- tip of the side branch
  id text;
  t0 timestamptz := clock_timestamp();
  tc timestamptz := t0;
  chunk_ms float8;
BEGIN
  WHILE i < n LOOP
    k := i % 50;
    id := substr(md5('rev' || i), 1, 12);
    IF k < 45 THEN                                   -- main line
      PERFORM migrate.revision(id, CASE WHEN tip IS NULL THEN '{}'::text[] ELSE ARRAY[tip] END,
                               format('CREATE TABLE t_%s (id int)', i), format('DROP TABLE t_%s', i),
                               format('main %s', i));
      tip := id;
      IF k = 30 THEN fork := id; END IF;
    ELSIF k < 49 THEN                                -- side branch
      PERFORM migrate.revision(id, ARRAY[CASE WHEN k = 45 THEN fork ELSE side END],
                               format('CREATE TABLE t_%s (id int)', i), format('DROP TABLE t_%s', i),
                               format('side %s', i));
      side := id;
    ELSE                                             -- merge
      PERFORM migrate.revision(id, ARRAY[tip, side], '', '', format('merge %s', i));
      tip := id;
    END IF;
    i := i + 1;
    IF i % 1000 = 0 THEN
      chunk_ms := extract(epoch FROM clock_timestamp() - tc) * 1000;
      tc := clock_timestamp();
      IF i % 10000 = 0 OR i = n THEN
        RAISE NOTICE 'registered % revisions, % s so far, last 1000 at % ms/revision',
          i, round((extract(epoch FROM tc - t0))::numeric, 1), round((chunk_ms / 1000)::numeric, 3);
      END IF;
      IF max_ms_per_rev > 0 AND chunk_ms / 1000 > max_ms_per_rev THEN
        RAISE EXCEPTION 'registration too slow: revisions % to % took % ms/revision (limit %)',
          i - 999, i, round((chunk_ms / 1000)::numeric, 3), max_ms_per_rev;
      END IF;
    END IF;
  END LOOP;
  total_ms := extract(epoch FROM clock_timestamp() - t0) * 1000;
  SELECT count(*) INTO revisions FROM migrate.revisions;
  RETURN NEXT;
END
$f$;

-- Registers k more revisions on top of the single head, timing each one.
CREATE FUNCTION bench.time_register(k int)
RETURNS TABLE (run int, ms float8) LANGUAGE plpgsql AS $f$
DECLARE
  tip text := (SELECT h FROM migrate.heads() h);
  t0 timestamptz;
BEGIN
  FOR r IN 1..k LOOP
    run := r;
    t0 := clock_timestamp();
    PERFORM migrate.revision('extra_' || r, ARRAY[tip], format('CREATE TABLE extra_%s (id int)', r));
    ms := extract(epoch FROM clock_timestamp() - t0) * 1000;
    tip := 'extra_' || r;
    RETURN NEXT;
  END LOOP;
END
$f$;

-- Runs q (a query returning one bigint) `runs` times; one row per run.
CREATE FUNCTION bench.time_query(q text, runs int)
RETURNS TABLE (run int, ms float8, result bigint) LANGUAGE plpgsql AS $f$
DECLARE
  t0 timestamptz;
BEGIN
  FOR r IN 1..runs LOOP
    run := r;
    t0 := clock_timestamp();
    EXECUTE q INTO result;
    ms := extract(epoch FROM clock_timestamp() - t0) * 1000;
    RETURN NEXT;
  END LOOP;
END
$f$;
SQL
)

declare -A REG_MS REG_WALL HEADS_MED HEADS_MIN HIST_MED HIST_MIN FIRST_MS HEADS_MAX HIST_MAX EXTRA_MED

# The shared library the server loads for the extension (when it is on this machine).
library_file() {
  local destdir
  destdir=$("${PSQL[@]}" -d postgres -c "SELECT coalesce(current_setting('extension_destdir', true), '')")
  echo "${destdir}$(pg_config --pkglibdir)/migrate.so"
}
library_id() {
  local f
  f=$(library_file)
  if [[ -r $f ]]; then
    echo "$f (md5 $(md5sum <"$f" | cut -c1-12), modified $(date -u -r "$f" '+%Y-%m-%d %H:%M:%S UTC'))"
  else
    echo "$f (not readable here)"
  fi
}

# median|min|max|distinct results, from one session's timings
summarize="SELECT round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms)::numeric, 2),
                  round(min(ms)::numeric, 2), round(max(ms)::numeric, 2),
                  string_agg(DISTINCT result::text, ',')
           FROM bench.time_query(:q, :runs)"

echo "PostgreSQL: $("${PSQL[@]}" -d postgres -c 'SHOW server_version')"
echo "migrate:    $("${PSQL[@]}" -d postgres -c "SELECT default_version FROM pg_available_extensions WHERE name = 'migrate'")"
echo "machine:    $(nproc) CPUs, $(free -m | awk '/^Mem:/ {print $2}') MiB RAM"
echo "library:    $(library_id)"
echo "load avg:   $(cut -d' ' -f1-3 /proc/loadavg) (start)"
echo "runs:       $RUNS per query"
LIBRARY_AT_START=$(library_id)
echo

for n in $SIZES; do
  db="bench_graph_$n"
  echo "== N=$n (database $db)"
  "${PSQL[@]}" -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
  "${PSQL[@]}" -d "$db" -c "CREATE EXTENSION migrate"
  "${PSQL[@]}" -d "$db" >/dev/null <<<"$HELPERS"

  # Registration: one transaction (BEGIN ... COMMIT around one call).
  t_start=$(date +%s.%N)
  out=$("${PSQL[@]}" -d "$db" -v n="$n" -v lim="$MAX_MS_PER_REV" <<'SQL'
BEGIN;
SELECT round(total_ms::numeric, 1), revisions FROM bench.register(:n, :lim);
COMMIT;
SQL
  )
  t_end=$(date +%s.%N)
  IFS='|' read -r reg_ms reg_count <<<"$out"
  if [[ $reg_count != "$n" ]]; then
    echo "graph_scale: expected $n revisions, catalog holds $reg_count" >&2
    exit 1
  fi
  REG_MS[$n]=$reg_ms
  REG_WALL[$n]=$(awk -v a="$t_start" -v b="$t_end" 'BEGIN { printf "%.1f", (b - a) * 1000 }')
  echo "register:  ${REG_MS[$n]} ms in the function (${REG_WALL[$n]} ms wall, with COMMIT)," \
       "$(awk -v t="${REG_MS[$n]}" -v n="$n" 'BEGIN { printf "%.3f", t / n }') ms/revision"

  "${PSQL[@]}" -d "$db" -c "VACUUM ANALYZE migrate.revisions"

  # Timed runs: one session for both queries.
  out=$("${PSQL[@]}" -d "$db" -v runs="$RUNS" <<SQL
\\set q '''SELECT count(*) FROM migrate.heads()'''
$summarize;
\\set q '''SELECT count(*) FROM migrate.history()'''
$summarize;
SQL
  )
  { IFS='|' read -r HEADS_MED[$n] HEADS_MIN[$n] HEADS_MAX[$n] heads_count
    IFS='|' read -r HIST_MED[$n] HIST_MIN[$n] HIST_MAX[$n] hist_count; } <<<"$out"
  if [[ $heads_count != 1 || $hist_count != "$n" ]]; then
    echo "graph_scale: heads() returned $heads_count rows (want 1), history() $hist_count (want $n)" >&2
    exit 1
  fi
  echo "heads():   median ${HEADS_MED[$n]} ms, min ${HEADS_MIN[$n]} ms, max ${HEADS_MAX[$n]} ms ($heads_count head)"
  echo "history(): median ${HIST_MED[$n]} ms, min ${HIST_MIN[$n]} ms, max ${HIST_MAX[$n]} ms ($hist_count rows)"

  # First call in a new backend (library load, plan preparation; data cached).
  FIRST_MS[$n]=$("${PSQL[@]}" -d "$db" \
    -c "SELECT round(ms::numeric, 2) FROM bench.time_query('SELECT count(*) FROM migrate.heads()', 1)")
  echo "heads():   ${FIRST_MS[$n]} ms as the first call of a new connection"

  # Ten more registrations on top of the N-revision catalog, in a new session
  # after VACUUM ANALYZE (rolled back): the steady-state cost of one revision.
  EXTRA_MED[$n]=$("${PSQL[@]}" -d "$db" <<'SQL'
BEGIN;
SELECT round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms)::numeric, 3) FROM bench.time_register(10);
ROLLBACK;
SQL
  )
  echo "register:  ${EXTRA_MED[$n]} ms/revision (median of 10 more, new session, after VACUUM ANALYZE)"

  if [[ $KEEP_DB != 1 ]]; then
    "${PSQL[@]}" -d postgres -c "DROP DATABASE $db"
  fi
  echo
done

echo "load avg:   $(cut -d' ' -f1-3 /proc/loadavg) (end)"
if [[ $(library_id) != "$LIBRARY_AT_START" ]]; then
  echo "WARNING: the extension library changed during the run: now $(library_id)" >&2
fi
echo

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a > 0) printf "%.2fx", b / a; else print "n/a" }'; }

echo "== Summary (times in ms; heads()/history(): $RUNS runs in one session;"
echo "   +1 rev: median of 10 single registrations on top of N, new session, after VACUUM ANALYZE)"
printf '%-8s | %12s | %9s | %12s | %11s | %13s | %13s | %16s | %14s\n' \
  N "register" "ms/rev" "heads() med" "heads() min" "history() med" "history() min" "heads() 1st call" "+1 rev, ms/rev"
for n in $SIZES; do
  printf '%-8s | %12s | %9s | %12s | %11s | %13s | %13s | %16s | %14s\n' \
    "$n" "${REG_MS[$n]}" "$(awk -v t="${REG_MS[$n]}" -v n="$n" 'BEGIN { printf "%.3f", t / n }')" \
    "${HEADS_MED[$n]}" "${HEADS_MIN[$n]}" "${HIST_MED[$n]}" "${HIST_MIN[$n]}" "${FIRST_MS[$n]}" "${EXTRA_MED[$n]}"
done

read -r -a sizes <<<"$SIZES"
if ((${#sizes[@]} >= 2)); then
  lo=${sizes[0]} hi=${sizes[-1]}
  echo
  echo "growth $lo -> $hi (x$((hi / lo)) revisions), by median:"
  echo "  register:  $(ratio "${REG_MS[$lo]}" "${REG_MS[$hi]}")"
  echo "  heads():   $(ratio "${HEADS_MED[$lo]}" "${HEADS_MED[$hi]}") (min: $(ratio "${HEADS_MIN[$lo]}" "${HEADS_MIN[$hi]}"))"
  echo "  history(): $(ratio "${HIST_MED[$lo]}" "${HIST_MED[$hi]}") (min: $(ratio "${HIST_MIN[$lo]}" "${HIST_MIN[$hi]}"))"
fi
