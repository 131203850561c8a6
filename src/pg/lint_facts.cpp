#include "pg/lint_facts.hpp"

#include "core/error.hpp"
#include "pg/guard.hpp"
#include "pg/lint_catalog.hpp"
#include "pg/procedure.hpp"
#include "pg/spi.hpp"
#include "pg/sql_check.hpp"

#include <algorithm>
#include <functional>

namespace migrate::pg {

namespace {

// Columns a raw CHECK expression proves NOT NULL on its own: `col IS NOT
// NULL`, alone or ANDed. Enough to follow a CHECK the plan adds, then
// validates, then uses for SET NOT NULL.
void not_null_columns(Node *expr, std::vector<std::string> &out) {
  if (!expr)
    return;
  if (IsA(expr, NullTest)) {
    auto *test = reinterpret_cast<NullTest *>(expr);
    if (test->nulltesttype != IS_NOT_NULL || !test->arg || !IsA(test->arg, ColumnRef))
      return;
    Node *last = static_cast<Node *>(llast(reinterpret_cast<ColumnRef *>(test->arg)->fields));
    if (IsA(last, String))
      out.push_back(quoted(strVal(last)));
  } else if (IsA(expr, BoolExpr) && reinterpret_cast<BoolExpr *>(expr)->boolop == AND_EXPR) {
    ListCell *lc;
    foreach (lc, reinterpret_cast<BoolExpr *>(expr)->args)
      not_null_columns(static_cast<Node *>(lfirst(lc)), out);
  }
}

// A literal, cast or not: the parser turns it into a constant right away
// (a value a type's input function read), never volatile. Also the case of
// a value the plan itself adds to an enum, which cannot be read yet.
bool is_constant(Node *expr) {
  while (IsA(expr, TypeCast))
    expr = reinterpret_cast<TypeCast *>(expr)->arg;
  return IsA(expr, A_Const);
}

bool is_serial(const TypeName *type) {
  if (list_length(type->names) != 1 || type->pct_type)
    return false;
  const char *name = strVal(linitial(type->names));
  for (const char *serial : {"smallserial", "serial2", "serial", "serial4", "bigserial", "serial8"})
    if (strcmp(name, serial) == 0)
      return true;
  return false;
}

class StatementReader {
public:
  explicit StatementReader(lint::Statement &out) : out_(out) {}

  void read(Node *stmt) {
    switch (nodeTag(stmt)) {
    case T_CreateStmt: {
      auto *s = castNode(CreateStmt, stmt);
      RelationFacts r = relation_facts(s->relation);
      if (!(s->if_not_exists && r.table.exists))
        add(lint::Op::create_table, r.table);
      break;
    }
    case T_CreateTableAsStmt:
      add(lint::Op::create_table, relation_facts(castNode(CreateTableAsStmt, stmt)->into->rel).table);
      break;
    case T_SelectStmt:
      if (auto *into = castNode(SelectStmt, stmt)->intoClause)
        add(lint::Op::create_table, relation_facts(into->rel).table);
      break;
    case T_DropStmt:
      drop(castNode(DropStmt, stmt));
      break;
    case T_RenameStmt:
      rename(castNode(RenameStmt, stmt));
      break;
    case T_AlterTableStmt:
      alter_table(castNode(AlterTableStmt, stmt));
      break;
    case T_IndexStmt: {
      auto *s = castNode(IndexStmt, stmt);
      RelationFacts r = relation_facts(s->relation);
      // CREATE INDEX ... ON ONLY a partitioned table builds nothing yet.
      if (r.table.partitioned && !s->relation->inh)
        break;
      // IF NOT EXISTS of an index that exists: nothing happens.
      if (s->if_not_exists && s->idxname && relation_exists_beside(r.relid, s->idxname))
        break;
      lint::Action a = action(lint::Op::create_index, r.table);
      a.concurrently = s->concurrent;
      a.index = s->idxname ? quoted(s->idxname) : "";
      out_.actions.push_back(a);
      break;
    }
    case T_VacuumStmt:
      vacuum(castNode(VacuumStmt, stmt));
      break;
    case T_ClusterStmt: {
      auto *s = castNode(ClusterStmt, stmt);
      add(lint::Op::cluster, s->relation ? relation_facts(s->relation).table : lint::Table{});
      break;
    }
    case T_AlterEnumStmt: {
      auto *s = castNode(AlterEnumStmt, stmt);
      if (!s->newVal || s->oldVal)
        break; // RENAME VALUE
      List *names = s->typeName;
      lint::Table type;
      type.name = type_name(names);
      lint::Action a = action(lint::Op::add_enum_value, type);
      a.label = s->newVal;
      out_.actions.push_back(a);
      added_enum_value = true;
      break;
    }
    default:
      break;
    }
  }

