# Sourced by the import-alembic shell tests: Alembic projects written as a
# user keeps one (alembic.ini, env.py as `alembic init` makes it, one script
# per revision), run with Debian's Alembic ($ALEMBIC) and /usr/bin/python3.
ALEMBIC_PYTHON=${ALEMBIC_PYTHON:-/usr/bin/python3}
ALEMBIC="$ALEMBIC_PYTHON -m alembic"

# alembic_skeleton DIR: alembic.ini and env.py; the database URL comes from
# $DATABASE_URL as many projects do it (offline mode only needs the dialect).
alembic_skeleton() {
  local dir=$1
  mkdir -p "$dir/alembic/versions"
  cat >"$dir/alembic.ini" <<'INI'
[alembic]
script_location = alembic
prepend_sys_path = .
sqlalchemy.url = postgresql:///app

[loggers]
keys = root,sqlalchemy,alembic

[handlers]
keys = console

[formatters]
keys = generic

[logger_root]
level = WARN
handlers = console
qualname =

[logger_sqlalchemy]
level = WARN
handlers =
qualname = sqlalchemy.engine

[logger_alembic]
level = INFO
handlers =
qualname = alembic

[handler_console]
class = StreamHandler
args = (sys.stderr,)
level = NOTSET
formatter = generic

[formatter_generic]
format = %(levelname)-5.5s [%(name)s] %(message)s
INI
  cat >"$dir/alembic/env.py" <<'PY'
import os
from logging.config import fileConfig

from alembic import context
from sqlalchemy import engine_from_config, pool

config = context.config
if config.config_file_name is not None:
    fileConfig(config.config_file_name)
if os.environ.get("DATABASE_URL"):
    config.set_main_option("sqlalchemy.url", os.environ["DATABASE_URL"])
target_metadata = None


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connectable = engine_from_config(
        config.get_section(config.config_ini_section), prefix="sqlalchemy.", poolclass=pool.NullPool
    )
    with connectable.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata, transaction_per_migration=True)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
PY
}

# alembic_rev DIR FILE <<'PY' ... PY: one revision script.
alembic_rev() { cat >"$1/alembic/versions/$2"; }

