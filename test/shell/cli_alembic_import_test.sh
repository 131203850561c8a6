#!/usr/bin/env bash
# Coming from Alembic, with Debian's Alembic: an Alembic project (branches, a
# merge, a label, depends_on, create_table, add_column, data UPDATEs, an
# enum, bulk_insert, a concurrent index in autocommit_block, an irreversible
# revision) imported by pg_migrate import-alembic; a database Alembic left at
# two middle revisions stamped from alembic_version and upgraded by
# pg_migrate ends with the schema and data Alembic builds for the head
# (pg_dump); so does a fresh database. Then every refusal: revisions offline
# mode cannot render, bad ini files, a missing Alembic, a wrong dialect, ids a
# file cannot hold, a filled directory; stamp --from-alembic without the
# table, with rows no file defines, with rows that share ancestry.
set -euo pipefail
. "$(dirname "$0")/cli_lib.sh"
. "$(dirname "$0")/alembic_lib.sh"
cd "$work"
alembic_project app
alembic() { (cd app && DATABASE_URL="postgresql:///$1" $ALEMBIC "${@:2}"); }

# --- import: one file per revision, rendered by the project's Alembic offline ---
expect_rc 0 "$PGM" import-alembic app/alembic.ini
expect "$out" "^imported 11 revisions from app/alembic.ini into versions \(Alembic 1\.8\.1, /usr/bin/python3\)$"
expect "$err" "reading app/alembic.ini with /usr/bin/python3 \(the interpreter of [^)]*alembic\)"
expect "$err" "transactional: false \(autocommit_block\): i8i8i8i8i8i8"
expect "$err" "irreversible \(downgrade\(\) raises NotImplementedError, or is missing\): 20260301_01_invoice_totals"
expect "$err" "a downgrade that runs nothing [^:]*: f9f9f9f9f9f9, g0g0g0g0g0g0
"
expect "$err" "WARNING:  revision a1a1a1a1a1a1: downgrade\(\): create\(\)/drop\(\) with checkfirst=True"
# The files keep the Alembic scripts' names.
expect "$(ls versions | paste -sd' ')" "^20260301_01_invoice_totals.sql a1a1a1a1a1a1_create_users.sql b2b2b2b2b2b2_add_email.sql \
c3c3c3c3c3c3_create_invoices.sql c5c5c5c5c5c5_invoice_status.sql d4d4d4d4d4d4_create_audit_log.sql \
e6e6e6e6e6e6_audit_invoices.sql f9f9f9f9f9f9_audit_note.sql g0g0g0g0g0g0_placeholder.sql i8i8i8i8i8i8_index_email.sql \
m7m7m7m7m7m7_merge.sql$"
expect "$(cat versions/i8i8i8i8i8i8_index_email.sql)" "^-- revision: i8i8i8i8i8i8
-- revises: m7m7m7m7m7m7
-- message: index users by email
-- transactional: false

-- migrate:upgrade
CREATE UNIQUE INDEX CONCURRENTLY ix_users_email ON users \(email\);

-- migrate:downgrade
DROP INDEX CONCURRENTLY ix_users_email;$"
expect "$(cat versions/m7m7m7m7m7m7_merge.sql)" "^-- revision: m7m7m7m7m7m7
-- revises: c5c5c5c5c5c5, e6e6e6e6e6e6
-- message: merge billing and audit

-- migrate:upgrade

-- migrate:downgrade$"
expect "$(head -4 versions/c3c3c3c3c3c3_create_invoices.sql)" "^-- revision: c3c3c3c3c3c3
-- revises: b2b2b2b2b2b2
-- message: create invoices
-- branch-labels: billing$"
expect "$(sed -n 4p versions/e6e6e6e6e6e6_audit_invoices.sql)" "^-- depends-on: billing$"
# Data: literal values (bulk_insert, an UPDATE built with sa.table), quotes doubled.
expect "$(cat versions/a1a1a1a1a1a1_create_users.sql)" "CREATE TYPE mood AS ENUM \('happy', 'sad'\);"
expect "$(cat versions/a1a1a1a1a1a1_create_users.sql)" "VALUES \(2, 'O''Brien', 'sad'\);"
expect "$(cat versions/c5c5c5c5c5c5_invoice_status.sql)" "UPDATE invoices SET status='paid' WHERE invoices.id <= 2;"
# Irreversible: no downgrade section; downgrade() that runs nothing: an empty one.
if grep -q "migrate:downgrade" versions/20260301_01_invoice_totals.sql; then
  echo "the irreversible revision got a downgrade section"
  exit 1
