#include "pg/lint_catalog.hpp"

#include "pg/guard.hpp"
#include "pg/spi.hpp"

#include <sys/stat.h>

#include <vector>

namespace migrate::pg {

namespace {

// Plain C helpers: each runs under pg_call and returns palloc'd values.

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

struct RawRelation {
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

void read_relation(Oid relid, RawRelation *out) {
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

void relation_by_rangevar(const RangeVar *rv, RawRelation *out) {
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
char *raw_type_name(List *names) {
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
bool raw_default_is_volatile(Node *raw_default, TypeName *type_name) {
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

bool raw_has_constrained_domain(TypeName *type_name) {
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

struct RawTypeChange {
  int keeps; // 1: no rewrite; 0: rewrite; -1: cannot tell
  bool using_computes;
  char *old_type;
  char *new_type;
};

// ALTER COLUMN ... TYPE, judged the way ALTER TABLE judges it: the old value
// (a Var), the USING expression's casts, the coercion to the new type, then
// the planner (which drops length coercions that cannot fail, such as
// varchar(n) to varchar(m > n)), then the rule above.
void raw_type_change(Oid relid, const char *column, TypeName *type_name, Node *using_expr, RawTypeChange *out) {
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
struct RawColumn {
  AttrNumber attnum;
  bool not_null;
  Oid type;
  int32 typmod;
  Oid collation;
};

void column_facts(Oid relid, const char *column, RawColumn *out) {
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
bool checks_prove_not_null(const char *const *trees, int count, const RawColumn *column) {
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

} // namespace

std::string quoted(const char *identifier) {
  const char *q = pg_call([&] { return quote_identifier(identifier); });
  return q;
}

namespace {

std::string str(const char *s) {
  return s ? std::string(s) : std::string();
}

} // namespace

RelationFacts relation_facts(const RangeVar *rv) {
  RawRelation f{};
  pg_call([&] { relation_by_rangevar(rv, &f); });
  RelationFacts r;
  r.table.name = str(f.name);
  r.table.exists = f.exists;
  r.table.bytes = f.bytes;
  if (f.exists && f.rows_known)
    r.table.rows = f.rows;
  r.table.partitioned = f.partitioned;
  r.relid = f.exists ? f.relid : InvalidOid;
  r.persistence = f.exists ? f.relpersistence : RELPERSISTENCE_PERMANENT;
  r.access_method = f.relam;
  r.tablespace = f.reltablespace;
  return r;
}

std::string type_name(List *names) {
  return str(pg_call([&] { return raw_type_name(names); }));
}

bool default_is_volatile(Node *raw_default, TypeName *type) {
  return pg_call([&] { return raw_default_is_volatile(raw_default, type); });
}

bool has_constrained_domain(TypeName *type) {
  return pg_call([&] { return raw_has_constrained_domain(type); });
}

TypeChange type_change(Oid relid, const char *column, TypeName *type, Node *using_expr) {
  RawTypeChange raw{};
  pg_call([&] { raw_type_change(relid, column, type, using_expr, &raw); });
  TypeChange out;
  if (raw.keeps >= 0)
    out.rewrites = raw.keeps == 0;
  out.using_computes = raw.using_computes;
  out.old_type = str(raw.old_type);
  out.new_type = str(raw.new_type);
  return out;
}

bool column_exists(Oid relid, const char *column) {
  return OidIsValid(relid) && pg_call([&] { return get_attnum(relid, column) != InvalidAttrNumber; });
}

bool relation_exists_beside(Oid relid, const char *name) {
  return OidIsValid(relid) && pg_call([&] { return OidIsValid(get_relname_relid(name, get_rel_namespace(relid))); });
}

NotNullFacts not_null_facts(Oid relid, const char *column) {
  RawColumn raw{};
  pg_call([&] { column_facts(relid, column, &raw); });
  NotNullFacts out;
  if (raw.attnum <= 0)
    return out;
  out.column_found = true;
  out.already = raw.not_null;
  if (out.already)
    return out;
  std::vector<std::string> trees;
  for (const Row &row : query("SELECT conbin::text FROM pg_catalog.pg_constraint "
                              "WHERE conrelid = $1::pg_catalog.oid AND contype = 'c' AND convalidated",
                              {static_cast<std::int64_t>(relid)}))
    trees.push_back(text(row[0]));
  std::vector<const char *> pointers;
  for (const auto &t : trees)
    pointers.push_back(t.c_str());
  const int count = static_cast<int>(pointers.size());
  out.proven_by_check = count > 0 && pg_call([&] { return checks_prove_not_null(pointers.data(), count, &raw); });
  return out;
}

} // namespace migrate::pg
