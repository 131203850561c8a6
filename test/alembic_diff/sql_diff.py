#!/usr/bin/python3
"""Differential test of the SQL API against Alembic 1.8 on a real database.

Random revision graphs (core_diff.py's generator: several bases, branches,
merges, branch labels, depends_on, ids sharing prefixes) and random
upgrade/downgrade/stamp command sequences are run through two
implementations, each on its own database of the same cluster
(sql_diff_alembic and sql_diff_migrate: created once per run, emptied for
each graph, dropped at the end):

- the reference: Debian's Alembic 1.8.1, in-process, on a real script
  directory (env.py + one file per revision) written to a temporary
  directory, through alembic.command.upgrade / downgrade / stamp, with one
  transaction per command (transaction_per_migration=False);
- ours: the migrate extension, every revision registered through
  migrate.revision(), commands through migrate.upgrade() / downgrade() /
  stamp(), one transaction per command.

Every revision's upgrade runs `INSERT INTO applied VALUES ('<id>')` and its
downgrade `DELETE FROM applied WHERE revision = '<id>'`. After every command
the two databases are compared on: whether the command failed, the version
rows (alembic_version vs migrate.version), the applied set (the rows of
`applied`), and what `alembic current` prints (ScriptDirectory.get_all_current)
vs migrate.current(). When Alembic's HeadMaintainer crashes on a merge with a
redundant parent, the command is run again with core_diff.py's repair. A mismatch ends the graph (the states may have diverged).

Runs inside the cluster given by the libpq environment (PGHOST, PGPORT,
PGUSER, PGPASSWORD, PGDATABASE), e.g. from pg_virtualenv, with Debian's
interpreter (python3-alembic, python3-psycopg2):

    pg_virtualenv /usr/bin/python3 test/alembic_diff/sql_diff.py --seed 1

See test/alembic_diff/README.md ("SQL-level test") for the options.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

# core_diff.py holds the graph and target generator, and pins PYTHONHASHSEED
# (Alembic's step order for some depends_on graphs follows the order of Python
# sets of strings; see README.md, "Set order") so that a seed replays exactly.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import core_diff as gen  # noqa: E402

if __name__ == "__main__":
    gen._pin_hash_seed(sys.argv)

sys.dont_write_bytecode = True  # revision files are rewritten per graph: no stale .pyc

try:
    import psycopg2
    import psycopg2.extensions
except ImportError as exc:  # pragma: no cover - environment problem
    sys.stderr.write("sql_diff: cannot import psycopg2 (%s); install python3-psycopg2 and run "
                     "with /usr/bin/python3\n" % exc)
    sys.exit(2)
try:
    import sqlalchemy as sa
    import alembic
    from alembic import command as alembic_command
    from alembic.config import Config
    from alembic.script.base import Script, ScriptDirectory
except ImportError as exc:  # pragma: no cover - environment problem
    sys.stderr.write("sql_diff: cannot import alembic (%s); run it with /usr/bin/python3, "
                     "Debian's interpreter with python3-alembic\n" % exc)
    sys.exit(2)

Rev = gen.Rev
Command = gen.Command

ALEMBIC_DB = "sql_diff_alembic"
MIGRATE_DB = "sql_diff_migrate"
OTHER_HASH_SEED_DB = "sql_diff_alembic_h%s"  # --alembic-replay workers
KINDS = ("upgrade", "downgrade", "stamp")
KIND_WEIGHTS = (45, 35, 20)  # as core_diff.py


class SetupError(Exception):
    """The harness cannot run (exit 2): no cluster, no extension, ..."""


# ---------------------------------------------------------------------------
# Alembic 1.8.1 reads versions/ in os.listdir() order, which on ext4 is hash
# order: the RevisionMap's order, which breaks ties in its topological sort,
# would then be arbitrary. Later Alembic releases sort the file names. By
# default the harness does the same (files are named 0001_<id>.py, ...), so
# that the map order is the registration order, the order migrate uses.
# --native-listdir keeps 1.8.1's own order.
_native_list_py_dir = Script._list_py_dir.__func__


def _sorted_list_py_dir(cls, scriptdir, path):
    return sorted(_native_list_py_dir(cls, scriptdir, path))


def use_sorted_listdir(on: bool) -> None:
    Script._list_py_dir = classmethod(_sorted_list_py_dir if on else _native_list_py_dir)


# ---------------------------------------------------------------------------
# What both sides run
# ---------------------------------------------------------------------------


def upgrade_sql(rid: str) -> str:
    return "INSERT INTO applied VALUES ('%s')" % rid


def downgrade_sql(rid: str) -> str:
    return "DELETE FROM applied WHERE revision = '%s'" % rid


@dataclass
class Outcome:
    """One side's answer to one command, and its state afterwards."""

    failed: bool
    error: str = ""
    steps: List[str] = field(default_factory=list)  # "up:x" / "down:x" / "stamp"
    rows: List[str] = field(default_factory=list)  # version rows, sorted
    applied: List[str] = field(default_factory=list)  # `applied`, sorted
    current: List[str] = field(default_factory=list)  # `alembic current` / migrate.current(), sorted
    repaired: str = ""  # Alembic only: the HeadMaintainer crash this outcome repaired (core_diff.py)

    def line(self) -> str:
        head = ("failed: " + self.error) if self.failed else ("ok " + (";".join(self.steps) or "-"))
        return "%s | rows %s | applied %s | current %s" % (
            head, ",".join(self.rows) or "-", ",".join(self.applied) or "-", ",".join(self.current) or "-")


