// migrate.lint(): which statements of a plan would hurt a live database, and
// how much, decided from facts the PostgreSQL side read from each statement's
// parse tree and from the catalog (a table's size on disk and reltuples,
// whether a default is volatile, whether a type change keeps the stored bytes,
// whether a validated CHECK proves a column NOT NULL). Pure C++: the rules,
// their severities, messages and hints live here and are unit-tested with
// made-up facts.
//
// The plan is simulated in order: a table created by an earlier statement of
// the plan has no reader yet (and, inside upgrade()'s one transaction, no one
// else can even see it), so the rules about locks and running applications
// leave it alone; a CHECK added and validated earlier counts for SET NOT NULL.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace migrate::lint {

enum class Severity { warning, error };
const char *severity_name(Severity severity);

struct Rule {
  const char *name;
  const char *summary;
};
// Every rule, in the order docs/proving.md lists them.
const std::vector<Rule> &rules();
bool is_rule(const std::string &name);
// "table-rewrite, index-not-concurrent, ...": every rule's name, for refusals.
std::string rule_names();
// Refuses (22023) a lint_ignore list that names an unknown rule or one twice.
void check_ignore_list(const std::string &revision, const std::vector<std::string> &names);

// What the catalog says of a table before the plan runs. Names everywhere in
// this file are display-ready: schema-qualified and quoted as PostgreSQL quotes them.
struct Table {
  std::string name;
  bool exists = false;        // found in the catalog
  std::int64_t bytes = 0;     // main fork on disk (of every partition, for a partitioned table)
  std::optional<double> rows; // reltuples; nullopt: never vacuumed or analyzed
  bool partitioned = false;
};

// Why adding a column rewrites the table (PostgreSQL 11+ stores a
// non-volatile default in the catalog instead).
enum class AddColumnRewrite { none, volatile_default, identity, serial, stored_generated, constrained_domain };

enum class Op {
  create_table, // also CREATE TABLE AS, SELECT INTO
  drop_table,
  rename_table,        // new_name
  add_column,          // column, add_rewrite, required
  drop_column,         // column
  rename_column,       // column, new_name
  alter_column_type,   // column, new_type, old_type, rewrites, using_expression
  set_not_null,        // column, already_not_null, proven_by_check
  add_check,           // constraint, not_valid, proves_not_null, inline_column
  add_foreign_key,     // constraint, not_valid, referenced, inline_column
  add_unique,          // constraint, constraint_kind, using_index, inline_column
  validate_constraint, // constraint
  set_persistence,     // new_name: "LOGGED" or "UNLOGGED"
  set_access_method,   // new_name: the method; rewrites
  set_tablespace,      // new_name: the tablespace
  create_index,        // index, concurrently
  vacuum_full,         // table.name empty: every table
  cluster,             // table.name empty: every clustered table
  add_enum_value,      // table.name: the type; label
};

// One thing a statement does, with the facts the rules need.
struct Action {
  Op op{};
  Table table; // the table acted on (the type, for add_enum_value)
  std::string column, new_name, constraint, index, label;
  std::string old_type, new_type; // alter_column_type, formatted by PostgreSQL
  std::optional<bool> rewrites;   // alter_column_type, set_access_method; nullopt: could not tell
  bool using_expression = false;  // alter_column_type: USING computes new values
  AddColumnRewrite add_rewrite = AddColumnRewrite::none;
  bool required = false;                    // add_column: NOT NULL without a default
  bool already_not_null = false;            // set_not_null
  bool proven_by_check = false;             // set_not_null: a validated CHECK in the catalog proves it
  bool not_valid = false;                   // add_check, add_foreign_key
  std::vector<std::string> proves_not_null; // add_check: columns its expression proves NOT NULL
  std::string referenced;                   // add_foreign_key: the referenced table
  std::string constraint_kind;              // add_unique: "PRIMARY KEY", "UNIQUE" or "EXCLUDE"
  bool using_index = false;                 // add_unique
  bool inline_column = false;               // a constraint written in ADD COLUMN
  bool concurrently = false;                // create_index
};

struct Statement {
  int number = 0; // 1-based, within the revision's upgrade SQL
  int line = 0;   // where it starts in that SQL
  std::vector<Action> actions;
  // Its string constants, as PostgreSQL's lexer reads them: for the use of a
  // freshly added enum value. Only filled once the plan added one.
  std::vector<std::string> literals;
  std::optional<std::string> error; // it could not be analyzed: PostgreSQL's message
};

struct Revision {
  std::string id;
  bool transactional = true;
  std::vector<std::string> ignore;         // rules silenced for this revision (lint_ignore)
  std::optional<std::string> syntax_error; // raw_parser refused its SQL: PostgreSQL's message
  int syntax_error_line = 0;
  std::vector<Statement> statements;
};

struct Options {
  // A table this large or larger makes a locking finding an error; a
  // smaller one (with rows) a warning (setting migrate.lint_large_table).
  std::int64_t large_table_bytes = 10 * 1024 * 1024;
  // CALL migrate.run() commits after each revision; upgrade() runs the whole
  // plan in one transaction.
  bool commit_per_revision = false;
};

struct Finding {
  std::string revision;
  int statement = 0;
  int line = 0;
  std::string rule;
  Severity severity = Severity::warning;
  std::string object, message, hint;
};

// The findings of a plan, its revisions given in the order they would run;
// silenced rules are left out.
std::vector<Finding> lint(const std::vector<Revision> &plan, const Options &options);

// "48 kB", "12 MB": sizes in messages, rounded as pg_size_pretty rounds.
std::string pretty_size(std::int64_t bytes);

} // namespace migrate::lint
