#!/usr/bin/env bash
# pg_migrate's commands that work on the files alone: init, new, merge, heads,
# branches, history, show, graph, check, bundle; every refusal with its exit
# code (1 a failed command or check, 2 bad usage) and file:line.
set -euo pipefail
. "$(dirname "$0")/cli_lib.sh"
cd "$work"

# --- usage: exit 2 ---
expect_rc 2 "$PGM"
expect "$err" "no command given"
expect_rc 2 "$PGM" frobnicate
expect "$err" 'unknown command "frobnicate"'
expect_rc 2 "$PGM" --nope heads
expect_rc 2 "$PGM" --jobs 0 heads
expect "$err" "--jobs must be a whole number from 1 to 64"
expect_rc 2 "$PGM" heads --bogus
expect "$err" "unknown option --bogus"
expect_rc 2 "$PGM" heads --dir versions
expect "$err" "--dir is a global option: give it before the command"
expect_rc 2 "$PGM" new
expect "$err" "-m MSG is required"
expect_rc 2 "$PGM" show
expect_rc 2 "$PGM" --dsn-file /nonexistent current
expect_rc 0 "$PGM" --help
expect "$out" "upgrade \[TARGET\] \[--at-gate run\|stop\] \[--sql\]"

# --- a missing directory: exit 1 with a hint ---
expect_rc 1 "$PGM" heads
expect "$err" 'no versions directory "versions"'
expect "$err" "HINT:  Create it with .pg_migrate init."

# --- init ---
expect_rc 0 "$PGM" init
[ -d versions ]
expect_rc 0 "$PGM" init # an empty directory is fine
echo x >versions/junk.txt
expect_rc 1 "$PGM" init
expect "$err" "exists and is not empty"
rm versions/junk.txt

# --- new: hex ids, parents from the heads, the path as the last line ---
expect_rc 0 "$PGM" new -m "Create users!"
first=$(echo "$out" | tail -n 1)
expect "$first" '^versions/[0-9a-f]{12}_create_users\.sql$'
a=$(basename "$first" | cut -c1-12)
expect "$(cat "$first")" "^-- revision: $a
-- revises:
-- message: Create users!

-- migrate:upgrade

-- migrate:downgrade$"
# A fresh file (empty upgrade) is fine to look at, refused by check.
expect_rc 0 "$PGM" heads
expect "$out" "^$a \(head\)$"
expect_rc 1 "$PGM" check
expect "$err" "$first:5: the upgrade section of revision $a is empty"
printf -- '-- revision: %s\n-- revises:\n-- message: Create users!\n\n-- migrate:upgrade\nCREATE TABLE users (id int);\n\n-- migrate:downgrade\nDROP TABLE users;\n' "$a" >"$first"

# date-style ids: YYYYMMDD_NN_slug, numbered per day; the file carries the id only.
today=$(date +%Y%m%d)
expect_rc 0 "$PGM" new -m "add email" --id-style date
expect "$out" "versions/${today}_01_add_email\.sql$"
b=${today}_01_add_email
expect "$(sed -n 2p "versions/$b.sql")" "^-- revises: $a$"
sed -i 's/^-- migrate:upgrade$/-- migrate:upgrade\nALTER TABLE users ADD email text;/' "versions/$b.sql"

# --head builds elsewhere: a second branch, with a label and a dependency.
expect_rc 0 "$PGM" new -m "audit" --id c3 --head "$a" --branch-label audit --depends-on "$b" --non-transactional
expect "$out" "versions/c3_audit\.sql$"
expect "$(cat versions/c3_audit.sql)" "-- revises: $a
-- message: audit
-- branch-labels: audit
-- depends-on: $b
-- transactional: false"
sed -i 's/^-- migrate:upgrade$/-- migrate:upgrade\nCREATE INDEX CONCURRENTLY users_email ON users (email);/' versions/c3_audit.sql
expect_rc 0 "$PGM" new -m "second of the day" --id-style date --head "$b"
expect "$out" "versions/${today}_02_second_of_the_day\.sql$"
d=${today}_02_second_of_the_day
sed -i 's/^-- migrate:upgrade$/-- migrate:upgrade\nSELECT 1;/' "versions/$d.sql"

# --- several heads: new refuses naming them, check fails with a hint to merge ---
expect_rc 1 "$PGM" new -m "more"
expect "$err" "the revisions have 2 heads: "
expect "$err" "c3 \(audit\)"
expect "$err" "$d \(second of the day\)"
expect "$err" "HINT:  Name it with --head REV"
expect_rc 1 "$PGM" check
expect "$err" "versions has 2 heads"
expect "$err" 'HINT:  Join them with: pg_migrate merge -m "merge heads" heads'
expect_rc 0 "$PGM" heads
expect "$out" "^$d \(head\)
c3 \(audit\) \(head\)$|^c3 \(audit\) \(head\)
$d \(head\)$"
expect_rc 0 "$PGM" branches
expect "$out" "^$a \(branchpoint\)"
expect "$out" "-> c3 \(audit\) \(head\)"
# Refusals of new: an id taken, a bad id, an unknown --head or --depends-on, a label taken.
expect_rc 1 "$PGM" new -m x --id c3 --head c3
expect "$err" "revision c3 exists already"
expect_rc 1 "$PGM" new -m x --id "bad-id" --head c3
expect "$err" 'invalid revision id "bad-id"'
expect_rc 1 "$PGM" new -m x --head nowhere
expect "$err" "Can't locate revision identified by 'nowhere'"
expect_rc 1 "$PGM" new -m x --head c3 --depends-on nowhere
expect_rc 1 "$PGM" new -m x --head c3 --branch-label audit
expect "$err" "Branch name 'audit' already used by revision c3"
expect_rc 2 "$PGM" new -m "$(printf 'two\nlines')" --head c3
expect_rc 2 "$PGM" new -m x --id-style uuid --head c3

