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

# Function names to plant decoys for (hostile_plants.sql): every name the
# engine's SQL text (string literals in src/pg) and the install scripts call,
# and common polymorphic, variadic and everyday ones (only those pg_catalog
# has are planted).
plant_function_names() {
  local src
  src=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../src" && pwd)
  {
    grep -ohE '"([^"\\]|\\.)*"' "$src"/pg/*.cpp | grep -oE '\b[a-z_][a-z0-9_]*[[:space:]]*\('
    grep -ohE '\b[a-z_][a-z0-9_]*[[:space:]]*\(' "$src"/sql/*.sql
    echo unnest array_agg string_agg count max min sum array_length array_upper cardinality format concat concat_ws \
      string_to_array array_to_string array_append array_cat array_position make_interval right left replace substr \
      strpos split_part length lower upper btrim date_part date_trunc extract to_char clock_timestamp now \
      statement_timestamp pg_advisory_xact_lock pg_advisory_lock pg_try_advisory_lock pg_advisory_unlock sha256 encode \
      decode quote_ident quote_literal quote_nullable gen_random_uuid pg_backend_pid pg_current_xact_id \
      current_database generate_series nextval set_config current_setting pg_sleep jsonb_build_object to_jsonb \
      num_nulls pg_typeof version pg_get_userbyid has_table_privilege | tr ' ' '\n'
  } | tr -d ' (' | grep . | sort -u | paste -sd, -
}
# The grants README documents for a deploying role (the ```sql block after
# "the table privileges they use:", in README.md or docs/), for role $1: the
# tests grant exactly what users read, so the list cannot go stale.
readme_grants() {
  local top
  top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
  cat "$top/README.md" "$top"/docs/*.md |
    awk '/the table privileges they use:/ {f = 1} f && /^```sql/ {g = 1; next} g && /^```/ {exit} g' |
    sed "s/\bdeployer\b/$1/g"
}