def _first_line(text: str, limit: int = 300) -> str:
    return (text.strip().splitlines() or [""])[0][:limit]


def pg_connect(dbname: Optional[str] = None, autocommit: bool = False):
    """A psycopg2 connection from the libpq environment (PGHOST, ...)."""
    kwargs = {"dbname": dbname} if dbname else {}
    conn = psycopg2.connect(**kwargs)
    conn.autocommit = autocommit
    return conn


CREATEDB_OPTIONS = ""  # --createdb-options


def recreate_database(admin, name: str) -> None:
    with admin.cursor() as cur:
        cur.execute("DROP DATABASE IF EXISTS %s WITH (FORCE)" % name)
        try:
            cur.execute("CREATE DATABASE %s %s" % (name, CREATEDB_OPTIONS))
        except psycopg2.Error as exc:
            raise SetupError("CREATE DATABASE %s %s failed: %s" % (name, CREATEDB_OPTIONS,
                                                                   _first_line(str(exc)))) from exc


def read_sorted(cur, sql: str) -> List[str]:
    cur.execute(sql)
    return sorted(r[0] for r in cur.fetchall())


# ---------------------------------------------------------------------------
# The reference: Alembic on a script directory
# ---------------------------------------------------------------------------

ENV_PY = '''\
# env.py written by sql_diff.py: online, on the connection the harness
# passes, one transaction for the whole command.
from alembic import context

config = context.config
context.configure(
    connection=config.attributes["connection"],
    target_metadata=None,
    transaction_per_migration=False,
    on_version_apply=config.attributes["on_version_apply"],
)
with context.begin_transaction():
    context.run_migrations()
'''

REVISION_PY = '''\
"""{rid}"""
from alembic import op

revision = {rid!r}
down_revision = {down!r}
branch_labels = {labels!r}
depends_on = {deps!r}


def upgrade():
    op.execute({up!r})


def downgrade():
    op.execute({down_sql!r})
'''


def write_script_directory(path: Path, graph: Sequence[Rev]) -> None:
    (path / "versions").mkdir(parents=True)
    (path / "env.py").write_text(ENV_PY)
    for i, r in enumerate(graph):
        down = None if not r.down else r.down[0] if len(r.down) == 1 else tuple(r.down)
        (path / "versions" / ("%04d_%s.py" % (i + 1, r.id))).write_text(REVISION_PY.format(
            rid=r.id, down=down, labels=tuple(r.labels) or None, deps=tuple(r.deps) or None,
            up=upgrade_sql(r.id), down_sql=downgrade_sql(r.id)))


