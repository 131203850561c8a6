#include "pg/sql_check.hpp"

#include "core/error.hpp"
#include "core/text.hpp"
#include "pg/guard.hpp"

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

} // namespace

// A transactional => false revision runs statement by statement at top
// level: transaction control has no place in it, and a concurrent index
// build must be named so that an INVALID index left by a failed build can be
// found and dropped before the revision runs again.
static void check_outside_transaction(const std::string &revision, const char *direction,
                                      const std::vector<Statement> &statements) {
  for (const Statement &s : statements) {
    const std::string where = std::string(direction) + " SQL of revision " + revision + ", statement " +
                              std::to_string(s.number) + " (line " + std::to_string(s.line) + ")";
    if (IsA(s.raw->stmt, TransactionStmt))
      throw Error(sqlstate::invalid_transaction_termination, "transaction control in the " + where, {},
                  "A transactional => false revision runs each statement in a transaction of its own.");
    if (IsA(s.raw->stmt, IndexStmt) && castNode(IndexStmt, s.raw->stmt)->concurrent &&
        !castNode(IndexStmt, s.raw->stmt)->idxname)
      throw Error(sqlstate::invalid_parameter_value, "CREATE INDEX CONCURRENTLY without an index name in the " + where,
                  {},
                  "Name the index: if a build fails or is cancelled, migrate drops the INVALID index it left, by "
                  "name, before running the revision again.");
  }
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
  return line_at(sql, pg_call([&] { return byte_offset(source, length, position); }));
}

std::vector<Statement> inspect_sql(const std::string &revision, const char *direction, const std::string &sql,
                                   bool in_transaction) {
  auto statements =
      parse_statements(sql, std::string("migrate: parsing the ") + direction + " SQL of revision " + revision);
  if (!in_transaction) {
    check_outside_transaction(revision, direction, statements);
    return statements;
  }
  for (const Statement &s : statements) {
    auto refusal = refusal_for(s.raw->stmt);
    if (!refusal)
      continue;
    throw Error(refusal->sqlstate,
                std::string(refusal->what) + " cannot run inside a transaction: " + direction + " SQL of revision " +
                    revision,
                "Statement " + std::to_string(s.number) + " (line " + std::to_string(s.line) + "): " + excerpt(s.text),
                "upgrade() runs every revision in the caller's transaction. Register this revision with "
                "transactional => false for statements that need their own transaction.");
  }
  return statements;
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
