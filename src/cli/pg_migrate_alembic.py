"""Reads an Alembic project for `pg_migrate import-alembic` (docs/alembic.md).

pg_migrate runs this file with the project's own Python interpreter, in the
directory of the project's alembic.ini:

    PYTHON -B pg_migrate_alembic.py --protocol-fd 3 /abs/path/alembic.ini

It loads the revisions with Alembic's ScriptDirectory (id, down_revision,
branch_labels, depends_on, message) and renders each revision's upgrade()
and downgrade() with the user's own env.py in offline mode (`--sql`), one
revision at a time, capturing the statements Alembic emits for that one
function call. Nothing here connects to a database.

Why not `alembic upgrade prev:rev --sql` per revision: a merge has several
"prev" (command.upgrade splits the range once, so `a,b:m` names no revision),
a revision that depends_on another branch renders that branch too, and each
call wraps the SQL in BEGIN/COMMIT, CREATE TABLE alembic_version (for a base)
and the version-table INSERT/UPDATE/DELETE, which would have to be stripped
from text. Instead, env.py runs once (with context.run_migrations() calling
the `fn` given here), and inside it each revision's function is called with
Alembic's `op` bound to the offline MigrationContext: what that call emits
is exactly the revision's SQL. No version-table statement, BEGIN, COMMIT or
"-- Running" comment is ever emitted, so nothing is stripped.

What offline mode cannot render is refused, naming the revision: any
exception in upgrade() or downgrade() (the result of op.get_bind().execute()
is used: it is a poisoned value here; inspect(); reflection; a missing
argument), transaction control through op.execute(), SQL that is not text.
`with op.get_context().autocommit_block():` marks the revision
non-transactional (its BEGIN/COMMIT are not emitted).

A downgrade() that raises NotImplementedError itself, or no downgrade() at
all, is irreversible; one that emits nothing (`pass`) is a no-op, as it is
in Alembic.

Output, on the file descriptor given by --protocol-fd (stdout stays the
user's: env.py may print): one record a line, a keyword and then fields,
each field "x" and the hex of its UTF-8 bytes (so no field needs escaping,
and an empty one is "x"):

    pg_migrate-alembic 1
    alembic <version>
    version-table <name> <schema or empty>
    revision <id>
      path <file>  message <one line>  revises <id>...  depends-on <id|label>...
      branch-labels <label>...  upgrade <sql>  downgrade <sql> | irreversible
      transactional <"true"|"false">  warning <text>
    end
    refused <id> <file> <upgrade|downgrade|revision> <reason>
    error <kind> <message> <detail>
    done

The last line is `done` when the run finished; otherwise pg_migrate
reports the run as failed. Works with Python 3.6+ and Alembic 1.2+.
"""

import argparse
import contextlib
import io
import os
import sys
import traceback

PROTOCOL = "pg_migrate-alembic 1"


class Protocol:
    def __init__(self, stream):
        self.stream = stream

    def record(self, key, *fields):
        parts = [key]
        for f in fields:
            parts.append("x" + f.encode("utf-8", "surrogatepass").hex())
        self.stream.write(" ".join(parts) + "\n")

    def plain(self, line):
        self.stream.write(line + "\n")


class OfflineRead(Exception):
    """Offline mode has no database: a value read from one does not exist."""


class OfflineAttribute(OfflineRead, AttributeError):
    """An attribute the offline connection lacks. Still an AttributeError,
    so that code probing for one (Alembic's own hasattr-style checks)
    behaves as it does under `alembic upgrade --sql`."""


class PoisonedResult:
    """What op.get_bind().execute() returns here: any use of it is refused
    (online, it would be rows read from the database; offline it is None,
    and code that tests it would silently take the wrong branch)."""

    def _refuse(self, *args, **kwargs):
        raise OfflineRead(
            "the result of op.get_bind().execute() is used, and offline mode "
            "has no database to read it from"
        )

    __getattr__ = _refuse
    __iter__ = _refuse
    __bool__ = _refuse
    __len__ = _refuse
    __getitem__ = _refuse
    __eq__ = _refuse
    __ne__ = _refuse
    __hash__ = None


def one_line(text):
    return " ".join(text.split())


def excerpt(text, limit=200):
    """At most `limit` characters of a message quoting user text."""
    return text if len(text) <= limit else text[:limit] + "... (%d characters)" % len(text)


def error_summary(exc):
    text = excerpt(one_line(str(exc)))
    if isinstance(exc, OfflineRead):
        return text
    name = type(exc).__name__
    return name + (": " + text if text else "")


def where_raised(exc, module_file):
    """file:line of the innermost frame in the revision's own file, if any."""
    found = None
    for frame in traceback.extract_tb(exc.__traceback__):
        if module_file and os.path.abspath(frame.filename) == module_file:
            found = "%s:%d" % (os.path.basename(frame.filename), frame.lineno)
    return found


