#!/usr/bin/env bash
# Runs each test/shell/*_test.sh against the cluster in the PG* environment.
set -euo pipefail
cd "$(dirname "$0")"
failed=0
for t in ./*_test.sh; do
  name=$(basename "$t" .sh)
  if out=$("$t" 2>&1); then
    echo "ok - $name"
  else
    echo "not ok - $name"
    echo "$out" | sed 's/^/    /'
    failed=1
  fi
done
exit $failed