class AlembicSide:
    """A fresh database and script directory for one graph."""

    def __init__(self, graph: Sequence[Rev], workdir: Path, row_order: str, dbname: str) -> None:
        self.row_order = row_order
        self.scripts = workdir / "alembic"
        write_script_directory(self.scripts, graph)
        self.cfg = Config()
        self.cfg.set_main_option("script_location", str(self.scripts))
        self.steps: List[str] = []
        self.script: Optional[ScriptDirectory] = None
        self.cfg.attributes["on_version_apply"] = self._on_version_apply
        # SQLAlchemy reaches the same cluster through libpq's environment.
        self.engine = sa.create_engine("postgresql+psycopg2://", connect_args={"dbname": dbname})
        self.observer = pg_connect(dbname, autocommit=True)  # the harness's own reads
        with self.observer.cursor() as cur:  # what the previous graph left
            cur.execute("DROP TABLE IF EXISTS applied, alembic_version")
            cur.execute("CREATE TABLE applied (revision text PRIMARY KEY)")

    def _on_version_apply(self, ctx, step, heads, run_args) -> None:
        if step.is_stamp:
            self.steps.append("stamp")
        else:
            # MigrationInfo.up_revision_ids: the revision the step runs,
            # in either direction.
            self.steps.append(("up:" if step.is_upgrade else "down:") + ",".join(step.up_revision_ids))

    def _version_rows_in_table_order(self, cur) -> List[str]:
        cur.execute("SELECT to_regclass('alembic_version') IS NOT NULL")
        if not cur.fetchone()[0]:
            return []
        cur.execute("SELECT version_num FROM alembic_version")  # what get_current_heads() reads
        return [r[0] for r in cur.fetchall()]

    def _sort_version_rows(self) -> None:
        """Alembic takes the version rows in the table's physical order
        (`downgrade -1` with several rows starts from the first one). With
        --row-order sorted (the default) they are rewritten in sorted order
        before each command, the order migrate reads its version rows in and the one
        core_diff.py feeds Alembic."""
        with self.observer.cursor() as cur:
            rows = self._version_rows_in_table_order(cur)
            if rows == sorted(rows):
                return
            cur.execute("BEGIN")
            cur.execute("TRUNCATE alembic_version")
            for r in sorted(rows):
                cur.execute("INSERT INTO alembic_version (version_num) VALUES (%s)", (r,))
            cur.execute("COMMIT")
            if self._version_rows_in_table_order(cur) != sorted(rows):
                raise SetupError("could not put alembic_version in sorted order")

    def _command(self, cmd: Command) -> Optional[BaseException]:
        """One command in one transaction; the exception if it failed."""
        self.steps = []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. "downgrade -1 is ambiguous" with several rows
            with self.engine.connect() as conn:
                self.cfg.attributes["connection"] = conn
                try:
                    if cmd.kind == "upgrade":
                        alembic_command.upgrade(self.cfg, cmd.targets[0])
                    elif cmd.kind == "downgrade":
                        alembic_command.downgrade(self.cfg, cmd.targets[0])
                    else:
                        alembic_command.stamp(self.cfg, list(cmd.targets))
                except Exception as exc:  # noqa: BLE001 - any failure is an answer
                    return exc
                finally:
                    self.cfg.attributes["connection"] = None
        return None

    def run(self, cmd: Command) -> Outcome:
        if self.row_order == "sorted":
            self._sort_version_rows()
        exc = self._command(cmd)
        repaired = ""
        if exc is not None and gen.crashed_in_head_maintainer(exc):
            # Rolled back; again with the redundant-parent repair (core_diff.py).
            with gen.repaired_head_maintainer():
                if self._command(cmd) is None:
                    repaired = "%s: %s" % (type(exc).__name__, _first_line(str(exc)))
                    exc = None
        failed, error = exc is not None, "" if exc is None else "%s: %s" % (type(exc).__name__, _first_line(str(exc)))
        with self.observer.cursor() as cur:
            rows = sorted(self._version_rows_in_table_order(cur))
            applied = read_sorted(cur, "SELECT revision FROM applied")
        # `alembic current`: ScriptDirectory.get_all_current of the rows (the
        # scripts are loaded once per graph: they do not change).
        if self.script is None:
            self.script = ScriptDirectory.from_config(self.cfg)
        current = sorted(sc.revision for sc in self.script.get_all_current(tuple(rows)))
        return Outcome(failed, error, [] if failed else list(self.steps), rows, applied, current, repaired)

    def close(self) -> None:
        self.engine.dispose()
        self.observer.close()


# ---------------------------------------------------------------------------
# Ours: the migrate extension
# ---------------------------------------------------------------------------


class RegistrationRefused(Exception):
    pass


class BackendLost(Exception):
    """The server closed migrate's connection (a crash?): the run stops."""


