#!/usr/bin/env bash
# What lock-safe steps cost (issue 5): 1000 revisions of two trivial statements
# each, upgraded with migrate.lock_timeout = 0 (the whole SQL in one SPI call)
# and 5s (a subtransaction, a lock-wait sampling timer and a GUC level per
# statement). Run: pg_virtualenv -t bash bench/step_overhead.sh
set -e
P=$(pg_config --bindir)/psql
for mode in 0 5s 0 5s; do
  $P -X -q -d postgres -c "DROP EXTENSION IF EXISTS migrate CASCADE" -c "DROP SCHEMA IF EXISTS b CASCADE" -c "CREATE SCHEMA b" -c "CREATE EXTENSION migrate" >/dev/null 2>&1
  $P -X -q -d postgres -c "SELECT count(migrate.revision('r'||i, CASE WHEN i=1 THEN '{}'::text[] ELSE ARRAY['r'||(i-1)] END, 'SELECT 1; SELECT 2')) FROM generate_series(1,1000) i" >/dev/null
  t=$( { $P -X -q -d postgres -c "SET client_min_messages=warning" -c "SET migrate.lock_timeout = '$mode'" -c "\timing on" -c "SELECT count(*) FROM migrate.upgrade('head')" ; } 2>&1 | grep Time | tail -1)
  echo "lock_timeout=$mode: $t"
done
