#include "pg/sql_check.hpp"

#include "core/error.hpp"
#include "core/text.hpp"
#include "pg/guard.hpp"

#include <algorithm>
#include <optional>
#include <vector>

namespace migrate::pg {

namespace {

struct Refusal {
  const char *what;
  const char *sqlstate;
};

bool has_option(List *options, const char *name) {
  ListCell *lc;
  foreach (lc, options) {
    auto *opt = static_cast<DefElem *>(lfirst(lc));
    if (strcmp(opt->defname, name) == 0)
      return true;
  }
  return false;
}

// Statements PostgreSQL refuses inside a transaction block or a function.
std::optional<Refusal> refusal_for(Node *stmt) {
  switch (nodeTag(stmt)) {
  case T_TransactionStmt:
    return Refusal{"transaction control (BEGIN, COMMIT, ROLLBACK, SAVEPOINT...)",
                   sqlstate::invalid_transaction_termination};
  case T_VacuumStmt:
    if (castNode(VacuumStmt, stmt)->is_vacuumcmd)
      return Refusal{"VACUUM", sqlstate::active_sql_transaction};
    return std::nullopt;
  case T_IndexStmt:
    if (castNode(IndexStmt, stmt)->concurrent)
      return Refusal{"CREATE INDEX CONCURRENTLY", sqlstate::active_sql_transaction};
    return std::nullopt;
  case T_DropStmt:
    if (castNode(DropStmt, stmt)->concurrent)
      return Refusal{"DROP INDEX CONCURRENTLY", sqlstate::active_sql_transaction};
    return std::nullopt;
  case T_ReindexStmt: {
    auto *r = castNode(ReindexStmt, stmt);
    if (has_option(r->params, "concurrently"))
      return Refusal{"REINDEX CONCURRENTLY", sqlstate::active_sql_transaction};
    if (r->kind == REINDEX_OBJECT_SYSTEM || r->kind == REINDEX_OBJECT_DATABASE)
      return Refusal{"REINDEX SYSTEM or DATABASE", sqlstate::active_sql_transaction};
    return std::nullopt;
  }
  case T_ClusterStmt:
    if (!castNode(ClusterStmt, stmt)->relation)
      return Refusal{"CLUSTER without a table", sqlstate::active_sql_transaction};
    return std::nullopt;
  case T_CreatedbStmt:
    return Refusal{"CREATE DATABASE", sqlstate::active_sql_transaction};
  case T_DropdbStmt:
    return Refusal{"DROP DATABASE", sqlstate::active_sql_transaction};
  case T_CreateTableSpaceStmt:
    return Refusal{"CREATE TABLESPACE", sqlstate::active_sql_transaction};
  case T_DropTableSpaceStmt:
    return Refusal{"DROP TABLESPACE", sqlstate::active_sql_transaction};
  case T_AlterSystemStmt:
    return Refusal{"ALTER SYSTEM", sqlstate::active_sql_transaction};
  case T_CopyStmt: {
    auto *c = castNode(CopyStmt, stmt);
    if (!c->filename && !c->is_program)
      return Refusal{"COPY FROM STDIN or TO STDOUT", sqlstate::active_sql_transaction};
    return std::nullopt;
  }
  default:
    return std::nullopt;
  }
}

int line_of(const std::string &sql, int location) {
  return 1 + static_cast<int>(std::count(sql.begin(), sql.begin() + std::max(location, 0), '\n'));
}

} // namespace

// raw_parser, with a syntax error pointed at `sql` itself (not at the
// caller's query) and `where` added to its CONTEXT.
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

// Plain C, under pg_call: the offset of the first token at or after `from`
// (comments and blanks skipped, as PostgreSQL's lexer skips them).
static int first_token(const char *sql, int from) {
  core_yy_extra_type extra;
  core_yyscan_t scanner = scanner_init(sql + from, &extra, &ScanKeywords, ScanKeywordTokens);
  core_YYSTYPE value;
  YYLTYPE location = 0;
  int token = core_yylex(&value, &location, scanner);
  scanner_finish(scanner);
  return token == 0 ? from : from + location;
}

int statement_line(const std::string &sql, const RawStmt *raw) {
  const char *text = sql.c_str();
  const int from = std::min(std::max(raw->stmt_location, 0), static_cast<int>(sql.size()));
  return line_of(sql, pg_call([&] { return first_token(text, from); }));
}

// A transactional => false revision runs statement by statement at top
// level: transaction control has no place in it, and a concurrent index
// build must be named so that an INVALID index left by a failed build can be
// found and dropped before the revision runs again.
static void check_outside_transaction(const std::string &revision, const char *direction, const std::string &sql,
                                      List *stmts) {
  ListCell *lc;
  int index = 0;
  foreach (lc, stmts) {
    ++index;
    auto *raw = static_cast<RawStmt *>(lfirst(lc));
    const std::string where = std::string(direction) + " SQL of revision " + revision + ", statement " +
                              std::to_string(index) + " (line " + std::to_string(line_of(sql, raw->stmt_location)) +
                              ")";
    if (IsA(raw->stmt, TransactionStmt))
      throw Error(sqlstate::invalid_transaction_termination, "transaction control in the " + where, {},
                  "A transactional => false revision runs each statement in a transaction of its own.");
    if (IsA(raw->stmt, IndexStmt) && castNode(IndexStmt, raw->stmt)->concurrent &&
        !castNode(IndexStmt, raw->stmt)->idxname)
      throw Error(sqlstate::invalid_parameter_value, "CREATE INDEX CONCURRENTLY without an index name in the " + where,
                  {},
                  "Name the index: if a build fails or is cancelled, migrate drops the INVALID index it left, by "
                  "name, before running the revision again.");
  }
}

std::string statement_text(const std::string &sql, const RawStmt *raw) {
  std::size_t start = std::min<std::size_t>(std::max(raw->stmt_location, 0), sql.size());
  std::size_t end = raw->stmt_len > 0 ? std::min(sql.size(), start + raw->stmt_len) : sql.size();
  start = std::min(end, sql.find_first_not_of(" \t\r\n\f", start));
  return sql.substr(start, end - start);
}

// Plain C, under pg_call: the string constants of `sql`, as PostgreSQL's lexer reads them.
static List *raw_string_constants(const char *sql) {
  core_yy_extra_type extra;
  core_yyscan_t scanner = scanner_init(sql, &extra, &ScanKeywords, ScanKeywordTokens);
  core_YYSTYPE value;
  YYLTYPE location;
  List *out = NIL;
  for (int token; (token = core_yylex(&value, &location, scanner)) != 0;)
    if (token == SCONST)
      out = lappend(out, pstrdup(value.str));
  scanner_finish(scanner);
  return out;
}

// Plain C, under pg_call: the byte offset of a 1-based character position, as errors report positions.
static int byte_offset(const char *sql, int length, int position) {
  return position > 0 ? pg_mbcharcliplen(sql, length, position - 1) : 0;
}

std::vector<std::string> string_constants(const std::string &statement) {
  const char *source = statement.c_str();
  List *constants = pg_call([&] { return raw_string_constants(source); });
  std::vector<std::string> out;
  ListCell *lc;
  foreach (lc, constants)
    out.emplace_back(static_cast<const char *>(lfirst(lc)));
  return out;
}

int line_of_position(const std::string &sql, int position) {
  const char *source = sql.c_str();
  const int length = static_cast<int>(sql.size());
  return line_of(sql, pg_call([&] { return byte_offset(source, length, position); }));
}

int inspect_sql(const std::string &revision, const char *direction, const std::string &sql, bool in_transaction) {
  List *stmts = parse_sql(sql, std::string("migrate: parsing the ") + direction + " SQL of revision " + revision);
  int count = list_length(stmts);
  if (!in_transaction) {
    check_outside_transaction(revision, direction, sql, stmts);
    return count;
  }
  ListCell *lc;
  int index = 0;
  foreach (lc, stmts) {
    ++index;
    auto *raw = static_cast<RawStmt *>(lfirst(lc));
    auto refusal = refusal_for(raw->stmt);
    if (!refusal)
      continue;
    std::string statement = statement_text(sql, raw);
    const std::size_t start = sql.find(statement, std::max(raw->stmt_location, 0));
    throw Error(refusal->sqlstate,
                std::string(refusal->what) + " cannot run inside a transaction: " + direction + " SQL of revision " +
                    revision,
                "Statement " + std::to_string(index) + " (line " +
                    std::to_string(line_of(sql, static_cast<int>(start))) + "): " + excerpt(statement),
                "upgrade() runs every revision in the caller's transaction. Register this revision with "
                "transactional => false for statements that need their own transaction.");
  }
  return count;
}

void inspect_batch_sql(const std::string &backfill, const std::string &sql) {
  List *stmts = parse_sql(sql, "migrate: parsing the batch_sql of backfill " + backfill);
  const int count = list_length(stmts);
  const char *hint = "A batch is one INSERT, UPDATE, DELETE or MERGE: the rows it affects are the progress, "
                     "and a batch that affects none ends the backfill.";
  if (count != 1)
    throw Error(sqlstate::invalid_parameter_value,
                "batch_sql of backfill " + backfill + " must be one statement, not " + std::to_string(count), {}, hint);
  Node *stmt = linitial_node(RawStmt, stmts)->stmt;
  switch (nodeTag(stmt)) {
  case T_InsertStmt:
  case T_UpdateStmt:
  case T_DeleteStmt:
  case T_MergeStmt:
    return;
  default: {
    const char *tag = pg_call([&] { return GetCommandTagName(CreateCommandTag(stmt)); });
    throw Error(sqlstate::invalid_parameter_value,
                "batch_sql of backfill " + backfill + " must be an INSERT, UPDATE, DELETE or MERGE statement",
                std::string("It is ") + tag + ".", hint);
  }
  }
}

} // namespace migrate::pg