class MigrateSide:
    """A fresh database with the extension and the graph registered."""

    FUNCTIONS = {"upgrade": "migrate.upgrade", "downgrade": "migrate.downgrade", "stamp": "migrate.stamp"}

    def __init__(self, graph: Sequence[Rev], dbname: str) -> None:
        # A new session (no graph cached in the backend), on a database
        # emptied of what the previous graph left.
        self.conn = pg_connect(dbname)
        with self.conn.cursor() as cur:
            cur.execute("DROP EXTENSION IF EXISTS migrate CASCADE")
            cur.execute("DROP SCHEMA IF EXISTS migrate CASCADE")
            cur.execute("DROP TABLE IF EXISTS applied")
            cur.execute("CREATE TABLE applied (revision text PRIMARY KEY)")
            try:
                cur.execute("CREATE EXTENSION migrate")
            except psycopg2.Error as exc:
                raise SetupError("CREATE EXTENSION migrate failed: %s" % _first_line(str(exc))) from exc
        self.conn.commit()
        with self.conn.cursor() as cur:
            try:
                for r in graph:
                    cur.execute(
                        "SELECT migrate.revision(%s, %s::text[], %s, %s, %s, %s::text[], %s::text[])",
                        (r.id, list(r.down), upgrade_sql(r.id), downgrade_sql(r.id), "revision " + r.id,
                         list(r.labels), list(r.deps)))
                self.conn.commit()
            except psycopg2.Error as exc:
                self.conn.rollback()
                raise RegistrationRefused("%s %s" % (exc.pgcode, _first_line(str(exc)))) from exc

    def run(self, cmd: Command) -> Outcome:
        assert len(cmd.targets) == 1, "migrate.stamp() takes one target"
        failed, error, steps = False, "", []
        del self.conn.notices[:]
        with self.conn.cursor() as cur:
            try:
                if cmd.kind == "stamp":
                    cur.execute("SELECT count(*) FROM migrate.stamp(%s)", (cmd.targets[0],))
                    steps = ["stamp"] * sum(1 for n in self.conn.notices if "stamp_revision" in n)
                else:
                    cur.execute("SELECT revision, direction FROM %s(%%s)" % self.FUNCTIONS[cmd.kind],
                                (cmd.targets[0],))
                    steps = [("up:" if d == "upgrade" else "down:") + r for r, d in cur.fetchall()]
                self.conn.commit()
            except psycopg2.Error as exc:
                if self.conn.closed:  # the backend went away: not an answer
                    raise BackendLost("migrate's connection broke during %s %s: %s" % (
                        cmd.kind, cmd.targets[0], _first_line(str(exc)))) from exc
                self.conn.rollback()
                failed, error = True, "%s %s" % (exc.pgcode, _first_line(str(exc)))
            rows = read_sorted(cur, "SELECT version_num FROM migrate.version")
            applied = read_sorted(cur, "SELECT revision FROM applied")
            current = read_sorted(cur, "SELECT * FROM migrate.current()")
            self.conn.commit()
        return Outcome(failed, error, steps, rows, applied, current)

    def close(self) -> None:
        self.conn.close()


# ---------------------------------------------------------------------------
# Cases
# ---------------------------------------------------------------------------


def make_command(rng: random.Random, graph: Sequence[Rev], current: Sequence[str]) -> Command:
    """core_diff.py's targets, one per command: migrate.stamp() takes a single
    target (Alembic's `stamp a b` has no SQL counterpart)."""
    kind = rng.choices(KINDS, KIND_WEIGHTS)[0]
    return Command(kind, [gen.make_target(rng, graph, current, kind)])


def case_text(graph: Sequence[Rev], commands: Sequence[Command]) -> str:
    """A replayable case: core_diff's `rev` lines, then one command per line."""
    revs = gen.case_text(graph, [], Command("upgrade", ["head"])).splitlines()[:-2]
    return "\n".join(revs + ["%s %s" % (c.kind, c.targets[0]) for c in commands]) + "\n"


def parse_case(text: str) -> Tuple[List[Rev], List[Command]]:
    graph: List[Rev] = []
    commands: List[Command] = []
    lst = lambda f: () if f == "-" else tuple(f.split(","))  # noqa: E731
    for line in text.splitlines():
        kind, _, rest = line.strip().partition(" ")
        if kind == "rev":
            rid, down, deps, labels = rest.split(" ")
            graph.append(Rev(rid, lst(down), lst(deps), lst(labels)))
        elif kind in KINDS:
            commands.append(Command(kind, [rest.strip()]))
        elif kind and not kind.startswith("#"):
            raise ValueError("unknown line: %r" % line)
    return graph, commands


def _sql_literal(value) -> str:
    if isinstance(value, (list, tuple)):
        return "'{%s}'" % ",".join(value)
    return "'%s'" % str(value).replace("'", "''")


