#!/usr/bin/env bash
# 10,000 failing calls at top level in one session (each aborting its own
# transaction, no subtransaction around it) leave backend memory flat, and the
# session still works afterwards.
set -euo pipefail
db=migrate_toplevel_failures
dropdb --if-exists "$db"; createdb "$db"
trap 'dropdb --if-exists "$db"' EXIT
psql -X -q -d "$db" -c "CREATE EXTENSION migrate" -c "SELECT migrate.revision('a1', '{}', 'SELECT 1')" >/dev/null

rss="SELECT 'rss=' || substring(line FROM '(\d+)') FROM regexp_split_to_table(pg_read_file('/proc/self/status'), E'\n') line WHERE line LIKE 'RssAnon:%';"
failures() {
  for i in $(seq "$1" "$2"); do
    case $((i % 3)) in
      0) echo "SELECT migrate.revision('bad id $i', '{}', 'SELECT 1');" ;;
      1) echo "SELECT migrate.revision('x$i', '{a1}', 'CREATE TABL t$i');" ;;
      2) echo "SELECT * FROM migrate.show('nope$i');" ;;
    esac
  done
}
out=$({
  failures 1 2000; echo "$rss"
  failures 2001 12000; echo "$rss"
  echo "SELECT 'alive=' || count(*) FROM migrate.heads();"
} | psql -X -q -At -d "$db" 2>/dev/null)
before=$(echo "$out" | sed -n 's/^rss=//p' | sed -n 1p)
after=$(echo "$out" | sed -n 's/^rss=//p' | sed -n 2p)
echo "RssAnon after 2,000 failures: ${before} kB; after 12,000: ${after} kB"
[ -n "$before" ] && [ -n "$after" ]
[ $((after - before)) -lt 1024 ] || { echo "backend memory grew by $((after - before)) kB"; exit 1; }
echo "$out" | grep -qx 'alive=1'
