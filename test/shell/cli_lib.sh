# Sourced by the pg_migrate shell tests: the installed client as $PGM, a
# scratch directory $work (removed on exit, with the test's databases), and
# `run` to capture a command's exit code, stdout and stderr.
. "$(dirname "$0")/lib.sh"
PGM=${PGM:-$(pg_config --bindir)/pg_migrate}
work=$(mktemp -d)
dbs=()
cleanup() {
  for d in "${dbs[@]}"; do dropdb --if-exists "$d" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# A fresh database with the extension, dropped on exit.
new_db() {
  dropdb --if-exists "$1" 2>/dev/null
  createdb "$1"
  dbs+=("$1")
  psql -X -q -v ON_ERROR_STOP=1 -d "$1" -c "CREATE EXTENSION migrate"
}

# run CMD...: sets $rc, $out (stdout) and $err (stderr); never fails itself.
run() {
  set +e
  "$@" >"$work/.out" 2>"$work/.err"
  rc=$?
  set -e
  out=$(cat "$work/.out")
  err=$(cat "$work/.err")
}

# expect_rc CODE CMD...: runs CMD and fails the test unless it exits with CODE.
expect_rc() {
  local want=$1
  shift
  run "$@"
  if [ "$rc" != "$want" ]; then
    echo "expected exit $want, got $rc: $*"
    echo "stdout: $out"
    echo "stderr: $err"
    exit 1
  fi
}

# A revision file: write_rev DIR FILE <<'SQL' ... SQL
write_rev() { cat >"$1/$2"; }