def psql_script(graph: Sequence[Rev], commands: Sequence[Command]) -> str:
    """The migrate side of a case, for psql in an empty database."""
    out = ["-- psql -v ON_ERROR_STOP=0 -f this_file  (in an empty database)",
           "CREATE TABLE applied (revision text PRIMARY KEY);", "CREATE EXTENSION migrate;"]
    for r in graph:
        out.append("SELECT migrate.revision(%s, %s, %s, %s, branch_labels => %s, depends_on => %s);" % (
            _sql_literal(r.id), _sql_literal(r.down), _sql_literal(upgrade_sql(r.id)),
            _sql_literal(downgrade_sql(r.id)), _sql_literal(r.labels), _sql_literal(r.deps)))
    for c in commands:
        out.append("SELECT * FROM migrate.%s(%s);" % (c.kind, _sql_literal(c.targets[0])))
        out.append("TABLE migrate.version; SELECT * FROM migrate.current(); SELECT * FROM applied ORDER BY 1;")
    return "\n".join(out) + "\n"


def compare(a: Outcome, m: Outcome) -> Optional[str]:
    """None when both sides agree, else what differs."""
    if a.failed != m.failed:
        return "alembic failed, migrate succeeded" if a.failed else "alembic succeeded, migrate failed"
    diffs = []
    if a.rows != m.rows:
        diffs.append("version rows differ")
    if a.applied != m.applied:
        diffs.append("applied sets differ")
    if a.current != m.current:
        diffs.append("current differs")
    return ", ".join(diffs) or None


# ---------------------------------------------------------------------------
# The run
# ---------------------------------------------------------------------------


@dataclass
class Tally:
    passed: int = 0
    failed: int = 0
    shown: int = 0
    counts: Dict[str, int] = field(default_factory=dict)

    def count(self, key: str, n: int = 1) -> None:
        self.counts[key] = self.counts.get(key, 0) + n


