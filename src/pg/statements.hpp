// SQL text split into statements by PostgreSQL's own parser (raw_parser):
// the one place that calls it.
#pragma once

#include "pg/postgres.hpp"

#include <string>
#include <vector>

namespace migrate::pg {

struct Statement {
  RawStmt *raw = nullptr; // raw_parser's tree, in the memory context current when parsed
  std::string text;       // from its first word (or comment) to its end, without the semicolon
  int number = 0;         // 1 for the first statement
  int line = 0;           // of its first word, in the SQL (statement_line)
};

// raw_parser over `sql`. A syntax error is raised as PostgreSQL raises it,
// pointing into `sql` itself (its position in the ErrorData's internalpos,
// not in the caller's query), with `where` added to its CONTEXT. Throws PgError.
List *parse_sql(const std::string &sql, const std::string &where);

// The same, as statements.
std::vector<Statement> parse_statements(const std::string &sql, const std::string &where);

// One statement of a parsed SQL text, from its first non-blank character to
// its end (raw_parser's locations start just past the previous semicolon).
std::string statement_text(const std::string &sql, const RawStmt *raw);

// The line (1-based) where a parsed statement's first word is (comments and
// blanks skipped, as PostgreSQL's lexer skips them).
int statement_line(const std::string &sql, const RawStmt *raw);

// The line (1-based) of byte offset `offset` in `sql`.
int line_at(const std::string &sql, std::size_t offset);

} // namespace migrate::pg
