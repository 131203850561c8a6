#!/usr/bin/python3
"""Differential test of the core planner against Alembic 1.8.

Random revision graphs and random upgrade/downgrade/stamp commands are run
through two implementations:

- the reference: Debian's Alembic 1.8.1, driven in-process through its own
  classes (RevisionMap, ScriptDirectory._upgrade_revs / _downgrade_revs /
  _stamp_revs, HeadMaintainer.update_to_step), with no database;
- ours: `migrate_plan_cli`, one subprocess per command, speaking the protocol
  of test/alembic_diff/PROTOCOL.md.

Each command is compared on: refused or not; when both accept, the version
rows afterwards and, for upgrade/downgrade, the steps in order. Two read-only
commands are compared too: `history <range>` (the revisions Alembic's
`history` lists, in its order) and `all_current` (what `alembic current`
prints: ScriptDirectory.get_all_current of the version rows).

Run with Debian's interpreter (the one that has alembic):

    /usr/bin/python3 test/alembic_diff/core_diff.py --cli build/cmake/migrate_plan_cli
    /usr/bin/python3 test/alembic_diff/core_diff.py --self-check

See test/alembic_diff/README.md for the options and the generator's shape.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import subprocess
import sys
import traceback
import types
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence, Tuple

# Alembic's traversal has a few places that iterate Python sets of strings
# (e.g. RevisionMap._normalize_depends_on builds a tuple from a set), and the
# order of a set of strings depends on PYTHONHASHSEED. Pin it before anything
# is computed so that `--seed N` always replays the same answers; the value
# can be changed with --hash-seed to look for answers that depend on it.
_HASH_SEED_DEFAULT = "0"


def _pin_hash_seed(argv: Sequence[str]) -> None:
    wanted = _HASH_SEED_DEFAULT
    for i, arg in enumerate(argv):
        if arg == "--hash-seed" and i + 1 < len(argv):
            wanted = argv[i + 1]
        elif arg.startswith("--hash-seed="):
            wanted = arg.split("=", 1)[1]
    if os.environ.get("PYTHONHASHSEED") != wanted:
        env = dict(os.environ, PYTHONHASHSEED=wanted)
        os.execve(sys.executable, [sys.executable, *argv], env)


if __name__ == "__main__":
    _pin_hash_seed(sys.argv)

try:
    import sqlalchemy as sa
    from alembic.runtime.migration import HeadMaintainer, RevisionStep
    from alembic.script import ScriptDirectory
    from alembic.script.revision import Revision, RevisionMap
    import alembic
except ImportError as exc:  # pragma: no cover - environment problem
    sys.stderr.write(
        "core_diff: cannot import alembic (%s); run it with /usr/bin/python3, "
        "Debian's interpreter with python3-alembic\n" % exc
    )
    sys.exit(2)


# ---------------------------------------------------------------------------
# Values shared by both sides
# ---------------------------------------------------------------------------


@dataclass
class Rev:
    """One revision as the protocol carries it (`rev` line)."""

    id: str
    down: Tuple[str, ...] = ()
    deps: Tuple[str, ...] = ()  # revision ids or branch labels
    labels: Tuple[str, ...] = ()


@dataclass
class Answer:
    """What one implementation said about one command."""

    ok: bool
    steps: List[str] = field(default_factory=list)  # "up:x", "down:x", "stamp"
    heads: List[str] = field(default_factory=list)  # sorted version rows
    error: str = ""
    crashed: bool = False  # ours only: the CLI broke the protocol
    internal: bool = False  # Alembic only: not a CommandError/RevisionError
    # Alembic only: its HeadMaintainer crashed on a redundant-parent merge and
    # this is its answer with that crash repaired (see _repaired_update_to_step);
    # the crash itself is kept here.
    repaired_from: str = ""
    warnings: List[str] = field(default_factory=list)

    def line(self) -> str:
        """The answer in the protocol's one-line form."""
        if self.crashed:
            return "<crashed> " + self.error
        if not self.ok:
            return "error " + self.error
        return "ok %s %s" % (";".join(self.steps) or "-", ",".join(self.heads) or "-")


@dataclass
class Command:
    kind: str  # upgrade | downgrade | stamp | history | all_current
    targets: List[str]  # one target, several for stamp, none for all_current or history without a range


def case_text(graph: Sequence[Rev], current: Sequence[str], cmd: Command) -> str:
    """The case in PROTOCOL.md's input form: ready to pipe into the CLI."""

    def lst(items: Sequence[str]) -> str:
        return ",".join(items) if items else "-"

    lines = ["rev %s %s %s %s" % (r.id, lst(r.down), lst(r.deps), lst(r.labels)) for r in graph]
    lines.append("current " + lst(sorted(current)))
    lines.append("%s %s" % (cmd.kind, ",".join(cmd.targets) or "-"))
    return "\n".join(lines) + "\n"


COMMAND_KINDS = ("upgrade", "downgrade", "stamp", "history", "all_current")
READ_ONLY_KINDS = ("history", "all_current")


def parse_case_text(text: str) -> Tuple[List[Rev], List[str], Command]:
    """The inverse of case_text (for --alembic-case and --oracle)."""

    def lst(field_: str) -> Tuple[str, ...]:
        return () if field_ == "-" else tuple(field_.split(","))

    graph: List[Rev] = []
    current: List[str] = []
    cmd: Optional[Command] = None
    for line in text.splitlines():
        kind, _, rest = line.strip().partition(" ")
        if kind == "rev":
            rid, down, deps, labels = rest.split(" ")
            graph.append(Rev(rid, lst(down), lst(deps), lst(labels)))
        elif kind == "current":
            current = list(lst(rest.strip()))
        elif kind in COMMAND_KINDS:
            rest = rest.strip()
            if kind in READ_ONLY_KINDS:
                cmd = Command(kind, [] if rest == "-" else [rest])
            else:
                cmd = Command(kind, list(lst(rest)) if kind == "stamp" else [rest])
        elif kind:
            raise ValueError("unknown line: %r" % line)
    if cmd is None:
        raise ValueError("no command line")
    return graph, current, cmd


# ---------------------------------------------------------------------------
# The reference: Alembic, in-process
# ---------------------------------------------------------------------------


class _Script(Revision):
    """A Revision with the one Script attribute the planner reads.

    RevisionStep.__init__ (runtime/migration.py) takes
    `revision.module.upgrade` / `.downgrade` as the step's migration_fn; we
    never call them.
    """

    module = types.SimpleNamespace(upgrade=lambda **kw: None, downgrade=lambda **kw: None)


