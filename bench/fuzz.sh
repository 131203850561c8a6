#!/usr/bin/env bash
# Fuzzing run (issue 9), by hand; figures go to bench/RESULTS.md.
#
# Every libFuzzer target in test/fuzz (ASan + UBSan, clang-14) runs RUNS
# executions (default 10 million), one target after the other, one process
# each, starting from its seeds plus the corpus earlier runs left in
# build/fuzz/corpus/<name>. Any crash, sanitizer report, leak or timeout
# stops the run with exit status 1 and the input in build/fuzz/artifacts/.
# Prints one line per target: executions, seconds, exec/s, coverage (edges),
# features, corpus size.
#
# Usage: bench/fuzz.sh             RUNS=1000000 bench/fuzz.sh
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-10000000}
echo "fuzz: $RUNS executions per target, $(nproc) cores, $(clang++-14 --version | head -n 1)"
exec test/fuzz/run.sh -runs="$RUNS"