# --- merge ---
expect_rc 1 "$PGM" merge -m "not heads" "$a" c3
expect "$err" "Revision $a is not a head revision"
expect_rc 1 "$PGM" merge -m "one" c3
expect "$err" "a merge needs two or more heads, got 1"
expect_rc 1 "$PGM" merge -m "twice" c3 c3
expect "$err" "Duplicate head revisions specified"
expect_rc 0 "$PGM" merge -m "merge heads" --id m5 heads
expect "$out" "versions/m5_merge_heads\.sql$"
expect "$(cat versions/m5_merge_heads.sql)" "-- revises: ($d, c3|c3, $d)
-- message: merge heads

-- migrate:upgrade

-- migrate:downgrade"
expect_rc 0 "$PGM" check
expect "$out" "^ok: 5 revisions, head m5 \(merge heads\)$"

# --- history, show, graph ---
expect_rc 0 "$PGM" history
expect "$(echo "$out" | head -n 1)" "^($d, c3|c3, $d) -> m5 \(audit\) \(head\) \(mergepoint\), merge heads$"
expect "$out" "$a \($b\) -> c3 \(audit\), audit"
expect "$(echo "$out" | tail -n 1)" "^<base> -> $a \(branchpoint\), Create users!$"
expect_rc 0 "$PGM" history -r "$b:"
expect "$(echo "$out" | wc -l)" "^3$"
expect_rc 1 "$PGM" history -r "nowhere:"
expect "$err" "Can't locate revision identified by 'nowhere'"
expect_rc 0 "$PGM" show c3
expect "$out" "^Rev: c3
Parent: $a
Also depends on: $b
Branch names: audit
Path: versions/c3_audit.sql"
expect "$out" "Transactional: false"
expect "$out" "CREATE INDEX CONCURRENTLY users_email ON users \(email\);"
expect_rc 0 "$PGM" show audit@head
expect "$out" "^Rev: m5 \(head\) \(mergepoint\)"
expect_rc 0 "$PGM" graph
expect "$out" "^digraph"
expect "$out" "style=dashed"
expect_rc 0 "$PGM" graph --png graph.png
[ "$(head -c 4 graph.png | tail -c 3)" = "PNG" ] || { echo "graph.png is no PNG"; exit 1; }

# --- bundle: registration only, parents first ---
expect_rc 0 "$PGM" bundle
expect "$(echo "$out" | grep -c 'SELECT migrate.revision(')" "^5$"
expect "$(echo "$out" | grep -o "SELECT migrate.revision('[^']*'" | head -n 1)" "'$a'$"
expect "$(echo "$out" | grep -o "SELECT migrate.revision('[^']*'" | tail -n 1)" "'m5'$"

# --- file:line refusals: every file's first error, and nothing is used ---
cp -r versions broken
printf -- '-- revision: x9\n-- revises: m5\n-- author: me\n-- migrate:upgrade\nSELECT 1;\n' >broken/x9.sql
printf -- '-- revision: y9\n-- revises: m5\n\n-- migrate:upgrade\nSELECT 1;\n-- migrate:upgrade\nSELECT 2;\n' >broken/y9.sql
expect_rc 1 "$PGM" --dir broken check
expect "$err" 'broken/x9.sql:3: unknown header "author"'
expect "$err" 'broken/y9.sql:6: duplicate section "upgrade"'
expect "$err" "2 errors in the revision files"
expect_rc 1 "$PGM" --dir broken bundle
[ -z "$out" ] || { echo "bundle wrote something from refused files"; exit 1; }
rm broken/x9.sql broken/y9.sql
cp "versions/$b.sql" broken/copy.sql
expect_rc 1 "$PGM" --dir broken check
expect "$err" "broken/copy.sql:1: revision $b is defined twice"
expect "$err" "DETAIL:  It is also defined at broken/${b}.sql:1."
rm broken/copy.sql
printf -- '-- revision: z9\n-- revises: gone\n-- migrate:upgrade\nSELECT 1;\n' >broken/z9.sql
expect_rc 1 "$PGM" --dir broken check
expect "$err" 'broken/z9.sql:2: revision z9 has unknown parent "gone"'
printf -- '-- revision: z9\n-- revises: m5\n-- requires-backfills: fill\n-- migrate:upgrade\nSELECT 1;\n' >broken/z9.sql
expect_rc 1 "$PGM" --dir broken check
expect "$err" 'broken/z9.sql:3: revision z9 requires backfill fill, which no file defines'
echo "files: init, new (hex, date, --head, labels, depends-on), merge, heads, branches, history, show, graph, check, bundle and their refusals"