def build_revision_map(graph: Sequence[Rev]) -> RevisionMap:
    """A fresh RevisionMap (building one mutates the Revision objects:
    nextrev, propagated branch_labels, so each command gets its own, the way
    each `alembic` invocation loads the scripts again)."""
    revisions = [
        _Script(
            r.id,
            tuple(r.down) or None,
            dependencies=tuple(r.deps) or None,
            branch_labels=tuple(r.labels) or None,
        )
        for r in graph
    ]
    return RevisionMap(lambda: revisions)


def _script_directory(graph: Sequence[Rev]) -> ScriptDirectory:
    """A ScriptDirectory with only its revision_map.

    _upgrade_revs, _downgrade_revs and _stamp_revs (script/base.py) touch only
    self.revision_map, self.iterate_revisions, self.get_revisions and
    self._catch_revision_errors; the constructor would want a directory of
    script files, so it is skipped.
    """
    script = ScriptDirectory.__new__(ScriptDirectory)
    script.revision_map = build_revision_map(graph)
    return script


class _OfflineContext:
    """What HeadMaintainer needs from a MigrationContext.

    With as_sql=True, _delete_version/_update_version skip the rowcount checks
    (they test `not self.context.as_sql` first) and never touch a dialect;
    impl._exec receives the SQLAlchemy statements and drops them. The version
    rows themselves live in HeadMaintainer.heads, which asserts the same
    things a version table would enforce (no duplicate insert, KeyError when
    updating or deleting a row that is not there).
    """

    as_sql = True
    version_table = "alembic_version"
    _version = sa.Table(
        "alembic_version", sa.MetaData(), sa.Column("version_num", sa.String(32), nullable=False)
    )
    impl = types.SimpleNamespace(_exec=lambda *args, **kw: None)


def _describe_exception(exc: BaseException) -> Tuple[str, bool]:
    """Exception text for the report, and whether it is an internal error
    (anything but Alembic's own CommandError / RevisionError family)."""
    from alembic import util as alembic_util
    from alembic.script.revision import RevisionError

    internal = not isinstance(exc, (alembic_util.CommandError, RevisionError))
    text = "%s: %s" % (type(exc).__name__, exc)
    if exc.__cause__ is not None:
        # _catch_revision_errors replaces e.g. "Multiple revisions start
        # with ..." by "Can't locate revision ...": keep the original too.
        text += " (from %s: %s)" % (type(exc.__cause__).__name__, exc.__cause__)
    if internal:
        # An AssertionError or KeyError has little or no message: say where.
        frame = traceback.extract_tb(exc.__traceback__)[-1]
        text += " [%s:%d %s: %s]" % (
            os.path.basename(frame.filename),
            frame.lineno,
            frame.name,
            (frame.line or "").strip(),
        )
    return text.replace("\n", " "), internal


def _repaired_update_to_step(maintainer, step, original) -> None:
    """HeadMaintainer.update_to_step with one repair, for merges with a
    redundant parent.

    A merge step whose normalized down revisions include an ancestor of
    another of them (`m` on `b` and `a`, `a` below `b`; or a depends_on on an
    ancestor) finds no row for that redundant parent once the other parent is
    applied: RevisionStep.merge_branch_idents still lists it, and
    _delete_version / _update_version fail with KeyError. Whether that
    happens depends on the order Alembic's map gives the steps (with another
    file order the redundant parent's row is gone for another reason and the
    command succeeds). Here, a from-revision that is not a row but is an
    ancestor of one that is, is left out, as migrate's VersionRows does;
    everything else is Alembic's own code.
    """
    if (isinstance(step, RevisionStep) and not step.should_delete_branch(maintainer.heads)
            and not step.should_create_branch(maintainer.heads) and step.should_merge_branches(maintainer.heads)):
        delete_revs, update_from, update_to = step.merge_branch_idents(maintainer.heads)
        from_revs = list(delete_revs) + [update_from]
        rows = [r for r in from_revs if r in maintainer.heads]
        if rows and len(rows) < len(from_revs):
            rmap = step.revision_map
            implied = {r.revision for r in rmap._get_ancestor_nodes(rmap.get_revisions(rows))}
            from_revs = [r for r in from_revs if r in maintainer.heads or r not in implied]
            for r in from_revs[:-1]:
                maintainer._delete_version(r)
            maintainer._update_version(from_revs[-1], update_to)
            return
    original(maintainer, step)


@contextlib.contextmanager
def repaired_head_maintainer():
    """Alembic's HeadMaintainer, patched in place, with _repaired_update_to_step
    (sql_diff.py uses it for real runs too)."""
    original = HeadMaintainer.update_to_step
    HeadMaintainer.update_to_step = lambda self, step: _repaired_update_to_step(self, step, original)
    try:
        yield
    finally:
        HeadMaintainer.update_to_step = original


def crashed_in_head_maintainer(exc: BaseException) -> bool:
    """Whether Alembic failed inside HeadMaintainer's row bookkeeping (a
    KeyError or AssertionError, not a CommandError)."""
    frames = traceback.extract_tb(exc.__traceback__)
    return isinstance(exc, (KeyError, AssertionError)) and bool(frames) and frames[-1].name in (
        "_delete_version", "_update_version", "_insert_version")


def _alembic_history(script: ScriptDirectory, rows: Tuple[str, ...], rev_range: Optional[str]) -> List[str]:
    """command.history: the range split as it splits it, `current` replaced by
    the version rows the way _display_history_w_current does (upper side
    first; an empty tuple then falls back to "base" / "heads")."""
    from alembic import util as alembic_util

    if rev_range is None:
        base = head = None
    else:
        if ":" not in rev_range:
            raise alembic_util.CommandError("History range requires [start]:[end], [start]:, or :[end]")
        base, head = rev_range.strip().split(":")
    if head == "current":
        head = rows
    elif base == "current":
        base = rows
    return [sc.revision for sc in script.walk_revisions(base=base or "base", head=head or "heads")]


def _step_name(step) -> str:
    if isinstance(step, RevisionStep):
        return ("up:" if step.is_upgrade else "down:") + step.revision.revision
    return "stamp"


