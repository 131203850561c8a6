#!/usr/bin/python3
"""Differential test of the core's target scanners against Alembic 1.8.1.

Random ASCII strings, built from the characters that matter to the target
grammar (word characters, `@ + - :`, blanks of every kind, newlines), go
through `migrate_syntax_cli` (src/core/target_syntax.cpp) and through what
Alembic itself runs on a target:

- `alembic.script.revision._relative_destination.match(s)` (Alembic's own
  compiled pattern, imported, not copied) and `int()` of its third group;
- `int(s)`, which `RevisionMap.get_revisions` applies to an id;
- `s.strip().split(":")`, which `alembic.command.history` applies to a range.

Python's int has no limit; where a number is beyond +-LONG_MAX the core must
answer `overflow` (22003). Non-ASCII text is refused before any scanner runs
(check_target_text), so it is not generated here.

    /usr/bin/python3 test/alembic_diff/syntax_diff.py --cli build/cmake/migrate_syntax_cli

The last line is `syntax_diff: N passed, M failed`; exit status 1 if M > 0.
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
from typing import List, Optional

from alembic.script.revision import _relative_destination

LONG_MAX = 2**63 - 1

# Weighted: word characters, the grammar's punctuation, every blank that
# int() or str.strip() treats specially, and a few bytes nothing accepts.
ALPHABET = (
    "ab" * 3 + "Z_" + "0123456789" * 2 + "@@@++--" + ":" + " \t\n\r\x0b\x0c" + "\x1c\x1f" + ".\x00\x7f"
)
EDGES = [
    "@+1", "a@", "+", "-", "-0", "+0", "abc+1x", "a@b@+1", "a@@+1", "\n@+1", "a\r@+1", "a\n@+1",
    "9223372036854775807", "-9223372036854775807", "-9223372036854775808", "+9223372036854775808",
    "-0009223372036854775807", "-1_000", "1__0", "_1", "1_", " -1 ", "\x1c-1", "-1\x1f", " a:b ",
    "\x1c:\x1f", ":", "::", "a:b:c", "", "x@-9223372036854775808", "x@+9223372036854775807",
    "-99999999999999999999999", "head-1", "base+1", "ae10@-2",
]


def hexs(s: Optional[str]) -> str:
    return "~" if s is None else s.encode("latin-1").hex()


def expected(s: str) -> str:
    m = _relative_destination.match(s)
    if not m:
        rel = "none"
    else:
        branch, symbol, relative = m.groups()
        steps = int(relative)
        rel = "overflow" if abs(steps) > LONG_MAX else "%s,%s,%s,%d" % (hexs(branch), hexs(symbol), hexs(relative), steps)
    try:
        n = int(s)
        num = ("overflow-" if n < 0 else "overflow+") if abs(n) > LONG_MAX else str(n)
    except ValueError:
        num = "none"
    if ":" not in s:
        rng = "error"
    else:
        parts = s.strip().split(":")
        rng = "error" if len(parts) != 2 else "%s,%s" % (hexs(parts[0]), hexs(parts[1]))
    return "\t".join([rel, num, rng])


def random_string(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.1:  # long runs of digits around the 64-bit limit
        digits = "".join(rng.choice("0123456789") for _ in range(rng.randint(17, 21)))
        if rng.random() < 0.3:
            digits = "0" * rng.randint(1, 5) + digits
        return rng.choice(["", "-", "+", "a@-", "x1+", " -", "ab@c-"]) + digits + rng.choice(["", " ", "x", "_1"])
    return "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 14)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cli", required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--cases", type=int, default=200000)
    parser.add_argument("--max-show", type=int, default=20)
    args = parser.parse_args()

    rng = random.Random(args.seed)
    cases: List[str] = EDGES + [random_string(rng) for _ in range(args.cases)]
    cli_input = "".join(hexs(s) + "\n" for s in cases)
    run = subprocess.run([args.cli], input=cli_input, capture_output=True, text=True, check=False)
    if run.returncode != 0:
        sys.stderr.write(run.stderr)
        print("syntax_diff: 0 passed, %d failed (the CLI exited %d)" % (len(cases), run.returncode))
        return 1
    ours = run.stdout.split("\n")[: len(cases)]
    failed = 0
    for s, got in zip(cases, ours):
        want = expected(s)
        if got != want:
            failed += 1
            if failed <= args.max_show:
                print("mismatch for %r:\n  alembic: %s\n  ours:    %s" % (s, want, got))
    if len(ours) != len(cases):
        failed += len(cases) - len(ours)
    print("syntax_diff: %d passed, %d failed" % (len(cases) - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
