// What a revision's SQL holds, as PostgreSQL's own parser sees it.
#pragma once

#include "pg/postgres.hpp"

#include <string>
#include <vector>

namespace migrate::pg {

// Parses `sql` with raw_parser. A syntax error is reported as PostgreSQL
// reports it, pointing into the revision's SQL. When `in_transaction`,
// statements that cannot run inside upgrade()'s transaction are refused.
// Returns the number of statements.
int inspect_sql(const std::string &revision, const char *direction, const std::string &sql, bool in_transaction);

// raw_parser, with a syntax error pointed at `sql` itself (its position in
// the ErrorData's internalpos, not at the caller's query) and `where` added
// to its CONTEXT. Throws PgError.
List *parse_sql(const std::string &sql, const std::string &where);

// The line (1-based) where a parsed statement's first word is.
int statement_line(const std::string &sql, const RawStmt *raw);

// The string constants of a statement, as PostgreSQL's lexer reads them.
std::vector<std::string> string_constants(const std::string &statement);

// The line (1-based) of a 1-based character position in `sql`, as an
// error's position counts (parse_sql() puts it in internalpos).
int line_of_position(const std::string &sql, int position);

// One statement of a parsed SQL text, from its first word to its end
// (raw_parser's locations start just past the previous semicolon).
std::string statement_text(const std::string &sql, const RawStmt *raw);

// A backfill's batch: exactly one INSERT, UPDATE, DELETE or MERGE (the
// rows it affects are the progress). Throws migrate::Error or PgError.
void inspect_batch_sql(const std::string &backfill, const std::string &sql);

} // namespace migrate::pg