def alembic_answer(graph: Sequence[Rev], current: Sequence[str], cmd: Command, repair: bool = False) -> Answer:
    """Run one command through Alembic's own code.

    Mirrors command.upgrade/downgrade/stamp + MigrationContext.run_migrations:
    the step list is computed from the current heads first (fn(heads, ctx)),
    then HeadMaintainer.update_to_step is applied per step, starting from
    those heads. ANY exception counts as a refusal: in a real run it would
    abort the transaction and leave the version table unchanged. The one
    exception: when HeadMaintainer crashes (KeyError / AssertionError in
    _delete_version, _update_version, _insert_version) and the same steps go
    through with repaired_head_maintainer(), that answer is returned, marked
    with `repaired_from`.
    """
    heads = tuple(sorted(current))  # get_current_heads(): the version rows
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            script = _script_directory(graph)
            if cmd.kind == "history":
                listed = _alembic_history(script, heads, cmd.targets[0] if cmd.targets else None)
                return Answer(ok=True, steps=listed, heads=sorted(heads), warnings=[str(w.message) for w in caught])
            if cmd.kind == "all_current":
                listed = sorted(r.revision for r in script.get_all_current(heads))
                return Answer(ok=True, steps=listed, heads=sorted(heads), warnings=[str(w.message) for w in caught])
            if cmd.kind == "upgrade":
                steps = script._upgrade_revs(cmd.targets[0], heads)
            elif cmd.kind == "downgrade":
                steps = script._downgrade_revs(cmd.targets[0], heads)
            elif cmd.kind == "stamp":
                # command.stamp: script._stamp_revs(util.to_tuple(destination_revs), rev)
                steps = script._stamp_revs(tuple(cmd.targets), heads)
            else:
                raise ValueError("unknown command " + cmd.kind)
            maintainer = HeadMaintainer(_OfflineContext(), heads)
            with repaired_head_maintainer() if repair else contextlib.nullcontext():
                for step in steps:
                    maintainer.update_to_step(step)
        except Exception as exc:  # noqa: BLE001 - every failure is an answer
            text, internal = _describe_exception(exc)
            if not repair and crashed_in_head_maintainer(exc):
                # HeadMaintainer crashed: the same command with the
                # redundant-parent repair, if that is what it tripped on.
                fixed = alembic_answer(graph, current, cmd, repair=True)
                if fixed.ok:
                    fixed.repaired_from = text
                    return fixed
            return Answer(ok=False, error=text, internal=internal,
                          warnings=[str(w.message) for w in caught])
    return Answer(
        ok=True,
        steps=[_step_name(s) for s in steps],
        heads=sorted(maintainer.heads),
        warnings=[str(w.message) for w in caught],
    )


@contextlib.contextmanager
def declared_dependency_order():
    """Alembic with each revision's normalized dependencies in the order they
    were declared, instead of the order of a Python set.

    RevisionMap._normalize_depends_on builds the tuple from a set, so the
    order (which steers _topological_sort) depends on PYTHONHASHSEED; every
    order of that set is one some hash seed gives. migrate keeps the declared
    order. On a mismatch the case is put to Alembic again under this patch:
    an answer Alembic gives for one of the set's orders.
    """
    original = RevisionMap._normalize_depends_on

    def normalize(self, revisions, map_):
        original(self, revisions, map_)
        for revision in revisions:
            kept = set(revision._normalized_resolved_dependencies)
            revision._normalized_resolved_dependencies = tuple(
                d for d in revision._resolved_dependencies if d in kept)

    RevisionMap._normalize_depends_on = normalize
    try:
        yield
    finally:
        RevisionMap._normalize_depends_on = original


def alembic_accepts(graph: Sequence[Rev]) -> bool:
    """Whether Alembic builds a map from this graph without complaint."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Revision ... is not present" etc.
        try:
            rmap = build_revision_map(graph)
            rmap.heads, rmap._real_heads, rmap.bases  # noqa: B018 - builds the map
        except Exception:  # noqa: BLE001
            return False
    return True


class OtherHashSeeds:
    """Alembic's answer to one case under other PYTHONHASHSEED values.

    Some of Alembic's answers depend on the order of Python sets of strings
    (e.g. a revision with two normalized dependencies: their order in
    _normalized_down_revisions comes from tuple(set(...)) and steers
    _topological_sort). No deterministic implementation can follow that
    order, so a case that mismatches is asked again here: one worker process
    per seed (`core_diff.py --oracle`), started on first use, fed the case
    in protocol form, answering one line per case.
    """

    def __init__(self, seeds: Sequence[str]) -> None:
        self.seeds = list(seeds)
        self.workers: List[subprocess.Popen] = []

    def _start(self) -> None:
        for seed in self.seeds:
            self.workers.append(subprocess.Popen(
                [sys.executable, os.path.abspath(__file__), "--oracle", "--hash-seed", seed],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                env=dict(os.environ, PYTHONHASHSEED=seed),
            ))

    def answers(self, text: str) -> List[Tuple[str, Answer]]:
        if not self.workers:
            self._start()
        out = []
        for seed, worker in zip(self.seeds, self.workers):
            worker.stdin.write(text)
            worker.stdin.flush()
            out.append((seed, parse_cli_output(worker.stdout.readline())))
        return out

    def close(self) -> None:
        for worker in self.workers:
            worker.stdin.close()
            worker.wait()


def run_oracle() -> int:
    """--oracle: answer cases from stdin, one line each (see OtherHashSeeds)."""
    lines: List[str] = []
    for line in sys.stdin:
        lines.append(line)
        if line.partition(" ")[0] in COMMAND_KINDS:
            try:
                graph, current, cmd = parse_case_text("".join(lines))
                reply = alembic_answer(graph, current, cmd).line()
            except Exception as exc:  # noqa: BLE001 - keep answering
                reply = "<crashed> oracle: %s" % exc
            lines = []
            sys.stdout.write(reply.replace("\n", " ") + "\n")
            sys.stdout.flush()
    return 0


def run_alembic_case(path: str) -> int:
    """--alembic-case FILE: Alembic's answer to one saved case (`-`: stdin)."""
    text = sys.stdin.read() if path == "-" else Path(path).read_text()
    graph, current, cmd = parse_case_text(text)
    ans = alembic_answer(graph, current, cmd)
    for w in ans.warnings:
        sys.stderr.write("alembic warning: %s\n" % w)
    if ans.repaired_from:
        sys.stderr.write("alembic crashed (%s); the answer is with the redundant-parent repair\n" % ans.repaired_from)
    print(ans.line())
    return 0


# ---------------------------------------------------------------------------
# Ours: migrate_plan_cli
# ---------------------------------------------------------------------------


class CliMissing(Exception):
    pass


def parse_cli_output(stdout: str) -> Answer:
    """Read the CLI's one line (`ok <steps> <heads>` or `error <message>`)."""
    lines = stdout.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if len(lines) != 1:
        return Answer(ok=False, crashed=True, error="expected one line, got %r" % stdout[:300])
    line = lines[0]
    if line.startswith("error"):
        return Answer(ok=False, error=line[len("error"):].strip())
    parts = line.split(" ")
    if len(parts) != 3 or parts[0] != "ok":
        return Answer(ok=False, crashed=True, error="malformed line %r" % line)
    steps = [] if parts[1] == "-" else parts[1].split(";")
    heads = [] if parts[2] == "-" else parts[2].split(",")
    return Answer(ok=True, steps=steps, heads=heads)