def raised_by_revision(exc, module_file):
    """True when the innermost frame is the revision's own code: a
    NotImplementedError raised on purpose, not one from inside a library."""
    frames = traceback.extract_tb(exc.__traceback__)
    return bool(frames) and os.path.abspath(frames[-1].filename) == module_file


TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "END", "ROLLBACK", "START", "ABORT", "SAVEPOINT", "RELEASE")


def first_word(sql):
    for line in sql.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("--"):
            continue
        return stripped.split(None, 1)[0].rstrip(";").upper()
    return ""


class Renderer:
    """The `fn` that context.run_migrations() calls: renders every revision
    and runs no step."""

    def __init__(self, protocol, scripts):
        self.protocol = protocol
        self.scripts = scripts
        self.calls = 0
        self.results = {}  # revision id -> dict
        self.capturing = None
        self.autocommit = False
        self.checkfirst = False
        self.version_table = ("alembic_version", "")

    def __call__(self, heads, context):
        self.calls += 1
        if self.calls > 1:
            raise EnvError(
                "env",
                "env.py runs migrations more than once (a multi-database env.py)",
                "pg_migrate imports one database's revisions; give it an env.py that runs them once.",
            )
        dialect = context.dialect.name
        if dialect != "postgresql":
            raise EnvError(
                "dialect",
                "env.py configures the %s dialect, not postgresql" % dialect,
                "Set sqlalchemy.url in alembic.ini (or what env.py reads) to a postgresql:// URL;"
                " offline mode does not connect to it.",
            )
        self.version_table = (
            getattr(context, "version_table", "alembic_version") or "alembic_version",
            getattr(context, "version_table_schema", None) or "",
        )
        self.hook(context)
        for sc in self.scripts:
            self.results[sc.revision] = self.render(sc)
        return []

    def hook(self, context):
        impl = context.impl
        # Values must be rendered into the SQL (env.py's offline template
        # sets literal_binds; one that does not would print %(name)s).
        impl.literal_binds = True
        impl.static_output = self.capture

        @contextlib.contextmanager
        def autocommit_block():
            self.autocommit = True
            yield

        context.autocommit_block = autocommit_block
        bind = impl.connection
        if bind is not None:
            # What the offline connection lacks (close(), cursors,
            # reflection through sqlalchemy.inspect()) reads a database:
            # say so instead of an AttributeError.
            def missing(_self, name):
                raise OfflineAttribute(
                    "it uses the database connection (%s); offline mode has no database "
                    "(sqlalchemy.inspect(), reflection and reading query results need one)" % name
                )

            try:
                bind.__class__ = type("OfflineConnection", (bind.__class__,), {"__getattr__": missing})
            except TypeError:
                pass
        if bind is not None and hasattr(bind, "execute"):
            execute = bind.execute

            def poisoned_execute(*args, **kwargs):
                execute(*args, **kwargs)
                return PoisonedResult()

            bind.execute = poisoned_execute
        if bind is not None and hasattr(bind, "_run_ddl_visitor"):
            visit = bind._run_ddl_visitor

            def noting_checkfirst(*args, **kwargs):
                if kwargs.get("checkfirst"):
                    self.checkfirst = True
                return visit(*args, **kwargs)

            bind._run_ddl_visitor = noting_checkfirst

    def capture(self, text):
        if self.capturing is None:
            return  # env.py's BEGIN/COMMIT around run_migrations: not a revision's
        self.capturing.append(text.strip())

    def call(self, sc, name):
        """(statements, error, autocommit, checkfirst, missing)"""
        fn = getattr(sc.module, name, None)
        if fn is None:
            return None, None, False, False, True
        self.capturing = []
        self.autocommit = False
        self.checkfirst = False
        error = None
        try:
            fn()
        except Exception as exc:  # noqa: BLE001 - every failure is reported
            error = exc
        statements, self.capturing = self.capturing, None
        return statements, error, self.autocommit, self.checkfirst, False

    def render(self, sc):
        module_file = os.path.abspath(sc.path)
        out = {"refused": [], "warnings": [], "transactional": True}
        for direction in ("upgrade", "downgrade"):
            statements, error, autocommit, checkfirst, missing = self.call(sc, direction)
            if missing:
                if direction == "upgrade":
                    out["refused"].append((direction, "the script has no upgrade() function"))
                else:
                    out["downgrade"] = None  # irreversible, as Alembic cannot downgrade it either
                continue
            if error is not None:
                if (
                    direction == "downgrade"
                    and isinstance(error, NotImplementedError)
                    and raised_by_revision(error, module_file)
                ):
                    out["downgrade"] = None
                    continue
                place = where_raised(error, module_file)
                out["refused"].append(
                    (direction, error_summary(error) + (" (at %s)" % place if place else ""))
                )
                continue
            for s in statements:
                word = first_word(s)
                if word in TRANSACTION_CONTROL:
                    out["refused"].append(
                        (
                            direction,
                            "transaction control (%s) in the revision's SQL; use "
                            "op.get_context().autocommit_block() for statements that run outside a transaction"
                            % word,
                        )
                    )
                    break
            if autocommit:
                out["transactional"] = False
            if checkfirst:
                out["warnings"].append(
                    "%s(): create()/drop() with checkfirst=True renders unconditionally offline (the check reads "
                    "the database)" % direction
                )
            out[direction] = "\n\n".join(s for s in statements if s)
        return out


