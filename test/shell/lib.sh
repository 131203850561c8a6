# Sourced by shell tests: a fresh database $db (dropped on exit), q to run
# one statement in it (unaligned, tuples only), expect to match output.
fresh_db() {
  db=$1
  dropdb --if-exists "$db"
  createdb "$db"
  trap 'dropdb --if-exists "$db" 2>/dev/null || true' EXIT
}
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$db" -c "$1"; }
expect() { [[ "$1" =~ $2 ]] || { echo "expected /$2/, got: $1"; exit 1; }; }