def cli_answer(cli: str, text: str, timeout: float = 30.0) -> Answer:
    try:
        proc = subprocess.run([cli], input=text, capture_output=True, text=True, timeout=timeout)
    except OSError as exc:  # vanished, or not executable any more
        raise CliMissing(str(exc)) from exc
    except subprocess.TimeoutExpired:
        return Answer(ok=False, crashed=True, error="timed out after %gs" % timeout)
    if proc.returncode != 0:
        return Answer(ok=False, crashed=True,
                      error="exit status %d, stderr: %s" % (proc.returncode, proc.stderr.strip()[:300]))
    return parse_cli_output(proc.stdout)


def check_cli(cli: str) -> None:
    """Exit 2 with a clear message when the CLI is not there to run."""
    if not os.path.isfile(cli):
        sys.stderr.write(
            "core_diff: migrate_plan_cli not found at %r (build it with CMake: "
            "target migrate_plan_cli)\n" % cli
        )
        sys.exit(2)
    if not os.access(cli, os.X_OK):
        sys.stderr.write("core_diff: %r is not executable\n" % cli)
        sys.exit(2)


def compare(cmd: Command, ref: Answer, ours: Answer) -> Optional[str]:
    """None when the answers agree, else what differs.

    Refusal messages are not compared (only that both refused); stamp steps
    are compared by their resulting heads only (PROTOCOL.md).
    """
    if ours.crashed:
        return "cli broke the protocol"
    if ref.ok != ours.ok:
        return "alembic accepts, ours refuses" if ref.ok else "alembic refuses, ours accepts"
    if not ref.ok:
        return None
    if ref.heads != ours.heads:
        return "version rows differ"
    if cmd.kind != "stamp" and ref.steps != ours.steps:
        return "listing differs" if cmd.kind in READ_ONLY_KINDS else "steps differ"
    return None


# ---------------------------------------------------------------------------
# Random graphs
# ---------------------------------------------------------------------------

HEX = "0123456789abcdef"
RESERVED = {"head", "heads", "base", "current"}
LABEL_WORDS = ["api", "core", "billing", "auth", "db", "x", "feat", "ops", "Users", "v2"]

# Shape of a graph, per new revision (see README.md).
P_BASE = 0.12  # starts a new root
P_MERGE = 0.18  # merges 2 (or 3) revisions
P_EXTEND = 0.60  # extends an existing head (else: branches off an older revision)
P_THREE_PARENTS = 0.15  # of merges
P_RELATED_MERGE = 0.05  # of merges: parents may be ancestor/descendant (legal, odd)
P_REDUNDANT_PARENT = 0.2  # of merges: a revision and one of its ancestors (a redundant parent)
P_DEPENDS = 0.18  # has depends_on
P_DEPENDS_LABEL = 0.25  # of dependencies: named by a branch label
P_DEPENDS_ANCESTOR = 0.15  # of dependencies: on an ancestor (Alembic keeps it)
P_LABEL = 0.12  # carries a branch label
MAX_LABELS = 4


def _hex(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(HEX) for _ in range(n))


def _stems(rng: random.Random) -> List[str]:
    """Id stems that prefix one another ('ae', 'ae1', 'ae10'), so that
    prefix targets are unique, ambiguous, or too short for Alembic's
    partial match (it only considers keys longer than 3 characters)."""
    first = _hex(rng, rng.randint(2, 3))
    stems = [first, first + _hex(rng, 1), first + _hex(rng, 2)]
    stems.append(_hex(rng, rng.randint(2, 4)))
    return stems


def _make_ids(rng: random.Random, n: int) -> List[str]:
    stems = _stems(rng)
    ids: List[str] = []
    while len(ids) < n:
        r = rng.random()
        if r < 0.55:  # a stem (itself sometimes an id) plus a hex tail
            cand = rng.choice(stems) + _hex(rng, rng.randint(0, 3))
        elif r < 0.75:  # short ids: 1-3 characters
            cand = "".join(rng.choice(HEX + "xyz_") for _ in range(rng.randint(1, 3)))
        elif r < 0.90:
            cand = _hex(rng, rng.randint(4, 10))
        elif r < 0.97:  # date style, all sharing the '2026' prefix
            cand = "2026%02d%02d_%02d" % (rng.randint(1, 12), rng.randint(1, 28), rng.randint(1, 9))
        else:  # case matters
            cand = rng.choice(stems).upper() + _hex(rng, 1)
        if cand not in ids and cand not in RESERVED:
            ids.append(cand)
    return ids


def _ancestors(by_id: Dict[str, Rev], rid: str) -> set:
    """Ancestors through down revisions only (not dependencies)."""
    seen: set = set()
    todo = list(by_id[rid].down)
    while todo:
        r = todo.pop()
        if r not in seen:
            seen.add(r)
            todo.extend(by_id[r].down)
    return seen


def _heads(revs: Sequence[Rev]) -> List[str]:
    parents = {p for r in revs for p in r.down}
    return [r.id for r in revs if r.id not in parents]


def _unrelated(by_id: Dict[str, Rev], picks: Sequence[str]) -> bool:
    return all(
        a == b or (a not in _ancestors(by_id, b) and b not in _ancestors(by_id, a))
        for a in picks
        for b in picks
    )


def _pick_redundant_parents(rng: random.Random, revs: Sequence[Rev], by_id: Dict[str, Rev]) -> Tuple[str, ...]:
    """A revision (mostly a head) and one of its ancestors, in either order,
    sometimes with a third parent: the merge's down revisions include an
    ancestor of another of them."""
    heads = _heads(revs)
    for _ in range(10):
        top = rng.choice(heads) if rng.random() < 0.7 else rng.choice(revs).id
        below = sorted(_ancestors(by_id, top))
        if not below:
            continue
        parents = [top, rng.choice(below)]
        rng.shuffle(parents)
        others = [h for h in heads if h not in parents and h not in _ancestors(by_id, top)]
        if others and rng.random() < P_THREE_PARENTS:
            parents.insert(rng.randint(0, 2), rng.choice(others))
        return tuple(parents)
    return ()


