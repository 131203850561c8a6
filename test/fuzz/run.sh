#!/usr/bin/env bash
# Builds the libFuzzer targets (every test/fuzz/*_fuzz.cpp) with clang-14
# under ASan and UBSan in build/fuzz, then runs each one with the given
# libFuzzer options, e.g. `-max_total_time=30` (CI: scripts/test) or
# `-runs=10000000` (bench/fuzz.sh). Each starts from its seeds in
# test/fuzz/corpus/<name> plus what earlier runs added in build/fuzz/corpus/<name>.
# Prints one `ok - fuzz <name>: ...` line per target; exits 1 on the first
# finding, leaving the input in build/fuzz/artifacts/ (add it as a unit test).
set -euo pipefail
cd "$(dirname "$0")/../.."
CC=clang-14 CXX=clang++-14 cmake -S . -B build/fuzz -DMIGRATE_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build/fuzz -j2 >/dev/null
mkdir -p build/fuzz/artifacts
for source in test/fuzz/*_fuzz.cpp; do
  name=$(basename "$source" .cpp)
  mkdir -p "build/fuzz/corpus/$name" "test/fuzz/corpus/$name"
  log="build/fuzz/$name.log"
  # A target's own dictionary (revision_file.dict for revision_file_fuzz) when it has one.
  dict="test/fuzz/${name%_fuzz}.dict"
  [ -f "$dict" ] || dict=test/fuzz/fuzz.dict
  # Inputs up to 2048 bytes: past the 1024-byte cap on targets.
  if ! "build/fuzz/$name" -dict="$dict" -max_len=2048 -print_final_stats=1 \
    -artifact_prefix="build/fuzz/artifacts/$name-" "$@" \
    "build/fuzz/corpus/$name" "test/fuzz/corpus/$name" >"$log" 2>&1; then
    tail -n 40 "$log"
    echo "not ok - fuzz $name: a finding, input in build/fuzz/artifacts/"
    exit 1
  fi
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  secs=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log")
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 | cut -d' ' -f2)
  feat=$(grep -o 'ft: [0-9]*' "$log" | tail -n 1 | cut -d' ' -f2)
  corpus=$(grep -o 'corp: [0-9]*/[0-9]*[a-zA-Z]*' "$log" | tail -n 1 | cut -d' ' -f2)
  echo "ok - fuzz $name: $runs runs in $secs s ($rate exec/s), cov $cov, ft $feat, corpus $corpus (inputs/bytes), 0 crashes"
done
