// What migrate.lint() asks the catalog (core/lint.hpp decides what it
// means): the table a statement names and its size, whether a default is
// volatile, whether a type change keeps the stored bytes, whether validated
// CHECKs prove a column NOT NULL. Nothing here takes a lock or changes
// anything: relations are looked up without locking, a size is the length
// of the relation's files (what pg_relation_size() measures) and reltuples,
// and the judgements are PostgreSQL's own coercion, planner, volatility and
// predicate-proof functions, applied as ALTER TABLE applies them. May throw
// PgError (an unknown function in a default, say): lint_facts.cpp reads each
// revision in a subtransaction.
#pragma once

#include "core/lint.hpp"
#include "pg/postgres.hpp"

#include <optional>
#include <string>

namespace migrate::pg {

struct RelationFacts {
  lint::Table table; // qualified name, found or not, size, rows, partitioned
  Oid relid = InvalidOid;
  char persistence = RELPERSISTENCE_PERMANENT;
  Oid access_method = InvalidOid;
  Oid tablespace = InvalidOid; // InvalidOid: the database's default
};

// The relation a statement names, resolved with the caller's search_path
// (revisions run with it). Not found: named where an unqualified CREATE
// would put it (the first schema of the path).
RelationFacts relation_facts(const RangeVar *rv);

// A type's qualified name: the catalog's, or where the plan would create it.
std::string type_name(List *names);

// ADD COLUMN ... DEFAULT: whether PostgreSQL computes the default for every
// row (it is volatile once planned) instead of storing it once.
bool default_is_volatile(Node *raw_default, TypeName *type);
bool has_constrained_domain(TypeName *type);

// ALTER COLUMN ... TYPE [USING]: whether ALTER TABLE rewrites the table.
struct TypeChange {
  std::optional<bool> rewrites; // nullopt: the column or a type is not in the catalog yet
  bool using_computes = false;  // USING is more than the column itself, cast
  std::string old_type, new_type;
};
TypeChange type_change(Oid relid, const char *column, TypeName *type, Node *using_expr);

// SET NOT NULL: is the column NOT NULL already; do validated CHECKs prove it
// (PostgreSQL 12+ then skips the scan).
struct NotNullFacts {
  bool column_found = false;
  bool already = false;
  bool proven_by_check = false;
};
NotNullFacts not_null_facts(Oid relid, const char *column);

// For IF NOT EXISTS: a column of `relid`; a relation (an index) in the same schema as `relid`.
bool column_exists(Oid relid, const char *column);
bool relation_exists_beside(Oid relid, const char *name);

// quote_identifier() as a std::string.
std::string quoted(const char *identifier);

} // namespace migrate::pg
