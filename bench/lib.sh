# Shared by the benchmarks (sourced): the revisions they register and the
# arithmetic on their timings.

# linear_revisions N UPGRADE DOWNGRADE: a psql script registering N
# revisions in a line (r00001 <- r00002 <- ...), parents first, in one
# transaction. UPGRADE and DOWNGRADE are awk printf formats; every %d in
# them is the revision's number i.
linear_revisions() {
  echo "BEGIN;"
  seq 1 "$1" | awk -v up="$2" -v down="$3" '{
    id = sprintf("r%05d", $1); parent = ($1 == 1) ? "{}" : sprintf("{r%05d}", $1 - 1)
    printf "SELECT migrate.revision(%s, %s, %s, %s);\n", q(id), q(parent), q(numbered(up, $1)), q(numbered(down, $1))
  }
  function numbered(f, i) { gsub(/%d/, i, f); return f }
  function q(s) { return "'"'"'" s "'"'"'" }'
  echo "COMMIT;"
}

now_ms() { date +%s%N | awk '{ printf "%.3f", $1 / 1e6 }'; }
# "wall user system" in ms: the wall time given, and the backend's CPU from
# a "stat=<contents of /proc/self/stat>" line in a timed run's output.
figures() { sed -n 's/^stat=//p' | awk -v w="$1" '{ printf "%.0f %d %d", w, $14 * 10, $15 * 10 }'; }
# The median of numbers, one a line.
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }

# With the timings in the associative array `result` (result[MODE,RUN] =
# "wall user system", runs 1..RUNS):
# result_median MODE FIELD: the median of FIELD (1 wall, 2 user, 3 system).
result_median() { for r in $(seq 1 "$RUNS"); do echo "${result[$1,$r]}" | cut -d' ' -f"$2"; done | median; }
# run_ratio A B RUN: A's wall time over B's in one run.
run_ratio() {
  awk -v a="$(echo "${result[$1,$3]}" | cut -d' ' -f1)" -v b="$(echo "${result[$2,$3]}" | cut -d' ' -f1)" \
    'BEGIN { printf "%.3f", a / b }'
}
# ratio_median A B: the median over the runs of run_ratio A B.
ratio_median() { for r in $(seq 1 "$RUNS"); do run_ratio "$1" "$2" "$r"; echo; done | median; }