# The project the tests import: two branches from b2 (c3 labelled billing,
# d4), e6 depending on the billing branch, merged by m7, a concurrent index
# in autocommit_block (i8), a data UPDATE, an enum, bulk_insert, an
# irreversible revision, one whose downgrade runs nothing (f9) and one that
# runs nothing at all (g0).
#
#   a1 - b2 - c3 (billing) - c5 ------- m7 - i8 - 20260301_01_totals - f9 - g0
#          \                            /
#           d4 ------------- e6 (depends on billing)
alembic_project() {
  local dir=$1
  alembic_skeleton "$dir"
  alembic_rev "$dir" a1a1a1a1a1a1_create_users.py <<'PY'
"""create users

Revision ID: a1a1a1a1a1a1
Revises:
Create Date: 2026-01-05 10:00:00
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = "a1a1a1a1a1a1"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    users = op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(50), nullable=False),
        sa.Column("mood", sa.Enum("happy", "sad", name="mood"), nullable=True),
    )
    op.bulk_insert(users, [
        {"id": 1, "name": "Ada", "mood": "happy"},
        {"id": 2, "name": "O'Brien", "mood": "sad"},
        {"id": 3, "name": "Zoë", "mood": None},
    ])


def downgrade():
    op.drop_table("users")
    postgresql.ENUM(name="mood").drop(op.get_bind())
PY
  alembic_rev "$dir" b2b2b2b2b2b2_add_email.py <<'PY'
"""add email

Revision ID: b2b2b2b2b2b2
Revises: a1a1a1a1a1a1
"""
from alembic import op
import sqlalchemy as sa

revision = "b2b2b2b2b2b2"
down_revision = "a1a1a1a1a1a1"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("users", sa.Column("email", sa.String(200)))
    op.execute("UPDATE users SET email = lower(replace(name, '''', '')) || '@example.com'")


def downgrade():
    op.drop_column("users", "email")
PY
  alembic_rev "$dir" c3c3c3c3c3c3_create_invoices.py <<'PY'
"""create invoices

Revision ID: c3c3c3c3c3c3
Revises: b2b2b2b2b2b2
"""
from alembic import op
import sqlalchemy as sa

revision = "c3c3c3c3c3c3"
down_revision = "b2b2b2b2b2b2"
branch_labels = ("billing",)
depends_on = None


def upgrade():
    op.create_table(
        "invoices",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("amount", sa.Numeric(10, 2), nullable=False),
    )
    op.execute("INSERT INTO invoices (user_id, amount) SELECT id, id * 10.5 FROM users")


def downgrade():
    op.drop_table("invoices")
PY
  alembic_rev "$dir" d4d4d4d4d4d4_create_audit_log.py <<'PY'
"""create audit log

Revision ID: d4d4d4d4d4d4
Revises: b2b2b2b2b2b2
"""
from alembic import op
import sqlalchemy as sa

revision = "d4d4d4d4d4d4"
down_revision = "b2b2b2b2b2b2"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "audit_log",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("user_id", sa.Integer, nullable=False),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    )


def downgrade():
    op.drop_table("audit_log")
PY
  alembic_rev "$dir" c5c5c5c5c5c5_invoice_status.py <<'PY'
"""invoice status

Revision ID: c5c5c5c5c5c5
Revises: c3c3c3c3c3c3
"""
from alembic import op
import sqlalchemy as sa

revision = "c5c5c5c5c5c5"
down_revision = "c3c3c3c3c3c3"
branch_labels = None
depends_on = None

invoices = sa.table("invoices", sa.column("id", sa.Integer), sa.column("status", sa.String))


def upgrade():
    op.add_column("invoices", sa.Column("status", sa.String(20), server_default="open", nullable=False))
    op.execute(invoices.update().where(invoices.c.id <= 2).values(status="paid"))


def downgrade():
    op.drop_column("invoices", "status")
PY
  alembic_rev "$dir" e6e6e6e6e6e6_audit_invoices.py <<'PY'
"""audit invoices

Revision ID: e6e6e6e6e6e6
Revises: d4d4d4d4d4d4
"""
from alembic import op
import sqlalchemy as sa

revision = "e6e6e6e6e6e6"
down_revision = "d4d4d4d4d4d4"
branch_labels = None
depends_on = "billing"


def upgrade():
    op.add_column("audit_log", sa.Column("invoice_id", sa.Integer, sa.ForeignKey("invoices.id")))


def downgrade():
    op.drop_column("audit_log", "invoice_id")
PY
  alembic_rev "$dir" m7m7m7m7m7m7_merge.py <<'PY'
"""merge billing and audit

Revision ID: m7m7m7m7m7m7
Revises: c5c5c5c5c5c5, e6e6e6e6e6e6
"""
revision = "m7m7m7m7m7m7"
down_revision = ("c5c5c5c5c5c5", "e6e6e6e6e6e6")
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
PY
  alembic_rev "$dir" i8i8i8i8i8i8_index_email.py <<'PY'
"""index users by email

Revision ID: i8i8i8i8i8i8
Revises: m7m7m7m7m7m7
"""
from alembic import op

revision = "i8i8i8i8i8i8"
down_revision = "m7m7m7m7m7m7"
branch_labels = None
depends_on = None


def upgrade():
    with op.get_context().autocommit_block():
        op.create_index("ix_users_email", "users", ["email"], unique=True, postgresql_concurrently=True)


def downgrade():
    with op.get_context().autocommit_block():
        op.drop_index("ix_users_email", table_name="users", postgresql_concurrently=True)
PY
  alembic_rev "$dir" 20260301_01_invoice_totals.py <<'PY'
"""invoice totals in cents

Revision ID: 20260301_01_invoice_totals
Revises: i8i8i8i8i8i8
"""
from alembic import op
import sqlalchemy as sa

revision = "20260301_01_invoice_totals"
down_revision = "i8i8i8i8i8i8"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("invoices", sa.Column("cents", sa.BigInteger))
    op.execute("UPDATE invoices SET cents = (amount * 100)::bigint")
    op.alter_column("invoices", "cents", nullable=False)


def downgrade():
    raise NotImplementedError("cents cannot be turned back into amounts")
PY
  alembic_rev "$dir" f9f9f9f9f9f9_audit_note.py <<'PY'
"""audit note

Revision ID: f9f9f9f9f9f9
Revises: 20260301_01_invoice_totals
"""
from alembic import op
import sqlalchemy as sa

revision = "f9f9f9f9f9f9"
down_revision = "20260301_01_invoice_totals"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("audit_log", sa.Column("note", sa.Text))


def downgrade():
    pass
PY
  alembic_rev "$dir" g0g0g0g0g0g0_placeholder.py <<'PY'
"""placeholder

Revision ID: g0g0g0g0g0g0
Revises: f9f9f9f9f9f9
"""
revision = "g0g0g0g0g0g0"
down_revision = "f9f9f9f9f9f9"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
PY
}
