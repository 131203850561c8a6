// What a revision's SQL holds, as PostgreSQL's own parser sees it.
#pragma once

#include "pg/postgres.hpp"
#include "pg/statements.hpp"

#include <string>
#include <vector>

namespace migrate::pg {

// Parses a revision's `sql` (parse_statements). When `in_transaction`,
// statements that cannot run inside a transaction are refused; otherwise
// (transactional => false) transaction control and an unnamed CREATE INDEX
// CONCURRENTLY. Returns the statements.
std::vector<Statement> inspect_sql(const std::string &revision, const char *direction, const std::string &sql,
                                   bool in_transaction);

// The string constants of a statement, as PostgreSQL's lexer reads them.
std::vector<std::string> string_constants(const std::string &statement);

// The line (1-based) of a 1-based character position in `sql`, as an
// error's position counts (parse_sql() puts it in internalpos).
int line_of_position(const std::string &sql, int position);

// A backfill's batch: exactly one INSERT, UPDATE, DELETE or MERGE (the
// rows it affects are the progress). Throws migrate::Error or PgError.
void inspect_batch_sql(const std::string &backfill, const std::string &sql);

} // namespace migrate::pg