def _pick_merge_parents(rng: random.Random, revs: Sequence[Rev], by_id: Dict[str, Rev]) -> Tuple[str, ...]:
    if rng.random() < P_REDUNDANT_PARENT:
        parents = _pick_redundant_parents(rng, revs, by_id)
        if parents:
            return parents
    k = 3 if rng.random() < P_THREE_PARENTS else 2
    heads = _heads(revs)
    if len(heads) >= k and rng.random() < 0.7:  # like `alembic merge heads`
        return tuple(rng.sample(heads, k))
    ids = [r.id for r in revs]
    if len(ids) < k:
        return ()
    related_ok = rng.random() < P_RELATED_MERGE
    for _ in range(20):
        picks = rng.sample(ids, k)
        if related_ok or _unrelated(by_id, picks):
            return tuple(picks)
    return ()


def _pick_parents(rng: random.Random, revs: Sequence[Rev], by_id: Dict[str, Rev]) -> Tuple[str, ...]:
    if not revs or rng.random() < P_BASE:
        return ()
    if rng.random() < P_MERGE:
        parents = _pick_merge_parents(rng, revs, by_id)
        if parents:
            return parents
    if rng.random() < P_EXTEND:
        heads = _heads(revs)
        # mostly the newest head, so that linear runs grow long
        return (heads[-1] if rng.random() < 0.6 else rng.choice(heads),)
    return (rng.choice(revs).id,)  # a branch point, unless it picked a head


def _pick_deps(rng: random.Random, revs: Sequence[Rev], by_id: Dict[str, Rev], down: Tuple[str, ...]) -> Tuple[str, ...]:
    if not revs or rng.random() >= P_DEPENDS:
        return ()
    ancestors = set(down)
    for p in down:
        ancestors |= _ancestors(by_id, p)
    others = [r.id for r in revs if r.id not in ancestors]
    deps: List[str] = []
    for _ in range(1 if rng.random() < 0.8 else 2):
        pool = sorted(ancestors - set(down)) if rng.random() < P_DEPENDS_ANCESTOR else others
        if not pool:
            continue
        dep = rng.choice(pool)
        if by_id[dep].labels and rng.random() < P_DEPENDS_LABEL:
            dep = rng.choice(by_id[dep].labels)
        if dep not in deps:
            deps.append(dep)
    return tuple(deps)


def _make_label(rng: random.Random, stems: Sequence[str], taken: set) -> Optional[str]:
    for _ in range(10):
        r = rng.random()
        if r < 0.5:
            cand = rng.choice(LABEL_WORDS)
        elif r < 0.8:  # shares a prefix with ids: labels are keys too
            cand = rng.choice(stems) + rng.choice(["_", "x", "_" + rng.choice(LABEL_WORDS)])
        else:
            cand = rng.choice(LABEL_WORDS) + str(rng.randint(1, 9))
        if cand not in taken and cand not in RESERVED:
            return cand
    return None


def make_graph(rng: random.Random) -> List[Rev]:
    """One random graph, parents (and dependencies) always earlier."""
    n = rng.randint(3, 25)
    ids = _make_ids(rng, n)
    stems = sorted({i[:k] for i in ids for k in (2, 3, 4) if len(i) > k})
    taken = set(ids)
    revs: List[Rev] = []
    by_id: Dict[str, Rev] = {}
    n_labels = 0
    for rid in ids:
        down = _pick_parents(rng, revs, by_id)
        deps = _pick_deps(rng, revs, by_id, down)
        labels: List[str] = []
        if n_labels < MAX_LABELS and rng.random() < P_LABEL:
            for _ in range(2 if rng.random() < 0.1 else 1):
                label = _make_label(rng, stems or ids, taken)
                if label:
                    labels.append(label)
                    taken.add(label)
                    n_labels += 1
        rev = Rev(rid, down, deps, tuple(labels))
        revs.append(rev)
        by_id[rid] = rev
    return revs


def make_accepted_graph(rng: random.Random, stats: Dict[str, int]) -> List[Rev]:
    while True:
        graph = make_graph(rng)
        if alembic_accepts(graph):
            return graph
        stats["graphs rejected by alembic"] = stats.get("graphs rejected by alembic", 0) + 1


# ---------------------------------------------------------------------------
# Random commands
# ---------------------------------------------------------------------------


def _prefix(rng: random.Random, word: str) -> str:
    return word[: rng.randint(1, max(1, len(word) - 1))]


def _nonexistent(rng: random.Random, graph: Sequence[Rev]) -> str:
    keys = {r.id for r in graph} | {l for r in graph for l in r.labels}
    while True:
        cand = rng.choice(["zz", "nope", "f00d", "q"]) + _hex(rng, rng.randint(0, 4))
        if cand not in keys:
            return cand


def _related_id(rng: random.Random, graph: Sequence[Rev], current: Sequence[str], kind: str) -> str:
    """An id near the database's state: below it for downgrades, above
    it for upgrades, else any id."""
    by_id = {r.id: r for r in graph}
    below: set = set()
    for c in current:
        if c in by_id:
            below |= _ancestors(by_id, c) | {c}
    if kind == "downgrade" and below:
        return rng.choice(sorted(below))
    above = [r.id for r in graph if r.id not in below]
    if kind == "upgrade" and above:
        return rng.choice(above)
    return rng.choice(graph).id


def make_target(rng: random.Random, graph: Sequence[Rev], current: Sequence[str], kind: str) -> str:
    ids = [r.id for r in graph]
    labels = [l for r in graph for l in r.labels]
    label = (lambda: rng.choice(labels)) if labels else (lambda: rng.choice(ids))
    some_id = lambda: _related_id(rng, graph, current, kind) if rng.random() < 0.5 else rng.choice(ids)  # noqa: E731
    some_ref = lambda: some_id() if rng.random() < 0.75 else _prefix(rng, rng.choice(ids))  # noqa: E731
    up, down = kind == "upgrade", kind == "downgrade"
    # (weight for upgrade, downgrade, stamp), maker
    menu: List[Tuple[Tuple[int, int, int], Callable[[], str]]] = [
        ((8, 3, 6), lambda: "head"),
        ((6, 2, 5), lambda: "heads"),
        ((2, 8, 4), lambda: "base"),
        ((14, 12, 12), some_id),
        ((7, 5, 5), lambda: _prefix(rng, rng.choice(ids + labels))),
        ((3, 2, 3), label),
        ((4, 2, 3), lambda: label() + "@head"),
        ((1, 1, 1), lambda: label() + "@heads"),
        ((2, 4, 2), lambda: label() + "@base"),
        ((3, 3, 2), lambda: label() + "@" + some_ref()),
        ((1, 1, 1), lambda: rng.choice(ids) + "@head"),  # an id used as a branch name
        ((6, 1, 1), lambda: "+%d" % rng.randint(1, 3)),
        ((1, 7, 2), lambda: "-%d" % rng.randint(1, 2)),
        ((3, 3, 1), lambda: "%s+%d" % (some_ref(), rng.randint(1, 2))),
        ((2, 4, 1), lambda: "%s-%d" % (some_ref(), rng.randint(1, 2))),
        ((2, 1, 1), lambda: label() + "@+%d" % rng.randint(1, 2)),
        ((1, 3, 1), lambda: label() + "@-%d" % rng.randint(1, 2)),
        ((1, 1, 1), lambda: rng.choice(["head-1", "head-2", "base+1", "base+2", "heads-1", "head+1"])),
        ((2, 2, 2), lambda: _nonexistent(rng, graph)),
    ]
    column = 0 if up else 1 if down else 2
    weights = [w[column] for w, _ in menu]
    maker = rng.choices([m for _, m in menu], weights)[0]
    return maker()


