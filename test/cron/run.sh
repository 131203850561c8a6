#!/usr/bin/env bash
# Starts a throwaway cluster with pg_cron preloaded and runs
# test/cron/pg_cron_backfill_test.sh on it; prints ok/not ok like
# test/shell/run_all.sh. Background workers: pg_cron's libpq mode connects to
# cron.host = localhost, which a pg_virtualenv cluster answers with
# scram-sha-256 and no password for it ("connection failed").
set -euo pipefail
cd "$(dirname "$0")"
name=pg_cron_backfill_test
if out=$(pg_virtualenv -t \
  -o shared_preload_libraries=pg_cron \
  -o cron.database_name=postgres \
  -o cron.use_background_workers=on \
  "./$name.sh" 2>&1); then
  echo "ok - $name"
else
  echo "not ok - $name"
  echo "$out" | sed 's/^/    /'
  exit 1
fi