  bool added_enum_value = false;

private:
  static lint::Action action(lint::Op op, const lint::Table &table) {
    lint::Action a;
    a.op = op;
    a.table = table;
    return a;
  }
  void add(lint::Op op, const lint::Table &table) { out_.actions.push_back(action(op, table)); }

  void drop(DropStmt *s) {
    if (s->removeType != OBJECT_TABLE)
      return;
    ListCell *lc;
    foreach (lc, s->objects) {
      List *names = static_cast<List *>(lfirst(lc));
      RangeVar *rv = pg_call([&] { return makeRangeVarFromNameList(names); });
      add(lint::Op::drop_table, relation_facts(rv).table);
    }
  }

  void rename(RenameStmt *s) {
    if (s->renameType == OBJECT_TABLE) {
      RelationFacts r = relation_facts(s->relation);
      lint::Action a = action(lint::Op::rename_table, r.table);
      const char *relname = s->relation->relname;
      const char *newname = s->newname;
      // Same schema, new name: replace the last part of the qualified name.
      std::string name = r.table.name;
      const std::string old_part = quoted(relname);
      a.new_name = name.substr(0, name.size() - old_part.size()) + quoted(newname);
      out_.actions.push_back(a);
    } else if (s->renameType == OBJECT_COLUMN && s->relationType == OBJECT_TABLE) {
      lint::Action a = action(lint::Op::rename_column, relation_facts(s->relation).table);
      a.column = quoted(s->subname);
      a.new_name = quoted(s->newname);
      out_.actions.push_back(a);
    }
  }

  void vacuum(VacuumStmt *s) {
    if (!s->is_vacuumcmd)
      return;
    bool full = false;
    ListCell *lc;
    foreach (lc, s->options) {
      auto *opt = static_cast<DefElem *>(lfirst(lc));
      if (strcmp(opt->defname, "full") == 0)
        full = pg_call([&] { return defGetBoolean(opt); });
    }
    if (!full)
      return;
    if (s->rels == NIL)
      add(lint::Op::vacuum_full, lint::Table{});
    foreach (lc, s->rels) {
      auto *rel = static_cast<VacuumRelation *>(lfirst(lc));
      if (rel->relation)
        add(lint::Op::vacuum_full, relation_facts(rel->relation).table);
    }
  }

  void alter_table(AlterTableStmt *s) {
    if (s->objtype != OBJECT_TABLE)
      return;
    RelationFacts r = relation_facts(s->relation);
    ListCell *lc;
    foreach (lc, s->cmds) {
      auto *cmd = static_cast<AlterTableCmd *>(lfirst(lc));
      switch (cmd->subtype) {
      case AT_AddColumn:
        add_column(r, castNode(ColumnDef, cmd->def), cmd->missing_ok);
        break;
      case AT_DropColumn: {
        lint::Action a = action(lint::Op::drop_column, r.table);
        a.column = quoted(cmd->name);
        out_.actions.push_back(a);
        break;
      }
      case AT_AlterColumnType:
        alter_type(r, cmd->name, castNode(ColumnDef, cmd->def));
        break;
      case AT_SetNotNull:
        set_not_null(r, cmd->name);
        break;
      case AT_AddConstraint:
        add_constraint(r, castNode(Constraint, cmd->def), nullptr);
        break;
      case AT_ValidateConstraint: {
        lint::Action a = action(lint::Op::validate_constraint, r.table);
        a.constraint = quoted(cmd->name);
        out_.actions.push_back(a);
        break;
      }
      case AT_SetLogged:
      case AT_SetUnLogged: {
        const bool logged = cmd->subtype == AT_SetLogged;
        lint::Action a = action(lint::Op::set_persistence, r.table);
        a.new_name = logged ? "LOGGED" : "UNLOGGED";
        // Already so: nothing to do.
        a.rewrites = !r.table.exists || (r.persistence == RELPERSISTENCE_PERMANENT) != logged;
        out_.actions.push_back(a);
        break;
      }
      case AT_SetAccessMethod: {
        const char *method = cmd->name;
        lint::Action a = action(lint::Op::set_access_method, r.table);
        a.new_name = quoted(method);
        Oid am = pg_call([&] { return get_am_oid(method, true); });
        a.rewrites = !r.table.exists || am != r.access_method;
        out_.actions.push_back(a);
        break;
      }
      case AT_SetTableSpace: {
        const char *space = cmd->name;
        lint::Action a = action(lint::Op::set_tablespace, r.table);
        a.new_name = quoted(space);
        Oid oid = pg_call([&] { return get_tablespace_oid(space, true); });
        if (oid == MyDatabaseTableSpace)
          oid = InvalidOid; // pg_class says 0 for the database's default
        a.rewrites = !r.table.exists || oid != r.tablespace;
        if (*a.rewrites)
          out_.actions.push_back(a);
        break;
      }
      default:
        break;
      }
    }
  }