def _labelled(graph: Sequence[Rev]) -> List[str]:
    """Revisions a branch label covers through inheritance, not declaration:
    descendants of a labelled revision (down revisions only)."""
    by_id = {r.id: r for r in graph}
    owners = {r.id for r in graph if r.labels}
    return [r.id for r in graph if r.id not in owners and _ancestors(by_id, r.id) & owners]


def make_range(rng: random.Random, graph: Sequence[Rev], current: Sequence[str]) -> Optional[str]:
    """A `history -r` range; None for no range."""
    if rng.random() < 0.08:
        return None
    ids = [r.id for r in graph]
    labels = [l for r in graph for l in r.labels] or ids
    inherited = _labelled(graph) or ids
    lower_menu: List[Tuple[int, Callable[[], str]]] = [
        (5, lambda: ""),
        (4, lambda: "base"),
        (8, lambda: rng.choice(ids)),
        (2, lambda: _prefix(rng, rng.choice(ids))),
        (3, lambda: rng.choice(labels) + "@base"),
        (4, lambda: rng.choice(inherited) + "@base"),  # a revision naming the branch it inherits
        (2, lambda: rng.choice(labels) + "@" + rng.choice(ids)),
        (3, lambda: "current"),
        (2, lambda: "-%d" % rng.randint(1, 3)),
        (1, lambda: "%s-%d" % (rng.choice(ids), rng.randint(1, 2))),
    ]
    upper_menu: List[Tuple[int, Callable[[], str]]] = [
        (5, lambda: ""),
        (4, lambda: "heads"),
        (2, lambda: "head"),
        (8, lambda: rng.choice(ids)),
        (3, lambda: rng.choice(labels) + "@head"),
        (1, lambda: rng.choice(inherited) + "@head"),
        (3, lambda: "current"),
        (2, lambda: "+%d" % rng.randint(1, 3)),
        (1, lambda: "%s+%d" % (rng.choice(ids), rng.randint(1, 2))),
    ]
    pick = lambda menu: rng.choices([m for _, m in menu], [w for w, _ in menu])[0]()  # noqa: E731
    return pick(lower_menu) + ":" + pick(upper_menu)


def make_command(rng: random.Random, graph: Sequence[Rev], current: Sequence[str]) -> Command:
    kind = rng.choices(["upgrade", "downgrade", "stamp", "history", "all_current"], [40, 31, 17, 8, 4])[0]
    if kind == "history":
        rev_range = make_range(rng, graph, current)
        return Command(kind, [] if rev_range is None else [rev_range])
    if kind == "all_current":
        return Command(kind, [])
    targets = [make_target(rng, graph, current, kind)]
    if kind == "stamp" and rng.random() < 0.15:  # `alembic stamp a b`
        targets.append(make_target(rng, graph, current, kind))
    return Command(kind, targets)


# ---------------------------------------------------------------------------
# The run
# ---------------------------------------------------------------------------


@dataclass
class Tally:
    passed: int = 0
    failed: int = 0
    shown: int = 0
    counts: Dict[str, int] = field(default_factory=dict)

    def count(self, key: str) -> None:
        self.counts[key] = self.counts.get(key, 0) + 1


def generate_cases(seed: int, graphs: int, commands: int, stats: Dict[str, int]):
    """Yield (name, graph, current, command, Alembic's answer) for a run.

    Each graph starts from an empty database. A refused command changes
    nothing; otherwise Alembic's rows are the next state, whatever the CLI
    under test says: the sequence for a seed never depends on the CLI.
    """
    rng = random.Random(seed)
    for g in range(graphs):
        graph = make_accepted_graph(rng, stats)
        current: List[str] = []
        for c in range(commands):
            cmd = make_command(rng, graph, current)
            ref = alembic_answer(graph, current, cmd)
            yield "seed%d_g%d_c%d" % (seed, g, c), graph, current, cmd, ref
            if ref.ok:
                current = ref.heads


def report_mismatch(args, tally: Tally, name: str, text: str, ref: Answer, ours: Answer,
                    why: str, others: Sequence[Tuple[str, Answer]]) -> None:
    if args.save_dir:
        Path(args.save_dir).mkdir(parents=True, exist_ok=True)
        (Path(args.save_dir) / (name + ".in")).write_text(text)
        (Path(args.save_dir) / (name + ".alembic")).write_text(ref.line() + "\n")
    if args.max_show and tally.shown >= args.max_show:
        return
    tally.shown += 1
    print("=== MISMATCH %s: %s" % (name, why))
    print("--- case (pipe to migrate_plan_cli)")
    sys.stdout.write(text)
    print("--- alembic: " + ref.line())
    if ref.repaired_from:
        print("    (with the redundant-parent repair; unrepaired: %s)" % ref.repaired_from)
    for w in ref.warnings:
        print("    alembic warning: " + w)
    seen = {ref.line()}
    for seed, alt in others:
        if alt.line() not in seen:  # Alembic's answer depends on set order
            seen.add(alt.line())
            print("--- alembic with %s: %s" % (
                seed if not seed[0].isdigit() else "PYTHONHASHSEED=" + seed, alt.line()))
    print("--- ours:    " + ours.line())
    print()


