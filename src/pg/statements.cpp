#include "pg/statements.hpp"

#include "pg/guard.hpp"

#include <algorithm>

namespace migrate::pg {

namespace {

int line_of(const std::string &sql, std::size_t position) {
  return 1 + static_cast<int>(std::count(sql.begin(), sql.begin() + std::min(position, sql.size()), '\n'));
}

// raw_parser's locations start just past the previous semicolon: the
// statement starts at the first non-blank character from there.
std::size_t start_of(const std::string &sql, const RawStmt *raw, std::size_t end) {
  std::size_t start = std::min<std::size_t>(std::max(raw->stmt_location, 0), sql.size());
  return std::min(end, sql.find_first_not_of(" \t\r\n\f", start));
}

std::size_t end_of(const std::string &sql, const RawStmt *raw) {
  std::size_t start = std::min<std::size_t>(std::max(raw->stmt_location, 0), sql.size());
  return raw->stmt_len > 0 ? std::min(sql.size(), start + raw->stmt_len) : sql.size();
}

} // namespace

std::vector<Statement> parse_statements(const std::string &sql, const std::string &where) {
  const char *source = sql.c_str();
  List *parsed = nullptr;
  try {
    parsed = pg_call([&] { return raw_parser(source, RAW_PARSE_DEFAULT); });
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
  std::vector<Statement> out;
  const int count = list_length(parsed);
  out.reserve(count);
  for (int i = 0; i < count; ++i) {
    auto *raw = static_cast<RawStmt *>(list_nth(parsed, i));
    const std::size_t end = end_of(sql, raw), start = start_of(sql, raw, end);
    out.push_back(Statement{raw, sql.substr(start, end - start), i + 1, line_of(sql, start)});
  }
  return out;
}

} // namespace migrate::pg