class EnvError(Exception):
    def __init__(self, kind, message, detail=""):
        Exception.__init__(self, message)
        self.kind = kind
        self.message = message
        self.detail = detail


def message_of(sc):
    try:
        doc = sc.doc
    except Exception:  # noqa: BLE001 - a module without a docstring
        doc = ""
    return one_line(doc or "")


def as_tuple(value):
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(value)


def read_project(protocol, ini):
    try:
        import alembic
        from alembic.config import Config
        from alembic.runtime.environment import EnvironmentContext
        from alembic.script import ScriptDirectory
    except ImportError as exc:
        raise EnvError(
            "no-alembic",
            "alembic is not importable by %s: %s" % (sys.executable, one_line(str(exc))),
            "Run pg_migrate import-alembic --python PATH with the interpreter of the project's virtualenv.",
        )
    protocol.record("alembic", getattr(alembic, "__version__", "unknown"))
    if not os.path.isfile(ini):
        raise EnvError("config", "no such file: %s" % ini)
    try:
        # Alembic's own offline output (env.py's BEGIN/COMMIT) goes nowhere.
        config = Config(ini, output_buffer=io.StringIO())
        script = ScriptDirectory.from_config(config)
    except Exception as exc:  # noqa: BLE001 - Alembic's CommandError, configparser's errors
        raise EnvError("config", "%s: %s" % (os.path.basename(ini), error_summary(exc)))
    try:
        scripts = list(reversed(list(script.walk_revisions("base", "heads"))))
    except Exception as exc:  # noqa: BLE001 - a broken graph, a script that fails to import
        raise EnvError("revisions", "Alembic cannot read the revisions: " + error_summary(exc))

    renderer = Renderer(protocol, scripts)
    try:
        with EnvironmentContext(
            config, script, fn=renderer, as_sql=True, starting_rev=None, destination_rev="heads"
        ):
            script.run_env()
    except EnvError:
        raise
    except Exception as exc:  # noqa: BLE001 - env.py failed outside the revisions
        tb = traceback.extract_tb(exc.__traceback__)
        place = "%s:%d" % (os.path.basename(tb[-1].filename), tb[-1].lineno) if tb else ""
        raise EnvError(
            "env",
            "env.py failed in offline mode: " + error_summary(exc) + (" (at %s)" % place if place else ""),
            "pg_migrate runs env.py as `alembic upgrade --sql` does: its offline branch must work without a "
            "database.",
        )
    if renderer.calls == 0:
        raise EnvError("env", "env.py did not call context.run_migrations() in offline mode")

    protocol.record("version-table", *renderer.version_table)
    for sc in scripts:
        result = renderer.results[sc.revision]
        path = os.path.relpath(sc.path)
        if result["refused"]:
            for direction, reason in result["refused"]:
                protocol.record("refused", sc.revision, path, direction, reason)
            continue
        protocol.record("revision", sc.revision)
        protocol.record("path", path)
        protocol.record("message", message_of(sc))
        protocol.record("revises", *as_tuple(sc.down_revision))
        protocol.record("depends-on", *as_tuple(getattr(sc, "dependencies", None)))
        labels = getattr(sc, "_orig_branch_labels", None)
        if labels is None:
            labels = as_tuple(getattr(sc.module, "branch_labels", None))
        protocol.record("branch-labels", *labels)
        protocol.record("upgrade", result["upgrade"])
        if result["downgrade"] is None:
            protocol.record("irreversible")
        else:
            protocol.record("downgrade", result["downgrade"])
        protocol.record("transactional", "true" if result["transactional"] else "false")
        for w in result["warnings"]:
            protocol.record("warning", w)
        protocol.plain("end")


def main(argv):
    parser = argparse.ArgumentParser(description="pg_migrate's Alembic reader (run by pg_migrate import-alembic)")
    parser.add_argument("--protocol-fd", type=int, required=True)
    parser.add_argument("ini")
    args = parser.parse_args(argv)
    stream = os.fdopen(args.protocol_fd, "w", encoding="utf-8")
    protocol = Protocol(stream)
    protocol.plain(PROTOCOL)
    try:
        read_project(protocol, args.ini)
    except EnvError as exc:
        protocol.record("error", exc.kind, exc.message, exc.detail)
    protocol.plain("done")
    stream.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