def run_diff(args) -> int:
    tally = Tally()
    graph_stats: Dict[str, int] = {}
    main_seed = os.environ.get("PYTHONHASHSEED")
    other_seeds = [str(i) for i in range(1, args.other_hash_seeds + 2) if str(i) != main_seed]
    other = OtherHashSeeds(other_seeds[: args.other_hash_seeds])
    try:
        for name, graph, current, cmd, ref in generate_cases(
                args.seed, args.graphs, args.commands, graph_stats):
            text = case_text(graph, current, cmd)
            ours = cli_answer(args.cli, text)
            why = compare(cmd, ref, ours)
            others: List[Tuple[str, Answer]] = []
            note = ""
            if why is not None and not ours.crashed:
                with declared_dependency_order():
                    declared = alembic_answer(graph, current, cmd)
                if compare(cmd, declared, ours) is None:
                    tally.count("matched with depends_on in declared order (a set order of Alembic's)")
                    note = "  (matches Alembic with depends_on in declared order)"
                    why = None
                else:
                    others.append(("declared depends_on order", declared))
            if why is not None and not ours.crashed and other.seeds:
                others += other.answers(text)
                matching = [seed for seed, alt in others if compare(cmd, alt, ours) is None]
                if matching:
                    tally.count("matched only under another PYTHONHASHSEED")
                    note = "  (matches Alembic under PYTHONHASHSEED=%s)" % matching[0]
                    why = None
            outcome = "ok" if ref.ok else ("internal error" if ref.internal else "refused")
            if ref.repaired_from:
                outcome = "ok once its redundant-parent crash is repaired"
            tally.count("%s: alembic %s" % (cmd.kind, outcome))
            if why is None:
                tally.passed += 1
            else:
                tally.failed += 1
                tally.count("mismatch: " + why)
                report_mismatch(args, tally, name, text, ref, ours, why, others)
            if args.verbose:
                print("%s %s %s | alembic: %s | ours: %s%s" % (
                    name, cmd.kind, ",".join(cmd.targets), ref.line(), ours.line(),
                    note if why is None else "  <-- " + why))
    finally:
        other.close()
    print("--- summary (seed %d, %d graphs x %d commands, PYTHONHASHSEED=%s, alembic %s)" % (
        args.seed, args.graphs, args.commands, main_seed, alembic.__version__))
    return print_summary("core_diff", graph_stats, tally)


def print_summary(tool: str, graph_stats, tally) -> int:
    """The end of a run, shared with sql_diff.py: the counts, then the closing
    line `<tool>: N passed, M failed`; returns the exit status."""
    for key in sorted(graph_stats):
        print("  %s: %d" % (key, graph_stats[key]))
    for key in sorted(tally.counts):
        print("  %s: %d" % (key, tally.counts[key]))
    if tally.failed > tally.shown:
        print("  (%d mismatches not shown: raise --max-show or use --save-dir)" % (tally.failed - tally.shown))
    print("%s: %d passed, %d failed" % (tool, tally.passed, tally.failed))
    return 1 if tally.failed else 0


def run_dump(args) -> int:
    """--dump-alembic: Alembic's answers only, one line per case. Diffing two
    dumps made with different --hash-seed values shows the answers that
    depend on Python's set order."""
    for name, graph, current, cmd, ref in generate_cases(args.seed, args.graphs, args.commands, {}):
        print("%s\t%s %s\t%s" % (name, cmd.kind, ",".join(cmd.targets), ref.line()))
    return 0


# ---------------------------------------------------------------------------
# --self-check: the Alembic side alone, on hand-made graphs
# ---------------------------------------------------------------------------


def _graph(spec: str) -> List[Rev]:
    """'id:down1,down2:dep1:label1 ...' (empty fields allowed)."""
    revs = []
    for item in spec.split():
        rid, down, deps, labels = (item.split(":") + ["", "", ""])[:4]
        split = lambda s: tuple(x for x in s.split(",") if x)  # noqa: E731
        revs.append(Rev(rid, split(down), split(deps), split(labels)))
    return revs


def _expect(graph, current, kind, targets, line=None, error=None):
    """Assert Alembic's answer: the exact protocol line, or a refusal whose
    text contains `error`."""
    ans = alembic_answer(graph, current, Command(kind, targets))
    label = "%s %s from %s" % (kind, ",".join(targets), list(current) or "()")
    if line is not None:
        assert ans.line() == line, "%s: expected %r, got %r" % (label, line, ans.line())
    else:
        assert not ans.ok and error in ans.error, "%s: expected error ~%r, got %r" % (label, error, ans.line())
    print("  ok  %-40s -> %s" % (label, ans.line()))
    return ans