fi
# An upgrade() that emits nothing (not a merge): a statement that does nothing.
expect "$(sed -n '/upgrade/,$p' versions/g0g0g0g0g0g0_placeholder.sql)" "^-- migrate:upgrade
SELECT; -- upgrade\(\) emits no SQL in Alembic

-- migrate:downgrade$"
expect "$(tail -3 versions/f9f9f9f9f9f9_audit_note.sql)" "^ALTER TABLE audit_log ADD COLUMN note TEXT;

-- migrate:downgrade$"
# Nothing of Alembic's bookkeeping: no version table, no BEGIN/COMMIT, no "-- Running" comments.
if grep -Eqi "alembic_version|^(BEGIN|COMMIT)|^-- Running" versions/*.sql; then
  echo "the import kept Alembic's bookkeeping:"
  grep -Ei "alembic_version|^(BEGIN|COMMIT)|^-- Running" versions/*.sql
  exit 1
fi
# The graph is Alembic's: pg_migrate's listings hold alembic's lines (in
# another order where Alembic's depends on how the file system lists its scripts).
expect_rc 0 "$PGM" check
expect "$out" "^ok: 11 revisions, head g0g0g0g0g0g0 \(placeholder\)$"
diff <(alembic x history 2>/dev/null | sort) <("$PGM" history | sort)
diff <(alembic x heads 2>/dev/null) <("$PGM" heads)
diff <(alembic x branches 2>/dev/null | sort) <("$PGM" branches | sort)

# --- Alembic's database: the reference, upgraded to head by Alembic ---
new_db migrate_alembic_ref
alembic migrate_alembic_ref upgrade heads 2>/dev/null
# A database that Alembic left at two middle revisions (c3 and d4: two version rows).
new_db migrate_alembic_mid
alembic migrate_alembic_mid upgrade c3c3c3c3c3c3 2>/dev/null
alembic migrate_alembic_mid upgrade d4d4d4d4d4d4 2>/dev/null
db=migrate_alembic_mid
expect "$(q "SELECT string_agg(version_num, ',' ORDER BY version_num) FROM alembic_version")" "^c3c3c3c3c3c3,d4d4d4d4d4d4$"

# --- stamp --from-alembic: the version rows become alembic_version's, journaled, in one transaction ---
expect_rc 0 "$PGM" --dsn "dbname=$db" stamp --from-alembic
expect "$err" "INFO  \[alembic.runtime.migration\] Running stamp_revision  -> c3c3c3c3c3c3
INFO  \[alembic.runtime.migration\] Running stamp_revision  -> d4d4d4d4d4d4
INFO  \[pg_migrate\] the database is at c3c3c3c3c3c3, d4d4d4d4d4d4, as alembic_version says$"
expect "$(q "SELECT string_agg(version_num, ',' ORDER BY version_num) FROM migrate.version")" "^c3c3c3c3c3c3,d4d4d4d4d4d4$"
expect "$(q "SELECT string_agg(revision || ':' || direction || ':' || array_to_string(from_heads, '+') || '>' ||
  array_to_string(to_heads, '+'), ' ' ORDER BY id) FROM migrate.journal")" \
  "^c3c3c3c3c3c3:stamp:>c3c3c3c3c3c3 d4d4d4d4d4d4:stamp:>d4d4d4d4d4d4$"
expect "$(q "SELECT count(DISTINCT txid) FROM migrate.journal")" "^1$"
expect_rc 0 "$PGM" --dsn "dbname=$db" current
expect "$out" "^c3c3c3c3c3c3
d4d4d4d4d4d4$"
# Again: nothing to do, nothing journaled.
expect_rc 0 "$PGM" --dsn "dbname=$db" stamp --from-alembic
expect "$err" "the database is at c3c3c3c3c3c3, d4d4d4d4d4d4 already, as alembic_version says"
expect "$(q "SELECT count(*) FROM migrate.journal")" "^2$"
expect_rc 0 "$PGM" --dsn "dbname=$db" check --db
expect "$out" "^ok: at c3c3c3c3c3c3, d4d4d4d4d4d4; 7 revisions behind versions \(e6e6e6e6e6e6, c5c5c5c5c5c5, m7m7m7m7m7m7, i8i8i8i8i8i8, 20260301_01_invoice_totals, \
f9f9f9f9f9f9, g0g0g0g0g0g0\)$"

# --- upgraded by pg_migrate (the concurrent index through CALL migrate.run()) ---
expect_rc 0 "$PGM" --dsn "dbname=$db" upgrade
expect "$err" "Running upgrade m7m7m7m7m7m7 -> i8i8i8i8i8i8, index users by email"
expect "$(q "SELECT string_agg(version_num, ',') FROM migrate.version")" "^g0g0g0g0g0g0$"
# ... and a fresh database, upgraded by pg_migrate from base.
new_db migrate_alembic_fresh
expect_rc 0 "$PGM" --dsn "dbname=migrate_alembic_fresh" upgrade

# Schema and data equal Alembic's, outside Alembic's and migrate's own tables.
dump() {
  pg_dump -d "$1" "${@:2}" --no-owner --no-privileges --exclude-schema=migrate --exclude-table=alembic_version |
    grep -Ev '^(--|SET |SELECT pg_catalog.set_config|\\(un)?restrict )' | grep .
}
dump migrate_alembic_ref -s >ref.schema
expect "$(cat ref.schema)" "CREATE UNIQUE INDEX ix_users_email ON public.users USING btree \(email\);"
expect "$(cat ref.schema)" "CREATE TYPE public.mood AS ENUM"
for d in migrate_alembic_mid migrate_alembic_fresh; do
  dump "$d" -s >"$d.schema"
  diff ref.schema "$d.schema"
  diff <(dump migrate_alembic_ref -a) <(dump "$d" -a)
done
expect "$(psql -X -At -d migrate_alembic_fresh -c "SELECT string_agg(status || ':' || cents, ',' ORDER BY id) FROM invoices")" \
  "^paid:1050,paid:2100,open:3150$"

# --- refusals of import-alembic: nothing is written ---
alembic_skeleton bad
alembic_rev bad aaaaaaaaaaaa_base.py <<'PY'
"""base"""
from alembic import op
revision = "aaaaaaaaaaaa"
down_revision = None
def upgrade():
    op.execute("CREATE TABLE t (id int)")
def downgrade():
    op.execute("DROP TABLE t")
PY
alembic_rev bad bbbbbbbbbbbb_count.py <<'PY'
"""reads a count"""
from alembic import op
import sqlalchemy as sa
revision = "bbbbbbbbbbbb"
down_revision = "aaaaaaaaaaaa"
def upgrade():
    n = op.get_bind().execute(sa.text("SELECT count(*) FROM t")).scalar()
    op.execute("UPDATE t SET id = %d" % n)
def downgrade():
    pass
PY
alembic_rev bad cccccccccccc_inspect.py <<'PY'
"""inspects"""
from alembic import op
import sqlalchemy as sa
revision = "cccccccccccc"
down_revision = "bbbbbbbbbbbb"
def upgrade():
    if "t" in sa.inspect(op.get_bind()).get_table_names():
        op.execute("DROP TABLE t")
def downgrade():
    if op.get_bind().execute(sa.text("SELECT 1 FROM t LIMIT 1")):
        op.execute("DELETE FROM t")
PY
alembic_rev bad dddddddddddd_commit.py <<'PY'
"""commits by hand"""
from alembic import op
revision = "dddddddddddd"
down_revision = "cccccccccccc"
def upgrade():
    op.execute("COMMIT")
    op.execute("CREATE INDEX CONCURRENTLY i ON t (id)")
def downgrade():
    op.execute("DROP INDEX i")
PY
expect_rc 1 "$PGM" --dir bad_versions import-alembic bad/alembic.ini
expect "$err" "bad/alembic/versions/bbbbbbbbbbbb_count.py: revision bbbbbbbbbbbb: upgrade\(\) cannot be rendered offline: \
the result of op.get_bind\(\).execute\(\) is used, and offline mode has no database to read it from \(at bbbbbbbbbbbb_count.py:7\)"
expect "$err" "bad/alembic/versions/cccccccccccc_inspect.py: revision cccccccccccc: upgrade\(\) cannot be rendered offline: \
it uses the database connection"
expect "$err" "revision cccccccccccc: downgrade\(\) cannot be rendered offline: the result of op.get_bind\(\).execute\(\) is used"
expect "$err" "revision dddddddddddd: upgrade\(\) cannot be rendered offline: transaction control \(COMMIT\)"
expect "$err" "error: 3 revisions cannot be imported: bbbbbbbbbbbb, cccccccccccc, dddddddddddd
DETAIL:  Each revision is rendered as alembic upgrade --sql renders it, without a database: .* Nothing was written.
HINT:  "
[ ! -e bad_versions ] || { echo "a refused import wrote files"; exit 1; }

# An id a revision file cannot hold.
alembic_skeleton dashed
alembic_rev dashed x.py <<'PY'
"""dashed"""
from alembic import op
revision = "v1.0"
down_revision = None
def upgrade():
    op.execute("SELECT 1")
PY
expect_rc 1 "$PGM" --dir dashed_versions import-alembic dashed/alembic.ini
expect "$err" "dashed/alembic/versions/x.py: revision v1.0 cannot be written as a revision file: invalid revision id"
expect "$err" "error: 1 revision cannot be imported: v1.0"
[ ! -e dashed_versions ] || { echo "a refused import wrote files"; exit 1; }

# Bad ini files.
expect_rc 1 "$PGM" --dir v import-alembic nowhere/alembic.ini
expect "$err" "^error: no Alembic configuration file \"nowhere/alembic.ini\""
mkdir -p noscript && printf '[alembic]\nsqlalchemy.url = postgresql:///app\n' >noscript/alembic.ini
expect_rc 1 "$PGM" --dir v import-alembic noscript/alembic.ini
expect "$err" "error: alembic.ini: CommandError: No 'script_location' key found in configuration."
mkdir -p garbled && printf 'script_location = x\n[alembic\n' >garbled/alembic.ini
expect_rc 1 "$PGM" --dir v import-alembic garbled/alembic.ini
expect "$err" "error: alembic.ini: MissingSectionHeaderError: File contains no section headers."
cp -r app sqlite && sed -i 's|^sqlalchemy.url = .*|sqlalchemy.url = sqlite:///app.db|' sqlite/alembic.ini
expect_rc 1 env -u DATABASE_URL "$PGM" --dir v import-alembic sqlite/alembic.ini
expect "$err" "error: env.py configures the sqlite dialect, not postgresql"
[ ! -e v ] || { echo "a refused import wrote files"; exit 1; }
# env.py's own version table: the next step names it.
cp -r app custom && sed -i 's|literal_binds=True,|literal_binds=True, version_table="app_version", version_table_schema="meta",|' \
  custom/alembic/env.py
cat >custom/alembic/versions/h1h1h1h1h1h1_fix_version.py <<'PY'
"""a hand-made fix of the version table"""
from alembic import op
revision = "h1h1h1h1h1h1"
down_revision = "g0g0g0g0g0g0"
def upgrade():
    op.execute("DELETE FROM meta.app_version WHERE version_num = 'x'")
def downgrade():
    pass
PY
expect_rc 0 "$PGM" --dir custom_versions import-alembic custom/alembic.ini
expect "$err" "WARNING:  revision h1h1h1h1h1h1: its own SQL mentions app_version, Alembic's version table, which pg_migrate does not use"
expect "$(cat custom_versions/h1h1h1h1h1h1_fix_version.sql)" "DELETE FROM meta.app_version WHERE version_num = 'x';"
expect "$err" "next: pg_migrate check; then, on each database Alembic manages: pg_migrate stamp --from-alembic --table meta.app_version"
# A missing Alembic: an interpreter without it, and no interpreter at all.
printf '#!/bin/sh\nexec /usr/bin/python3 -S "$@"\n' >python-without-site && chmod +x python-without-site
expect_rc 1 "$PGM" --dir v import-alembic --python ./python-without-site app/alembic.ini
expect "$err" "error: alembic is not importable by /usr/bin/python3: No module named 'alembic'
HINT:  Run pg_migrate import-alembic --python PATH with the interpreter of the project's virtualenv."
expect_rc 1 "$PGM" --dir v import-alembic --python /nonexistent/python3 app/alembic.ini
expect "$err" "error: cannot run the Python interpreter /nonexistent/python3: No such file or directory"
# A directory that holds files already; usage.
expect_rc 1 "$PGM" import-alembic app/alembic.ini
expect "$err" "^error: directory versions exists and is not empty"
expect_rc 2 "$PGM" import-alembic
expect_rc 2 "$PGM" import-alembic --bogus app/alembic.ini

# --- refusals of stamp --from-alembic: nothing changes ---
new_db migrate_alembic_stamp
db=migrate_alembic_stamp
export PGDATABASE=$db
expect_rc 1 "$PGM" stamp --from-alembic
expect "$err" "error: no table alembic_version in this database
HINT:  Name Alembic's version table with --table"
q "CREATE SCHEMA meta; CREATE TABLE meta.alembic_version (version_num varchar(32) PRIMARY KEY)"
q "INSERT INTO meta.alembic_version VALUES ('b2b2b2b2b2b2'), ('0123456789ab')"
expect_rc 1 "$PGM" stamp --from-alembic --table meta.alembic_version
expect "$err" "error: meta.alembic_version names revision 0123456789ab, which no file in versions defines"
q "DELETE FROM meta.alembic_version WHERE version_num = '0123456789ab'; INSERT INTO meta.alembic_version VALUES ('a1a1a1a1a1a1')"
expect_rc 1 "$PGM" stamp --from-alembic --table meta.alembic_version
expect "$err" "error: meta.alembic_version holds a1a1a1a1a1a1, b2b2b2b2b2b2, which cannot all be version rows at once
DETAIL:  Revision a1a1a1a1a1a1 is an ancestor of another row. Nothing was changed."
expect "$(q "SELECT count(*) FROM migrate.version") $(q "SELECT count(*) FROM migrate.journal") $(q "SELECT count(*) FROM migrate.revisions")" "^0 0 0$"
q "DELETE FROM meta.alembic_version WHERE version_num = 'a1a1a1a1a1a1'"
expect_rc 0 "$PGM" stamp --from-alembic --table meta.alembic_version
expect "$(q "SELECT string_agg(version_num, ',') FROM migrate.version")" "^b2b2b2b2b2b2$"
# From rows that differ: the old ones go (stamp base), journaled too.
q "UPDATE meta.alembic_version SET version_num = 'd4d4d4d4d4d4'"
expect_rc 0 "$PGM" stamp --from-alembic --table meta.alembic_version
expect "$(q "SELECT string_agg(version_num, ',') FROM migrate.version")" "^d4d4d4d4d4d4$"
expect "$(q "SELECT string_agg(array_to_string(from_heads, '+') || '>' || array_to_string(to_heads, '+'), ' ' ORDER BY id) FROM migrate.journal")" \
  "^>b2b2b2b2b2b2 b2b2b2b2b2b2> >d4d4d4d4d4d4$"
expect_rc 2 "$PGM" stamp --table meta.alembic_version head
expect_rc 2 "$PGM" stamp --from-alembic head