class Runner:
    def __init__(self, args, databases: Sequence[str] = (ALEMBIC_DB, MIGRATE_DB)) -> None:
        self.args = args
        self.databases = list(databases)
        self.tally = Tally()
        try:
            self.admin = pg_connect(autocommit=True)
        except psycopg2.Error as exc:
            raise SetupError("cannot connect with the libpq environment (PGHOST=%s PGPORT=%s PGUSER=%s "
                             "PGDATABASE=%s): %s" % tuple([os.environ.get(v) for v in (
                                 "PGHOST", "PGPORT", "PGUSER", "PGDATABASE")] + [_first_line(str(exc))]))
        for name in self.databases:  # once per run; each graph empties them
            recreate_database(self.admin, name)
        self.workroot = Path(tempfile.mkdtemp(prefix="sql_diff."))
        self.last: Tuple[str, Sequence[Rev], List[Command]] = ("", [], [])  # the graph running

    def close(self) -> None:
        try:
            with self.admin.cursor() as cur:
                for name in self.databases:
                    cur.execute("DROP DATABASE IF EXISTS %s WITH (FORCE)" % name)
        except psycopg2.Error as exc:  # e.g. after a server crash: the cluster is thrown away anyway
            sys.stderr.write("sql_diff: could not drop the test databases: %s\n" % _first_line(str(exc)))
        self.admin.close()
        shutil.rmtree(self.workroot, ignore_errors=True)

    def run_graph(self, name: str, graph: Sequence[Rev], commands, verbose: bool,
                  row_order: Optional[str] = None) -> Optional[dict]:
        """Run one graph: `commands` is a list, or a callable (rng-driven)
        taking the current rows and returning the next command. Returns the
        mismatch, if any (the graph stops there). self.outcomes: both
        sides' outcome per command."""
        workdir = self.workroot / name
        alembic_side = migrate_side = None
        done: List[Command] = []
        self.outcomes: List[Tuple[Outcome, Outcome]] = []
        row_order = row_order or self.args.row_order
        try:
            alembic_side = AlembicSide(graph, workdir, row_order, ALEMBIC_DB)
            try:
                migrate_side = MigrateSide(graph, MIGRATE_DB)
            except RegistrationRefused as exc:
                return {"name": name, "why": "migrate refused the graph: %s" % exc,
                        "graph": graph, "commands": []}
            current: List[str] = []
            self.last = (name, graph, done)
            count = len(commands) if isinstance(commands, list) else self.args.commands
            for c in range(count):
                cmd = commands[c] if isinstance(commands, list) else commands(current)
                done.append(cmd)
                ours = migrate_side.run(cmd)
                ref = alembic_side.run(cmd)
                why = compare(ref, ours)
                self.outcomes.append((ref, ours))
                if ref.failed and ours.failed:
                    # 23505: an upgrade that applies a revision again (after a
                    # stamp); the others are refusals before anything runs
                    self.tally.count("%s: both failed (migrate: %s)" % (cmd.kind, ours.error.split(" ")[0]))
                elif not ref.failed and not ours.failed:
                    self.tally.count("%s: both succeeded" % cmd.kind)
                if ref.repaired:
                    self.tally.count("%s: alembic ok once its redundant-parent crash is repaired" % cmd.kind)
                if why is None and not ref.failed and cmd.kind != "stamp" and ref.steps != ours.steps:
                    # Not a failure: core_diff.py compares steps, and Alembic's
                    # order for some depends_on graphs follows PYTHONHASHSEED.
                    self.tally.count("(step order differs, same result)")
                if verbose:
                    print("%s_c%d %s %s\n    alembic: %s\n    migrate: %s%s" % (
                        name, c, cmd.kind, cmd.targets[0], ref.line(), ours.line(),
                        "" if why is None else "\n    <-- differs: " + why))
                if why is None:
                    self.tally.passed += 1
                    current = ref.rows
                    continue
                others = self.other_hash_seeds(name, graph, done, row_order)
                for seed, alts in others:
                    if len(alts) == len(done) and all(
                            compare(alt, m) is None for alt, (_, m) in zip(alts, self.outcomes)):
                        # Alembic's own answer depends on PYTHONHASHSEED and
                        # ours is one of them. Alembic's state (hash seed
                        # 0) and ours now differ: the graph ends here.
                        self.tally.passed += 1
                        self.tally.count("matched only under another PYTHONHASHSEED (graph ended there)")
                        if verbose:
                            print("    (migrate matches Alembic under PYTHONHASHSEED=%s: not a mismatch)" % seed)
                        return None
                return {"name": name, "why": why, "graph": graph, "commands": done,
                        "alembic": ref, "migrate": ours, "others": others}
            return None
        finally:
            if alembic_side:
                alembic_side.close()
            if migrate_side:
                migrate_side.close()
            shutil.rmtree(workdir, ignore_errors=True)

    def other_hash_seeds(self, name: str, graph: Sequence[Rev], commands: Sequence[Command],
                         row_order: str) -> List[Tuple[str, List[Outcome]]]:
        """Alembic's outcomes for the same commands under other PYTHONHASHSEED
        values: one worker process per seed (`--alembic-replay`), each on its
        own database, run two at a time."""
        k = self.args.other_hash_seeds
        if not k:
            return []
        main_seed = os.environ.get("PYTHONHASHSEED")
        seeds = [str(i) for i in range(0, k + 2) if str(i) != main_seed][:k]
        path = self.workroot / (name + ".case")
        path.write_text(case_text(graph, commands))
        base = [sys.executable, os.path.abspath(__file__), "--alembic-replay", str(path),
                "--row-order", row_order, "--createdb-options", self.args.createdb_options]
        if self.args.native_listdir:
            base.append("--native-listdir")
        results: List[Tuple[str, List[Outcome]]] = []
        for i in range(0, len(seeds), 2):
            procs = [(seed, subprocess.Popen(base + ["--hash-seed", seed], stdout=subprocess.PIPE, text=True,
                                             env=dict(os.environ, PYTHONHASHSEED=seed)))
                     for seed in seeds[i:i + 2]]
            for seed, proc in procs:
                out, _ = proc.communicate()
                if proc.returncode != 0:
                    raise SetupError("the --alembic-replay worker (PYTHONHASHSEED=%s) failed" % seed)
                results.append((seed, [Outcome(**o) for o in json.loads(out.strip().splitlines()[-1])]))
        return results

    def report(self, mismatch: dict) -> None:
        t = self.tally
        t.failed += 1
        t.count("mismatch: " + mismatch["why"].split(":")[0])
        text = case_text(mismatch["graph"], mismatch["commands"])
        if self.args.save_dir:
            d = Path(self.args.save_dir)
            d.mkdir(parents=True, exist_ok=True)
            (d / (mismatch["name"] + ".case")).write_text(text)
            (d / (mismatch["name"] + ".sql")).write_text(psql_script(mismatch["graph"], mismatch["commands"]))
        if self.args.max_show and t.shown >= self.args.max_show:
            return
        t.shown += 1
        print("=== MISMATCH %s: %s" % (mismatch["name"], mismatch["why"]))
        print("--- case (graph, then the commands from an empty database; the last one mismatched)")
        sys.stdout.write(text)
        if "alembic" in mismatch:
            print("--- alembic: " + mismatch["alembic"].line())
            seen = {mismatch["alembic"].line()}
            for seed, alts in mismatch.get("others", []):
                last = alts[-1].line() if len(alts) == len(mismatch["commands"]) else "(diverged earlier)"
                if last not in seen:
                    seen.add(last)
                    print("--- alembic with PYTHONHASHSEED=%s: %s" % (seed, last))
            print("--- migrate: " + mismatch["migrate"].line())
        print()