  void add_column(const RelationFacts &r, ColumnDef *def, bool if_not_exists) {
    // IF NOT EXISTS of a column that exists: nothing happens.
    if (if_not_exists && column_exists(r.relid, def->colname))
      return;
    lint::Action a = action(lint::Op::add_column, r.table);
    a.column = quoted(def->colname);
    Node *raw_default = def->raw_default;
    bool not_null = def->is_not_null, identity = def->identity != 0, generated = def->generated != 0, primary = false;
    ListCell *lc;
    foreach (lc, def->constraints) {
      auto *c = static_cast<Constraint *>(lfirst(lc));
      switch (c->contype) {
      case CONSTR_DEFAULT:
        raw_default = c->raw_expr;
        break;
      case CONSTR_IDENTITY:
        identity = true;
        break;
      case CONSTR_GENERATED:
        generated = true;
        break;
      case CONSTR_NOTNULL:
        not_null = true;
        break;
      case CONSTR_PRIMARY:
        primary = true;
        break;
      default:
        break;
      }
    }
    TypeName *type = def->typeName;
    const bool serial = is_serial(type);
    if (identity)
      a.add_rewrite = lint::AddColumnRewrite::identity;
    else if (serial)
      a.add_rewrite = lint::AddColumnRewrite::serial;
    else if (generated)
      a.add_rewrite = lint::AddColumnRewrite::stored_generated;
    else if (raw_default && !is_constant(raw_default) && default_is_volatile(raw_default, type))
      a.add_rewrite = lint::AddColumnRewrite::volatile_default;
    else if (has_constrained_domain(type))
      a.add_rewrite = lint::AddColumnRewrite::constrained_domain;
    a.required = (not_null || primary) && !raw_default && !identity && !serial && !generated;
    out_.actions.push_back(a);
    // Constraints written in the column definition act on every row too.
    foreach (lc, def->constraints) {
      auto *c = static_cast<Constraint *>(lfirst(lc));
      add_constraint(r, c, def);
    }
  }

  void add_constraint(const RelationFacts &r, Constraint *c, ColumnDef *column) {
    lint::Action a;
    a.table = r.table;
    a.constraint = c->conname ? quoted(c->conname) : "";
    a.inline_column = column != nullptr;
    if (column)
      a.column = quoted(column->colname);
    switch (c->contype) {
    case CONSTR_CHECK:
      a.op = lint::Op::add_check;
      a.not_valid = c->skip_validation;
      not_null_columns(c->raw_expr, a.proves_not_null);
      break;
    case CONSTR_FOREIGN:
      a.op = lint::Op::add_foreign_key;
      a.not_valid = c->skip_validation;
      a.referenced = relation_facts(c->pktable).table.name;
      break;
    case CONSTR_PRIMARY:
    case CONSTR_UNIQUE:
    case CONSTR_EXCLUSION:
      a.op = lint::Op::add_unique;
      a.constraint_kind = c->contype == CONSTR_PRIMARY  ? "PRIMARY KEY"
                          : c->contype == CONSTR_UNIQUE ? "UNIQUE"
                                                        : "EXCLUDE";
      a.using_index = c->indexname != nullptr;
      break;
    default:
      return;
    }
    out_.actions.push_back(a);
  }

