#include "pg/statements.hpp"

#include "pg/guard.hpp"

#include <algorithm>

namespace migrate::pg {

namespace {

// Plain C, under pg_call: the offset of the first token at or after `from`
// (comments and blanks skipped, as PostgreSQL's lexer skips them).
int first_token(const char *sql, int from) {
  core_yy_extra_type extra;
  core_yyscan_t scanner = scanner_init(sql + from, &extra, &ScanKeywords, ScanKeywordTokens);
  core_YYSTYPE value;
  YYLTYPE location = 0;
  int token = core_yylex(&value, &location, scanner);
  scanner_finish(scanner);
  return token == 0 ? from : from + location;
}

} // namespace

int line_at(const std::string &sql, std::size_t offset) {
  return 1 + static_cast<int>(std::count(sql.begin(), sql.begin() + std::min(offset, sql.size()), '\n'));
}

List *parse_sql(const std::string &sql, const std::string &where) {
  const char *source = sql.c_str();
  try {
    return pg_call([&] { return raw_parser(source, RAW_PARSE_DEFAULT); });
  } catch (const PgError &e) {
    ErrorData *data = e.data();
    const char *where_text = where.c_str();
    pg_call([&] {
      if (data->cursorpos > 0) {
        data->internalpos = data->cursorpos;
        data->internalquery = pstrdup(source);
        data->cursorpos = 0;
      }
      data->context = data->context ? psprintf("%s\n%s", data->context, where_text) : pstrdup(where_text);
    });
    throw;
  }
}

std::string statement_text(const std::string &sql, const RawStmt *raw) {
  std::size_t start = std::min<std::size_t>(std::max(raw->stmt_location, 0), sql.size());
  std::size_t end = raw->stmt_len > 0 ? std::min(sql.size(), start + raw->stmt_len) : sql.size();
  start = std::min(end, sql.find_first_not_of(" \t\r\n\f", start));
  return sql.substr(start, end - start);
}

int statement_line(const std::string &sql, const RawStmt *raw) {
  const char *text = sql.c_str();
  const int from = std::min(std::max(raw->stmt_location, 0), static_cast<int>(sql.size()));
  return line_at(sql, static_cast<std::size_t>(pg_call([&] { return first_token(text, from); })));
}

std::vector<Statement> parse_statements(const std::string &sql, const std::string &where) {
  List *parsed = parse_sql(sql, where);
  std::vector<Statement> out;
  const int count = list_length(parsed);
  out.reserve(count);
  for (int i = 0; i < count; ++i) {
    auto *raw = static_cast<RawStmt *>(list_nth(parsed, i));
    out.push_back(Statement{raw, statement_text(sql, raw), i + 1, statement_line(sql, raw)});
  }
  return out;
}

} // namespace migrate::pg