def run_diff(args) -> int:
    runner = Runner(args)
    started = time.monotonic()
    graph_stats: Dict[str, int] = {}
    try:
        for g in range(args.graphs):
            # One generator per graph, seeded from (seed, graph): a mismatch
            # that ends a graph early does not change the graphs after it.
            rng = random.Random("sql_diff %d %d" % (args.seed, g))
            graph = gen.make_accepted_graph(rng, graph_stats)
            runner.tally.count("graphs")
            runner.tally.count("revisions", len(graph))
            mismatch = runner.run_graph("seed%d_g%d" % (args.seed, g), graph,
                                        lambda current: make_command(rng, graph, current), args.verbose)
            if mismatch:
                runner.report(mismatch)
    except BackendLost as exc:
        name, graph, done = runner.last
        runner.report({"name": name, "why": str(exc), "graph": graph, "commands": done})
        print("sql_diff: the server lost migrate's connection; stopping the run")
    finally:
        runner.close()
    t = runner.tally
    print("--- summary (seed %d, %d graphs x up to %d commands, PYTHONHASHSEED=%s, alembic %s, "
          "sqlalchemy %s, row order %s, %s listdir, %.1f s)" % (
              args.seed, args.graphs, args.commands, os.environ.get("PYTHONHASHSEED"), alembic.__version__,
              sa.__version__, args.row_order, "native" if args.native_listdir else "sorted",
              time.monotonic() - started))
    return gen.print_summary("sql_diff", graph_stats, t)


def run_replay(args) -> int:
    """--replay FILE: run one saved case, one line per command."""
    graph, commands = parse_case(Path(args.replay).read_text())
    runner = Runner(args)
    try:
        mismatch = runner.run_graph("replay", graph, commands, True)
        if mismatch:
            runner.report(mismatch)
    except BackendLost as exc:
        runner.report({"name": "replay", "why": str(exc), "graph": graph, "commands": runner.last[2]})
    finally:
        runner.close()
    print("sql_diff: %d passed, %d failed" % (runner.tally.passed, runner.tally.failed))
    return 1 if runner.tally.failed else 0


def run_alembic_replay(args) -> int:
    """--alembic-replay FILE (a worker of Runner.other_hash_seeds): the
    Alembic side alone, on its own database; prints its outcomes as JSON."""
    graph, commands = parse_case(Path(args.alembic_replay).read_text())
    dbname = OTHER_HASH_SEED_DB % os.environ.get("PYTHONHASHSEED")
    runner = Runner(args, [dbname])
    outcomes = []
    try:
        side = AlembicSide(graph, runner.workroot / "alembic", args.row_order, dbname)
        try:
            outcomes = [side.run(cmd).__dict__ for cmd in commands]
        finally:
            side.close()
    finally:
        runner.close()
    print(json.dumps(outcomes))
    return 0