  void alter_type(const RelationFacts &r, const char *column, ColumnDef *def) {
    lint::Action a = action(lint::Op::alter_column_type, r.table);
    a.column = quoted(column);
    TypeChange change = type_change(r.relid, column, def->typeName, def->raw_default);
    a.new_type = change.new_type;
    a.old_type = change.old_type;
    a.using_expression = change.using_computes;
    a.rewrites = change.rewrites;
    out_.actions.push_back(a);
  }

  void set_not_null(const RelationFacts &r, const char *column) {
    lint::Action a = action(lint::Op::set_not_null, r.table);
    a.column = quoted(column);
    NotNullFacts facts = not_null_facts(r.relid, column);
    a.already_not_null = facts.already;
    a.proven_by_check = facts.proven_by_check;
    out_.actions.push_back(a);
  }

  lint::Statement &out_;
};

// Reads one statement into `st`; may throw PgError.
// Reads one statement into `st`; may throw PgError. Its string constants
// first: they are there even when reading what it does fails.
void read_statement(const std::string &sql, RawStmt *raw, lint::Statement &st, bool &collect_literals) {
  if (collect_literals)
    st.literals = string_constants(statement_text(sql, raw));
  StatementReader reader(st);
  reader.read(raw->stmt);
  if (reader.added_enum_value)
    collect_literals = true;
}

// Runs `fn` in a subtransaction. A PostgreSQL error rolls it back and comes
// back as its message; a cancel (or any other exception) is rethrown.
bool attempt(const std::function<void()> &fn, std::string &error, int *position = nullptr) {
  Subtransaction sub;
  sub.begin();
  try {
    fn();
  } catch (const PgError &e) {
    sub.rollback();
    if (is_interrupt(e.data()))
      throw;
    error = e.data()->message ? e.data()->message : "";
    if (position)
      *position = e.data()->internalpos;
    return false;
  } catch (...) {
    sub.rollback();
    throw;
  }
  sub.release();
  return true;
}

} // namespace

lint::Revision read_for_lint(const RevisionContent &content, bool &collect_literals) {
  lint::Revision r;
  r.id = content.graph.id;
  r.transactional = content.transactional;
  r.ignore = content.lint_ignore;
  const std::string &sql = content.upgrade_sql;
  // Parse trees and catalog lookups of one revision live in a context of
  // their own. On an error it is left to the transaction's: the error may
  // still point into it.
  MemoryContext scratch =
      pg_call([] { return AllocSetContextCreate(CurrentMemoryContext, "migrate lint", ALLOCSET_DEFAULT_SIZES); });
  MemoryContext caller = pg_call([&] { return MemoryContextSwitchTo(scratch); });
  try {
    pg_call([] { CHECK_FOR_INTERRUPTS(); });
    const std::string where = "migrate: parsing the upgrade SQL of revision " + r.id;
    List *stmts = nullptr;
    std::string error;
    const bool literals_before = collect_literals;
    // One subtransaction for the whole revision; statement by statement only when it fails.
    auto read_all = [&] {
      stmts = parse_sql(sql, where);
      r.statements.clear();
      int number = 0;
      ListCell *lc;
      foreach (lc, stmts) {
        auto *raw = static_cast<RawStmt *>(lfirst(lc));
        lint::Statement st;
        st.number = ++number;
        st.line = statement_line(sql, raw);
        read_statement(sql, raw, st, collect_literals);
        r.statements.push_back(std::move(st));
      }
    };
    if (!attempt(read_all, error)) {
      collect_literals = literals_before;
      r.statements.clear();
      int position = 0;
      if (!attempt([&] { stmts = parse_sql(sql, where); }, error, &position)) {
        r.syntax_error = error;
        r.syntax_error_line = line_of_position(sql, position);
      } else {
        int number = 0;
        ListCell *lc;
        foreach (lc, stmts) {
          auto *raw = static_cast<RawStmt *>(lfirst(lc));
          lint::Statement st;
          st.number = ++number;
          st.line = statement_line(sql, raw);
          if (!attempt([&] { read_statement(sql, raw, st, collect_literals); }, error)) {
            st.actions.clear();
            st.error = error;
          }
          r.statements.push_back(std::move(st));
        }
      }
    }
  } catch (...) {
    pg_call([&] { MemoryContextSwitchTo(caller); });
    throw;
  }
  pg_call([&] {
    MemoryContextSwitchTo(caller);
    MemoryContextDelete(scratch);
  });
  return r;
}

} // namespace migrate::pg