def self_check() -> int:
    print("self-check: Alembic %s, hand-made graphs" % alembic.__version__)

    # A branch: a000 -> b1, a000 -> c1.
    branch = _graph("a000 b1:a000 c1:a000")
    # upgrade heads on a fresh db: both branch heads get a row. Order:
    # RevisionMap._topological_sort walks down from the heads in map order:
    # b1; then a000, which c1 still needs, so it switches to c1; then a000.
    # _upgrade_revs reverses that: a000, c1, b1 (c1 before b1).
    _expect(branch, [], "upgrade", ["heads"], "ok up:a000;up:c1;up:b1 b1,c1")
    # 'head' with two heads: MultipleHeads turned into a CommandError.
    _expect(branch, [], "upgrade", ["head"], error="Multiple head revisions")
    # +1 from base with one root walks to a000; +1 again is ambiguous (two children).
    _expect(branch, [], "upgrade", ["+1"], "ok up:a000 a000")
    _expect(branch, ["a000"], "upgrade", ["+1"], error="Ambiguous walk")
    # stamp heads on a fresh db: one new-branch StampStep per head.
    _expect(branch, [], "stamp", ["heads"], "ok stamp;stamp b1,c1")
    # stamp base: one delete-branch StampStep per current row.
    _expect(branch, ["b1", "c1"], "stamp", ["base"], "ok stamp;stamp -")
    # downgrade base drops both lines; the branch point goes last.
    _expect(branch, ["b1", "c1"], "downgrade", ["base"], "ok down:b1;down:c1;down:a000 -")

    # A merge: m1 merges b1 and c1.
    merge = _graph("a000 b1:a000 c1:a000 m1:b1,c1")
    _expect(merge, ["b1", "c1"], "upgrade", ["head"], "ok up:m1 m1")
    # downgrade to one parent of the merge: the unmerge puts both parents back
    # (RevisionStep.unmerge_branch_idents: insert one, update m1 to the other).
    _expect(merge, ["m1"], "downgrade", ["b1"], "ok down:m1 b1,c1")
    # downgrade -1 from the merge point: RevisionMap._walk sees two
    # down revisions and refuses ("Ambiguous walk") instead of unmerging.
    _expect(merge, ["m1"], "downgrade", ["-1"], error="Ambiguous walk")
    # a relative downgrade with two rows takes the first row (with a
    # warning); b1's row is then deleted, not moved to a000, because c1
    # still implies a000 (RevisionStep.should_delete_branch).
    ans = _expect(merge, ["b1", "c1"], "downgrade", ["-1"], "ok down:b1 c1")
    assert any("ambiguous" in w for w in ans.warnings), ans.warnings

    # depends_on: x2 (second root) depends on a2.
    deps = _graph("a1 a2:a1 x1 x2:x1:a2")
    # Upgrading x2 brings a1 and a2 along; x2's down revisions are (x1, a2),
    # so its step is a merge of the two rows into one: only x2 stays.
    _expect(deps, [], "upgrade", ["x2"], "ok up:a1;up:a2;up:x1;up:x2 x2")
    # Downgrading a1 must take x2 down first (it depends on a2); the unmerge
    # gives back x1 and a2, then a2 -> a1.
    _expect(deps, ["x2"], "downgrade", ["a1"], "ok down:x2;down:a2 a1,x1")
    # dependency through a branch label
    labelled = _graph("a1:::core a2:a1 x1 x2:x1:core")
    _expect(labelled, [], "upgrade", ["x2"], "ok up:a1;up:x1;up:x2 x2")

    # branch labels: core on a1..a2, feat on b1..b2.
    labels = _graph("a1:::core a2:a1 b1:::feat b2:b1")
    _expect(labels, [], "upgrade", ["feat@head"], "ok up:b1;up:b2 b2")
    # core@+1 with no row on core: back to base, walk up the core root.
    _expect(labels, ["b2"], "upgrade", ["core@+1"], "ok up:a1 a1,b2")
    _expect(labels, ["a1", "b2"], "downgrade", ["feat@base"], "ok down:b2;down:b1 a1")
    _expect(labels, ["a1", "b2"], "downgrade", ["core@-1"], "ok down:a1 b2")
    # a label is a full key: exact lookup works
    _expect(labels, [], "upgrade", ["feat"], "ok up:b1 b1")

    # prefixes: partial matches only consider keys longer than 3 characters,
    # branch labels included.
    prefixes = _graph("ae ae10a1:ae ae10b2:ae10a1 ae1f:ae10b2 abc:ae1f ae10x2:abc::ae10_api")
    _expect(prefixes, [], "upgrade", ["ae"], "ok up:ae ae")  # exact key wins
    _expect(prefixes, [], "upgrade", ["ae10"], error="Multiple revisions start with 'ae10'")
    _expect(prefixes, [], "upgrade", ["ae1f"], "ok up:ae;up:ae10a1;up:ae10b2;up:ae1f ae1f")
    _expect(prefixes, [], "upgrade", ["ae10b"], "ok up:ae;up:ae10a1;up:ae10b2 ae10b2")
    _expect(prefixes, [], "upgrade", ["ab"], error="No such revision or branch 'ab'")  # 'abc' is too short to prefix-match
    _expect(prefixes, [], "upgrade", ["ae10_"], "ok up:ae;up:ae10a1;up:ae10b2;up:ae1f;up:abc;up:ae10x2 ae10x2")
    _expect(prefixes, [], "upgrade", ["zzzz"], error="No such revision")

    # Set order: d's two dependencies b, c come out of tuple(set(...))
    # (RevisionMap._normalize_depends_on), which steers _topological_sort.
    # Alembic's step order then depends on PYTHONHASHSEED, hence
    # OtherHashSeeds: here seeds 0..8 give both orders.
    hashed = _graph("a b c d:a:b,c")
    both = {"ok up:b;up:c;up:a;up:d d", "ok up:c;up:b;up:a;up:d d"}
    other = OtherHashSeeds([str(i) for i in range(9)])
    try:
        lines = {alt.line() for _, alt in other.answers(case_text(hashed, [], Command("upgrade", ["d"])))}
    finally:
        other.close()
    assert lines == both, lines
    print("  ok  upgrade d, PYTHONHASHSEED=0..8          -> %s" % " | ".join(sorted(lines)))

    # the harness itself: protocol text and parsing
    text = case_text(deps, ["x2"], Command("stamp", ["a1", "x1"]))
    assert text == "rev a1 - - -\nrev a2 a1 - -\nrev x1 - - -\nrev x2 x1 a2 -\ncurrent x2\nstamp a1,x1\n", text
    parsed = parse_cli_output("ok up:a;down:b a,b\n")
    assert parsed.ok and parsed.steps == ["up:a", "down:b"] and parsed.heads == ["a", "b"]
    assert parse_cli_output("error no such revision\n").error == "no such revision"
    assert parse_cli_output("ok x\n").crashed and parse_cli_output("").crashed

    # the generator: reproducible, and accepted by Alembic
    stats: Dict[str, int] = {}
    g1 = [make_accepted_graph(random.Random(7), stats) for _ in range(3)]
    g2 = [make_accepted_graph(random.Random(7), stats) for _ in range(3)]
    assert g1 == g2
    print("self-check: passed")
    return 0


# ---------------------------------------------------------------------------


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cli", help="path of migrate_plan_cli")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--graphs", type=int, default=150)
    parser.add_argument("--commands", type=int, default=12, help="commands per graph")
    parser.add_argument("--verbose", action="store_true", help="one line per command")
    parser.add_argument("--save-dir", help="write each mismatching case there as <case>.in (+ .alembic)")
    parser.add_argument("--max-show", type=int, default=25, help="mismatches printed in full (0: all)")
    parser.add_argument("--self-check", action="store_true", help="check the Alembic side alone")
    parser.add_argument("--dump-alembic", action="store_true",
                        help="print Alembic's answer per generated case, run nothing else")
    parser.add_argument("--hash-seed", default=_HASH_SEED_DEFAULT,
                        help="PYTHONHASHSEED for the run (default %(default)s)")
    parser.add_argument("--other-hash-seeds", type=int, default=8, metavar="K",
                        help="on a mismatch, ask Alembic again under K other PYTHONHASHSEED values "
                             "and accept ours if it matches one of them (default %(default)s; 0: never)")
    parser.add_argument("--alembic-case", metavar="FILE",
                        help="print Alembic's answer to one saved case (.in file, or - for stdin)")
    parser.add_argument("--oracle", action="store_true", help=argparse.SUPPRESS)  # OtherHashSeeds worker
    args = parser.parse_args(argv)

    if args.oracle:
        return run_oracle()
    if args.alembic_case:
        return run_alembic_case(args.alembic_case)
    if args.self_check:
        return self_check()
    if args.dump_alembic:
        return run_dump(args)
    if not args.cli:
        parser.error("--cli PATH is required (or --self-check / --dump-alembic)")
    check_cli(args.cli)
    try:
        return run_diff(args)
    except CliMissing as exc:
        sys.stderr.write("core_diff: migrate_plan_cli could not be run: %s\n" % exc)
        return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