def self_check(args) -> int:
    """--self-check: hand-made cases whose answers are known, to show that
    the harness sees what it should (rollback, physical row order)."""
    runner = Runner(args)
    ok = True

    def check(label: str, cond: bool) -> None:
        nonlocal ok
        print("  %s  %s" % ("ok  " if cond else "FAIL", label))
        ok = ok and cond

    try:
        print("self-check: alembic %s, sqlalchemy %s" % (alembic.__version__, sa.__version__))
        # A failure in the middle of a command rolls the whole command back
        # on both sides. Two roots: `upgrade heads` runs both; after
        # `upgrade <one>; stamp base`, applying that one again violates
        # applied's primary key. In one of the two orders it is the second
        # step, so the first step's INSERT must be rolled back too.
        cmds = lambda first: parse_case("upgrade %s\nstamp base\nupgrade heads\n" % first)[1]  # noqa: E731
        graph = [Rev("x"), Rev("a")]
        runner.run_graph("check_fresh", graph, [Command("upgrade", ["heads"])], False)
        ref, ours = runner.outcomes[-1]
        check("upgrade heads on two roots runs two steps: %s" % ref.line(),
              not ref.failed and len(ref.steps) == 2 and ref.applied == ["a", "x"] and compare(ref, ours) is None)
        for first in ("x", "a"):
            mismatch = runner.run_graph("check_rollback_" + first, graph, cmds(first), False)
            ref, ours = runner.outcomes[-1]
            check("failed mid-command (%s again): both fail, nothing stays applied" % first,
                  mismatch is None and ref.failed and ours.failed and ref.applied == [first] == ours.applied
                  and ref.rows == [] == ours.rows)
        # Alembic reads alembic_version in physical order, and `downgrade -1`
        # with several rows starts from the first one. p2's row is written
        # last (an UPDATE of p's row), so the table order is q, p2.
        graph = [Rev("p"), Rev("p2", ("p",)), Rev("q")]
        cmds = parse_case("upgrade p\nupgrade q\nupgrade p2\ndowngrade -1\n")[1]
        mismatch = runner.run_graph("check_sorted", graph, cmds, False, row_order="sorted")
        ref, ours = runner.outcomes[-1]
        check("rows rewritten in sorted order: downgrade -1 takes p2 on both sides: %s" % ref.line(),
              mismatch is None and ref.rows == ["p", "q"] and ref.applied == ["p", "q"])
        mismatch = runner.run_graph("check_heap", graph, cmds, False, row_order="heap")
        ref, ours = runner.outcomes[-1]
        check("rows in table order: Alembic takes q, migrate p2, and the mismatch is seen: %s" % (
            mismatch and mismatch["why"]), len(runner.outcomes) == 4 and ref.rows == ["p2"] and ref.applied == ["p", "p2"]
              and (mismatch is not None) == (compare(ref, ours) is not None) == (ours.rows != ["p2"]))
        # The generator is reproducible.
        g1 = gen.make_accepted_graph(random.Random("sql_diff 1 0"), {})
        g2 = gen.make_accepted_graph(random.Random("sql_diff 1 0"), {})
        check("generator reproducible", g1 == g2)
        text = case_text(g1, [Command("stamp", ["heads"]), Command("downgrade", ["-1"])])
        check("case text round-trips", parse_case(text) == (g1, [Command("stamp", ["heads"]),
                                                              Command("downgrade", ["-1"])]))
    finally:
        runner.close()
    print("self-check: %s" % ("passed" if ok else "FAILED"))
    return 0 if ok else 1


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--graphs", type=int, default=200)
    parser.add_argument("--commands", type=int, default=12, help="commands per graph")
    parser.add_argument("--verbose", action="store_true", help="one entry per command: both answers")
    parser.add_argument("--save-dir", help="write each mismatching case there as <case>.case (for --replay) "
                                           "and <case>.sql (the migrate side, for psql)")
    parser.add_argument("--max-show", type=int, default=25, help="mismatches printed in full (0: all)")
    parser.add_argument("--replay", metavar="FILE", help="run one saved .case file, verbosely")
    parser.add_argument("--self-check", action="store_true", help="check the harness on hand-made cases")
    parser.add_argument("--other-hash-seeds", type=int, default=8, metavar="K",
                        help="on a mismatch, run Alembic again under K other PYTHONHASHSEED values and "
                             "accept ours if it matches one of them (default %(default)s; 0: never)")
    parser.add_argument("--alembic-replay", metavar="FILE", help=argparse.SUPPRESS)  # other_hash_seeds worker
    parser.add_argument("--row-order", choices=("sorted", "heap"), default="sorted",
                        help="sorted (default): rewrite alembic_version in sorted order before each "
                             "command; heap: leave it in the order Alembic left it")
    parser.add_argument("--native-listdir", action="store_true",
                        help="let Alembic 1.8.1 read versions/ in os.listdir() order (default: sorted)")
    parser.add_argument("--createdb-options", default="", metavar="SQL",
                        help="appended to CREATE DATABASE for both databases, e.g. "
                             "\"TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US'\"")
    parser.add_argument("--hash-seed", default=gen._HASH_SEED_DEFAULT,
                        help="PYTHONHASHSEED for the run (default %(default)s)")
    args = parser.parse_args(argv)
    use_sorted_listdir(not args.native_listdir)
    global CREATEDB_OPTIONS
    CREATEDB_OPTIONS = args.createdb_options
    try:
        if args.alembic_replay:
            return run_alembic_replay(args)
        if args.self_check:
            return self_check(args)
        return run_replay(args) if args.replay else run_diff(args)
    except SetupError as exc:
        sys.stderr.write("sql_diff: %s\n" % exc)
        return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
