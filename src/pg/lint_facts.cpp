#include "pg/lint_facts.hpp"

#include "core/error.hpp"
#include "pg/guard.hpp"
#include "pg/procedure.hpp"
#include "pg/spi.hpp"
#include "pg/sql_check.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <functional>

namespace migrate::pg {

namespace {

// --- Plain C helpers: each runs under pg_call and returns palloc'd values. ---

// The length of a relation's main fork, summed over its 1 GB segments: what
// pg_relation_size() measures, read without opening (and so locking) the relation.
int64 main_fork_bytes(Form_pg_class rel) {
  if (!RELKIND_HAS_STORAGE(rel->relkind) || !OidIsValid(rel->relfilenode))
    return 0;
  RelFileNode node;
  node.spcNode = OidIsValid(rel->reltablespace) ? rel->reltablespace : MyDatabaseTableSpace;
  node.dbNode = rel->relisshared ? InvalidOid : MyDatabaseId;
  node.relNode = rel->relfilenode;
  BackendId backend = InvalidBackendId;
  if (rel->relpersistence == RELPERSISTENCE_TEMP) {
    if (!isTempNamespace(rel->relnamespace))
      return 0; // another session's: its files are not ours to read
    backend = BackendIdForTempRelations();
  }
  char *path = relpathbackend(node, backend, MAIN_FORKNUM);
  int64 total = 0;
  for (unsigned segment = 0;; ++segment) {
    char *file = segment == 0 ? path : psprintf("%s.%u", path, segment);
    struct stat st;
    if (stat(file, &st) != 0)
      break; // no more segments (or the relation went away meanwhile)
    total += st.st_size;
  }
  return total;
}

struct RelationFacts {
  bool exists;
  Oid relid;
  char *name;
  int64 bytes;
  double rows;
  bool rows_known;
  bool partitioned;
  char relpersistence;
  Oid relam;
  Oid reltablespace;
};

void read_relation(Oid relid, RelationFacts *out) {
  HeapTuple tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
  if (!HeapTupleIsValid(tuple))
    return;
  Form_pg_class rel = (Form_pg_class)GETSTRUCT(tuple);
  out->exists = true;
  out->relid = relid;
  out->name = quote_qualified_identifier(get_namespace_name(rel->relnamespace), NameStr(rel->relname));
  out->partitioned = rel->relkind == RELKIND_PARTITIONED_TABLE;
  out->relpersistence = rel->relpersistence;
  out->relam = rel->relam;
  out->reltablespace = rel->reltablespace;
  out->rows = rel->reltuples;
  out->rows_known = rel->reltuples >= 0;
  out->bytes = main_fork_bytes(rel);
  ReleaseSysCache(tuple);
  if (!out->partitioned)
    return;
  // A partitioned table holds nothing itself: its partitions are what is read or rewritten.
  out->rows = 0;
  out->rows_known = true;
  ListCell *lc;
  List *all = find_all_inheritors(relid, NoLock, NULL);
  foreach (lc, all) {
    HeapTuple child = SearchSysCache1(RELOID, ObjectIdGetDatum(lfirst_oid(lc)));
    if (!HeapTupleIsValid(child))
      continue;
    Form_pg_class c = (Form_pg_class)GETSTRUCT(child);
    if (RELKIND_HAS_STORAGE(c->relkind)) {
      out->bytes += main_fork_bytes(c);
      if (c->reltuples < 0)
        out->rows_known = false;
      else
        out->rows += c->reltuples;
    }
    ReleaseSysCache(child);
  }
}

// The schema an unqualified CREATE would use: the first of the caller's
// search_path that exists (revisions run with the caller's path).
const char *creation_schema(void) {
  List *path = fetch_search_path(false);
  return path ? get_namespace_name(linitial_oid(path)) : NULL;
}

char *name_in(const char *schema, const char *name) {
  return schema ? quote_qualified_identifier(schema, name) : pstrdup(quote_identifier(name));
}

void relation_by_rangevar(const RangeVar *rv, RelationFacts *out) {
  Oid relid = RangeVarGetRelidExtended(rv, NoLock, RVR_MISSING_OK, NULL, NULL);
  if (OidIsValid(relid))
    read_relation(relid, out);
  if (out->exists)
    return;
  const char *schema = rv->schemaname                              ? rv->schemaname
                       : rv->relpersistence == RELPERSISTENCE_TEMP ? "pg_temp"
                                                                   : creation_schema();
  out->name = name_in(schema, rv->relname);
}

// A type's display name: the catalog's, or where the plan would create it.
char *type_name_of(List *names) {
  Type type = LookupTypeName(NULL, makeTypeNameFromNameList(names), NULL, true);
  if (type) {
    Form_pg_type t = (Form_pg_type)GETSTRUCT(type);
    char *name = quote_qualified_identifier(get_namespace_name(t->typnamespace), NameStr(t->typname));
    ReleaseSysCache(type);
    return name;
  }
  char *schema = NULL, *name = NULL;
  DeconstructQualifiedName(names, &schema, &name);
  return name_in(schema ? schema : creation_schema(), name);
}

// Whether ALTER TABLE ... ADD COLUMN with this default fills every row: as
// PostgreSQL decides it, a default that is volatile once planned.
bool default_is_volatile(Node *raw_default, TypeName *type_name) {
  ParseState *pstate = make_parsestate(NULL);
  Node *expr = transformExpr(pstate, raw_default, EXPR_KIND_COLUMN_DEFAULT);
  int32 typmod = -1;
  Type type = LookupTypeName(pstate, type_name, &typmod, true);
  if (type) {
    Oid typid = typeTypeId(type);
    ReleaseSysCache(type);
    Node *coerced = coerce_to_target_type(pstate, expr, exprType(expr), typid, typmod, COERCION_ASSIGNMENT,
                                          COERCE_IMPLICIT_CAST, -1);
    if (coerced)
      expr = coerced;
  }
  assign_expr_collations(pstate, expr);
  free_parsestate(pstate);
  return contain_volatile_functions_after_planning((Expr *)expr);
}

bool has_constrained_domain(TypeName *type_name) {
  Type type = LookupTypeName(NULL, type_name, NULL, true);
  if (!type)
    return false;
  Oid typid = typeTypeId(type);
  ReleaseSysCache(type);
  return DomainHasConstraints(typid);
}

// The expression that turns a stored value into the new type keeps its bytes
// when it is the column itself under binary-compatible relabelings, casts to
// domains without constraints, and the timestamp <-> timestamptz conversions
// when TimeZone is UTC: the cases in which ALTER TABLE rewrites nothing
// (PostgreSQL's own rule, ATColumnChangeRequiresRewrite, applied to the
// planned expression).
bool keeps_stored_bytes(Node *expr, AttrNumber attnum) {
  for (;;) {
    if (IsA(expr, Var) && ((Var *)expr)->varattno == attnum)
      return true;
    if (IsA(expr, RelabelType)) {
      expr = (Node *)((RelabelType *)expr)->arg;
    } else if (IsA(expr, CoerceToDomain)) {
      if (DomainHasConstraints(((CoerceToDomain *)expr)->resulttype))
        return false;
      expr = (Node *)((CoerceToDomain *)expr)->arg;
    } else if (IsA(expr, FuncExpr) &&
               (((FuncExpr *)expr)->funcid == F_TIMESTAMPTZ_TIMESTAMP ||
                ((FuncExpr *)expr)->funcid == F_TIMESTAMP_TIMESTAMPTZ) &&
               !TimestampTimestampTzRequiresRewrite()) {
      expr = (Node *)linitial(((FuncExpr *)expr)->args);
    } else {
      return false;
    }
  }
}

bool names_column(Node *node, const char *column) {
  if (!IsA(node, ColumnRef))
    return false;
  Node *last = (Node *)llast(((ColumnRef *)node)->fields);
  return IsA(last, String) && strcmp(strVal(last), column) == 0;
}

struct TypeChange {
  int keeps; // 1: no rewrite; 0: rewrite; -1: cannot tell
  bool using_computes;
  char *old_type;
  char *new_type;
};

// ALTER COLUMN ... TYPE, judged the way ALTER TABLE judges it: the old value
// (a Var), the USING expression's casts, the coercion to the new type, then
// the planner (which drops length coercions that cannot fail, such as
// varchar(n) to varchar(m > n)), then the rule above.
void type_change(Oid relid, const char *column, TypeName *type_name, Node *using_expr, TypeChange *out) {
  out->keeps = -1;
  out->new_type = TypeNameToString(type_name);
  AttrNumber attnum = OidIsValid(relid) ? get_attnum(relid, column) : InvalidAttrNumber;
  int32 typmod = -1;
  Type type = LookupTypeName(NULL, type_name, &typmod, true);
  if (!type)
    return;
  Oid typid = typeTypeId(type);
  ReleaseSysCache(type);
  out->new_type = format_type_with_typemod(typid, typmod);
  if (attnum <= 0)
    return;
  Oid oldtype, oldcoll;
  int32 oldtypmod;
  get_atttypetypmodcoll(relid, attnum, &oldtype, &oldtypmod, &oldcoll);
  out->old_type = format_type_with_typemod(oldtype, oldtypmod);
  ParseState *pstate = make_parsestate(NULL);
  Node *expr = (Node *)makeVar(1, attnum, oldtype, oldtypmod, oldcoll, 0);
  if (using_expr) {
    List *casts = NIL;
    Node *inner = using_expr;
    while (IsA(inner, TypeCast)) {
      casts = lcons(((TypeCast *)inner)->typeName, casts);
      inner = ((TypeCast *)inner)->arg;
    }
    if (!names_column(inner, column)) {
      out->using_computes = true;
      out->keeps = 0;
      return;
    }
    ListCell *lc;
    foreach (lc, casts) {
      int32 castmod = -1;
      Type cast = LookupTypeName(pstate, (TypeName *)lfirst(lc), &castmod, true);
      if (!cast)
        return;
      Oid castid = typeTypeId(cast);
      ReleaseSysCache(cast);
      expr = coerce_to_target_type(pstate, expr, exprType(expr), castid, castmod, COERCION_EXPLICIT,
                                   COERCE_EXPLICIT_CAST, -1);
      if (!expr)
        return;
    }
  }
  expr =
      coerce_to_target_type(pstate, expr, exprType(expr), typid, typmod, COERCION_ASSIGNMENT, COERCE_IMPLICIT_CAST, -1);
  if (!expr)
    return; // no cast: ALTER TABLE will refuse it
  assign_expr_collations(pstate, expr);
  expr = (Node *)expression_planner((Expr *)expr);
  free_parsestate(pstate);
  out->keeps = keeps_stored_bytes(expr, attnum) ? 1 : 0;
}

// What SET NOT NULL needs: is the column NOT NULL already, and its type for
// the proof below.
struct ColumnFacts {
  AttrNumber attnum;
  bool not_null;
  Oid type;
  int32 typmod;
  Oid collation;
};

void column_facts(Oid relid, const char *column, ColumnFacts *out) {
  out->attnum = InvalidAttrNumber;
  if (!OidIsValid(relid))
    return;
  HeapTuple tuple = SearchSysCacheAttName(relid, column);
  if (!HeapTupleIsValid(tuple))
    return;
  Form_pg_attribute att = (Form_pg_attribute)GETSTRUCT(tuple);
  out->attnum = att->attnum;
  out->not_null = att->attnotnull;
  out->type = att->atttypid;
  out->typmod = att->atttypmod;
  out->collation = att->attcollation;
  ReleaseSysCache(tuple);
}

// Whether validated CHECK constraints (their stored trees) prove the column
// NOT NULL: PostgreSQL 12+'s test before SET NOT NULL scans (a weak
// implication: a CHECK passes on NULL too).
bool checks_prove_not_null(const char *const *trees, int count, const ColumnFacts *column) {
  NullTest *test = makeNode(NullTest);
  test->arg = (Expr *)makeVar(1, column->attnum, column->type, column->typmod, column->collation, 0);
  test->nulltesttype = IS_NOT_NULL;
  test->argisrow = false;
  test->location = -1;
  List *clauses = NIL;
  for (int i = 0; i < count; ++i) {
    Node *expr = (Node *)stringToNode(trees[i]);
    expr = eval_const_expressions(NULL, expr);
    expr = (Node *)canonicalize_qual((Expr *)expr, true);
    clauses = list_concat(clauses, make_ands_implicit((Expr *)expr));
  }
  return predicate_implied_by(list_make1(test), clauses, true);
}

// The string constants of one statement, as PostgreSQL's lexer reads them.
List *string_constants(const char *sql) {
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

// Byte offset of a 1-based character position, as errors report positions.
int byte_offset(const char *sql, int length, int position) {
  return position > 0 ? pg_mbcharcliplen(sql, length, position - 1) : 0;
}

// --- C++: turning the facts into core values --------------------------------

std::string str(const char *s) {
  return s ? std::string(s) : std::string();
}

std::string quoted(const char *identifier) {
  return str(pg_call([&] { return quote_identifier(identifier); }));
}

struct Resolved {
  lint::Table table;
  Oid relid = InvalidOid;
  char relpersistence = RELPERSISTENCE_PERMANENT;
  Oid relam = InvalidOid;
  Oid reltablespace = InvalidOid;
};

Resolved resolve(const RangeVar *rv) {
  RelationFacts f{};
  pg_call([&] { relation_by_rangevar(rv, &f); });
  Resolved r;
  r.table.name = str(f.name);
  r.table.exists = f.exists;
  r.table.bytes = f.bytes;
  if (f.exists && f.rows_known)
    r.table.rows = f.rows;
  r.table.partitioned = f.partitioned;
  r.relid = f.exists ? f.relid : InvalidOid;
  r.relpersistence = f.relpersistence;
  r.relam = f.relam;
  r.reltablespace = f.reltablespace;
  return r;
}

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
      Resolved r = resolve(s->relation);
      if (!(s->if_not_exists && r.table.exists))
        add(lint::Op::create_table, r.table);
      break;
    }
    case T_CreateTableAsStmt:
      add(lint::Op::create_table, resolve(castNode(CreateTableAsStmt, stmt)->into->rel).table);
      break;
    case T_SelectStmt:
      if (auto *into = castNode(SelectStmt, stmt)->intoClause)
        add(lint::Op::create_table, resolve(into->rel).table);
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
      Resolved r = resolve(s->relation);
      // CREATE INDEX ... ON ONLY a partitioned table builds nothing yet.
      if (r.table.partitioned && !s->relation->inh)
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
      add(lint::Op::cluster, s->relation ? resolve(s->relation).table : lint::Table{});
      break;
    }
    case T_AlterEnumStmt: {
      auto *s = castNode(AlterEnumStmt, stmt);
      if (!s->newVal || s->oldVal)
        break; // RENAME VALUE
      List *names = s->typeName;
      lint::Table type;
      type.name = str(pg_call([&] { return type_name_of(names); }));
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
      add(lint::Op::drop_table, resolve(rv).table);
    }
  }

  void rename(RenameStmt *s) {
    if (s->renameType == OBJECT_TABLE) {
      Resolved r = resolve(s->relation);
      lint::Action a = action(lint::Op::rename_table, r.table);
      const char *relname = s->relation->relname;
      const char *newname = s->newname;
      // Same schema, new name: replace the last part of the qualified name.
      std::string name = r.table.name;
      const std::string old_part = quoted(relname);
      a.new_name = name.substr(0, name.size() - old_part.size()) + quoted(newname);
      out_.actions.push_back(a);
    } else if (s->renameType == OBJECT_COLUMN && s->relationType == OBJECT_TABLE) {
      lint::Action a = action(lint::Op::rename_column, resolve(s->relation).table);
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
        add(lint::Op::vacuum_full, resolve(rel->relation).table);
    }
  }

  void alter_table(AlterTableStmt *s) {
    if (s->objtype != OBJECT_TABLE)
      return;
    Resolved r = resolve(s->relation);
    ListCell *lc;
    foreach (lc, s->cmds) {
      auto *cmd = static_cast<AlterTableCmd *>(lfirst(lc));
      switch (cmd->subtype) {
      case AT_AddColumn:
        add_column(r, castNode(ColumnDef, cmd->def));
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
        a.rewrites = !r.table.exists || (r.relpersistence == RELPERSISTENCE_PERMANENT) != logged;
        out_.actions.push_back(a);
        break;
      }
      case AT_SetAccessMethod: {
        const char *method = cmd->name;
        lint::Action a = action(lint::Op::set_access_method, r.table);
        a.new_name = quoted(method);
        Oid am = pg_call([&] { return get_am_oid(method, true); });
        a.rewrites = !r.table.exists || am != r.relam;
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
        a.rewrites = !r.table.exists || oid != r.reltablespace;
        if (*a.rewrites)
          out_.actions.push_back(a);
        break;
      }
      default:
        break;
      }
    }
  }

  void add_column(const Resolved &r, ColumnDef *def) {
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
    else if (raw_default && !is_constant(raw_default) &&
             pg_call([&] { return default_is_volatile(raw_default, type); }))
      a.add_rewrite = lint::AddColumnRewrite::volatile_default;
    else if (pg_call([&] { return has_constrained_domain(type); }))
      a.add_rewrite = lint::AddColumnRewrite::constrained_domain;
    a.required = (not_null || primary) && !raw_default && !identity && !serial && !generated;
    out_.actions.push_back(a);
    // Constraints written in the column definition act on every row too.
    foreach (lc, def->constraints) {
      auto *c = static_cast<Constraint *>(lfirst(lc));
      add_constraint(r, c, def);
    }
  }

  void add_constraint(const Resolved &r, Constraint *c, ColumnDef *column) {
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
      a.referenced = resolve(c->pktable).table.name;
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

  void alter_type(const Resolved &r, const char *column, ColumnDef *def) {
    lint::Action a = action(lint::Op::alter_column_type, r.table);
    a.column = quoted(column);
    TypeChange change{};
    Oid relid = r.relid;
    pg_call([&] { type_change(relid, column, def->typeName, def->raw_default, &change); });
    a.new_type = str(change.new_type);
    a.old_type = str(change.old_type);
    a.using_expression = change.using_computes;
    if (change.keeps >= 0)
      a.rewrites = change.keeps == 0;
    out_.actions.push_back(a);
  }

  void set_not_null(const Resolved &r, const char *column) {
    lint::Action a = action(lint::Op::set_not_null, r.table);
    a.column = quoted(column);
    ColumnFacts facts{};
    Oid relid = r.relid;
    pg_call([&] { column_facts(relid, column, &facts); });
    if (facts.attnum > 0) {
      a.already_not_null = facts.not_null;
      if (!facts.not_null) {
        std::vector<std::string> trees;
        for (const Row &row : query("SELECT conbin::text FROM pg_catalog.pg_constraint "
                                    "WHERE conrelid = $1::pg_catalog.oid AND contype = 'c' AND convalidated",
                                    {static_cast<std::int64_t>(relid)}))
          trees.push_back(text(row[0]));
        std::vector<const char *> pointers;
        for (const auto &t : trees)
          pointers.push_back(t.c_str());
        const int count = static_cast<int>(pointers.size());
        a.proven_by_check = count > 0 && pg_call([&] { return checks_prove_not_null(pointers.data(), count, &facts); });
      }
    }
    out_.actions.push_back(a);
  }

  lint::Statement &out_;
};

// Reads one statement into `st`; may throw PgError.
// Reads one statement into `st`; may throw PgError. Its string constants
// first: they are there even when reading what it does fails.
void read_statement(const std::string &sql, RawStmt *raw, lint::Statement &st, bool &collect_literals) {
  if (collect_literals) {
    const std::string text = statement_text(sql, raw);
    const char *source = text.c_str();
    List *constants = pg_call([&] { return string_constants(source); });
    ListCell *lc;
    foreach (lc, constants)
      st.literals.emplace_back(static_cast<const char *>(lfirst(lc)));
  }
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
    error = str(e.data()->message);
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
        const char *source = sql.c_str();
        const int length = static_cast<int>(sql.size());
        const int offset = pg_call([&] { return byte_offset(source, length, position); });
        r.syntax_error_line = 1 + static_cast<int>(std::count(sql.begin(), sql.begin() + offset, '\n'));
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
