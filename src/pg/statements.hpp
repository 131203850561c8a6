// SQL text split into statements by PostgreSQL's own parser (raw_parser):
// the one place that calls it.
#pragma once

#include "pg/postgres.hpp"

#include <string>
#include <vector>

namespace migrate::pg {

struct Statement {
  RawStmt *raw = nullptr; // raw_parser's tree, in the memory context current when parsed
  std::string text;       // from its first word to its end, without the semicolon
  int number = 0;         // 1 for the first statement
  int line = 0;           // of its first word, in the SQL
};

// Parses `sql`. A syntax error is raised as PostgreSQL raises it, pointing
// into `sql` itself (not into the caller's query), with `where` added to
// its CONTEXT.
std::vector<Statement> parse_statements(const std::string &sql, const std::string &where);

} // namespace migrate::pg
