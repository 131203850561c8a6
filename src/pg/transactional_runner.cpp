#include "pg/transactional_runner.hpp"

#include "core/error.hpp"
#include "core/lock_retry.hpp"
#include "pg/backend.hpp"
#include "pg/procedure.hpp"
#include "pg/settings.hpp"
#include "pg/spi.hpp"

#include <algorithm>
#include <chrono>
#include <vector>

namespace migrate::pg {

namespace {

// The lock this backend is waiting for, sampled by a timer while a statement
// runs: by the time lock_timeout's error is raised, PostgreSQL has already
// left the wait queue (LockErrorCleanup), so the error cannot say which lock.
struct LockWait {
  bool seen = false;
  LOCKTAG tag{};
  LOCKMODE mode = NoLock;
};
volatile sig_atomic_t sampling = 0;
LockWait sampled; // written only by the timer handler while `sampling`
constexpr int sample_every_ms = 20;

void sample_lock_wait() {
  if (!sampling || !MyProc)
    return;
  LOCK *waiting = MyProc->waitLock;
  if (!waiting)
    return;
  sampled.tag = waiting->tag;
  sampled.mode = MyProc->waitLockMode;
  sampled.seen = true;
}

TimeoutId sampler() {
  static TimeoutId id = MAX_TIMEOUTS;
  if (id == MAX_TIMEOUTS)
    id = pg_call([] { return RegisterTimeout(USER_TIMEOUT, sample_lock_wait); });
  return id;
}

void start_sampling() {
  TimeoutId id = sampler();
  sampled = LockWait{};
  sampling = 1;
  pg_call([&] {
    enable_timeout_every(id, TimestampTzPlusMilliseconds(GetCurrentTimestamp(), sample_every_ms), sample_every_ms);
  });
}

LockWait stop_sampling() {
  TimeoutId id = sampler();
  pg_call([&] { disable_timeout(id, false); });
  sampling = 0;
  return sampled;
}

// Runs one statement through SPI under the step's CONTEXT; returns the rows
// it processed.
std::uint64_t run_statement(const Statement &statement, const char *context) {
  const char *sql = statement.text.c_str();
  int rc = pg_call_in_context(context, [&] { return SPI_execute(sql, false, 0); });
  if (rc < 0)
    throw Error(sqlstate::internal_error, std::string(context) + ": SPI_execute failed: " + SPI_result_code_string(rc));
  return SPI_processed;
}

struct LockDescription {
  std::string lock;   // "AccessExclusiveLock"
  std::string object; // "table public.t"
  std::vector<LockHolder> holders;
};

// Plain C, under pg_call: the names of the modes that conflict with `mode`.
void conflicting_modes(const LOCKTAG *tag, LOCKMODE mode, const char **names, int *count) {
  LockMethod method = GetLockTagsMethodTable(tag);
  *count = 0;
  for (int m = 1; m <= method->numLockModes; ++m)
    if (method->conflictTab[mode] & LOCKBIT_ON(m))
      names[(*count)++] = GetLockmodeName(tag->locktag_lockmethodid, m);
}

// Plain C, under pg_call: what a lock tag locks, for a message ("table
// public.t", "schema app", "type mood").
char *locked_object(const LOCKTAG *tag) {
  if (tag->locktag_type == LOCKTAG_RELATION) {
    const Oid relid = tag->locktag_field2;
    char *rel = get_rel_name(relid);
    char *nsp = rel ? get_namespace_name(get_rel_namespace(relid)) : nullptr;
    return rel && nsp ? psprintf("table %s", quote_qualified_identifier(nsp, rel)) : psprintf("relation %u", relid);
  }
  if (tag->locktag_type == LOCKTAG_OBJECT)
    return getObjectDescriptionOids(tag->locktag_field2, tag->locktag_field3);
  return nullptr;
}

LockDescription describe(const LockWait &wait) {
  LockDescription d;
  if (!wait.seen) {
    d.lock = "a lock";
    d.object = "an object";
    return d;
  }
  const LOCKTAG tag = wait.tag;
  const LOCKMODE mode = wait.mode;
  d.lock = pg_call([&] { return GetLockmodeName(tag.locktag_lockmethodid, mode); });
  const char *names[MAX_LOCKMODES];
  int count = 0;
  pg_call([&] { conflicting_modes(&tag, mode, names, &count); });
  std::vector<std::string> modes(names, names + count);
  Rows rows;
  std::string holders_sql =
      "SELECT l.pid, l.mode, coalesce(a.state, ''), coalesce(a.query, ''), "
      "coalesce(pg_catalog.date_trunc('second', pg_catalog.clock_timestamp() - a.xact_start)::text, '') "
      "FROM pg_catalog.pg_locks l LEFT JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid "
      "WHERE l.granted AND l.pid <> pg_catalog.pg_backend_pid() AND l.mode = ANY ($1) ";
  if (char *object = pg_call([&] { return locked_object(&tag); }))
    d.object = object;
  if (tag.locktag_type == LOCKTAG_RELATION) {
    rows = query(holders_sql.append("AND l.locktype = 'relation' AND l.relation = $2::oid ORDER BY l.pid").c_str(),
                 {modes, std::to_string(tag.locktag_field2)});
  } else if (tag.locktag_type == LOCKTAG_OBJECT) {
    rows = query(holders_sql
                     .append("AND l.locktype = 'object' AND l.classid = $2::oid AND l.objid = $3::oid "
                             "AND l.objsubid = $4::smallint ORDER BY l.pid")
                     .c_str(),
                 {modes, std::to_string(tag.locktag_field2), std::to_string(tag.locktag_field3),
                  std::to_string(tag.locktag_field4)});
  } else if (tag.locktag_type == LOCKTAG_TRANSACTION) {
    const std::string xid = std::to_string(tag.locktag_field1);
    d.object = "transaction " + xid + " (a row it changed)";
    rows = query(
        holders_sql.append("AND l.locktype = 'transactionid' AND l.transactionid = $2::xid ORDER BY l.pid").c_str(),
        {modes, xid});
  }
  if (d.object.empty())
    d.object = "an object of lock type " + std::to_string(tag.locktag_type);
  for (const Row &r : rows)
    d.holders.push_back(LockHolder{static_cast<int>(integer(r[0])), text(r[1]), text(r[2]), text(r[3]), text(r[4])});
  return d;
}

// Runs `action` (PostgreSQL calls only) in a subtransaction until it gets its
// locks: a lock_timeout (55P03) rolls the subtransaction back, waits, and
// tries again, up to policy.retries times. Returns what action returned.
template <typename Action>
std::uint64_t with_lock_retries(const std::string &context, const LockRetryPolicy &policy, Action &&action) {
  for (int attempt = 0;; ++attempt) {
    Subtransaction sub;
    sub.begin();
    std::uint64_t result = 0;
    try {
      start_sampling();
      result = action();
      stop_sampling();
      sub.release();
      return result;
    } catch (const PgError &e) {
      const int code = e.data()->sqlerrcode;
      const LockWait wait = stop_sampling();
      sub.rollback();
      if (code != ERRCODE_LOCK_NOT_AVAILABLE)
        throw;
      LockDescription d = describe(wait);
      if (attempt >= policy.retries)
        throw lock_not_granted(context, d.lock, d.object, policy, d.holders);
      const std::int64_t delay = retry_delay_ms(policy, attempt + 1);
      notice(context + ": " + d.lock + " on " + d.object + " not granted within " +
             std::to_string(policy.lock_timeout_ms) + " ms; retry " + std::to_string(attempt + 1) + " of " +
             std::to_string(policy.retries) + " in " + std::to_string(delay) + " ms");
      sleep_interruptibly(delay * 1000);
    } catch (...) {
      stop_sampling();
      sub.rollback();
      throw;
    }
  }
}

// ------------------------------------------------ statements that only create

// Plain C, under pg_call, and no error: whether `name` (a type name as the
// parser left it) resolves, under the current search_path, to a built-in
// (pinned) type, or is one of the serial pseudo-types (a new sequence).
bool builtin_type(const TypeName *name) {
  if (!name || name->pct_type || list_length(name->names) > 2 || list_length(name->names) == 0)
    return false;
  if (list_length(name->names) == 1) {
    const char *word = strVal(linitial(name->names));
    for (const char *serial : {"smallserial", "serial2", "serial", "serial4", "bigserial", "serial8"})
      if (strcmp(word, serial) == 0)
        return true;
  }
  const Oid type = LookupTypeNameOid(nullptr, name, true);
  return OidIsValid(type) && IsPinnedObject(TypeRelationId, type);
}

// Plain C, under pg_call, and no error: a default that refers to no object
// but built-in ones: a constant (possibly cast to a built-in type), an SQL
// value function (CURRENT_TIMESTAMP), or a built-in function without
// arguments (now(), gen_random_uuid()).
bool constant_default(Node *expr) {
  if (!expr)
    return false;
  switch (nodeTag(expr)) {
  case T_A_Const:
  case T_SQLValueFunction:
    return true;
  case T_TypeCast: {
    auto *cast = castNode(TypeCast, expr);
    return builtin_type(cast->typeName) && constant_default(cast->arg);
  }
  case T_FuncCall: {
    auto *call = castNode(FuncCall, expr);
    if (call->args || call->agg_order || call->agg_filter || call->over || call->agg_star || call->agg_distinct ||
        call->func_variadic || list_length(call->funcname) > 2)
      return false;
    Oid no_arguments[1] = {InvalidOid};
    const Oid function = LookupFuncName(call->funcname, 0, no_arguments, true);
    return OidIsValid(function) && IsPinnedObject(ProcedureRelationId, function);
  }
  default:
    return false;
  }
}

// A column or table constraint that creates only what it names (an index
// for PRIMARY KEY or UNIQUE, a sequence for IDENTITY) in the table's schema.
bool creating_constraint(const Constraint *c) {
  switch (c->contype) {
  case CONSTR_NULL:
  case CONSTR_NOTNULL:
  case CONSTR_ATTR_DEFERRABLE:
  case CONSTR_ATTR_NOT_DEFERRABLE:
  case CONSTR_ATTR_DEFERRED:
  case CONSTR_ATTR_IMMEDIATE:
    return true;
  case CONSTR_PRIMARY:
  case CONSTR_UNIQUE:
    return !c->indexspace && !c->indexname;
  case CONSTR_IDENTITY: {
    ListCell *lc;
    foreach (lc, c->options)
      if (strcmp(castNode(DefElem, lfirst(lc))->defname, "sequence_name") == 0)
        return false; // a sequence named elsewhere may be in another schema
    return true;
  }
  case CONSTR_DEFAULT:
    return constant_default(c->raw_expr);
  default: // CHECK, FOREIGN KEY, EXCLUDE, GENERATED: they refer to other objects
    return false;
  }
}

// Plain C, under pg_call, and no error. The schema a CREATE TABLE that waits
// for no other lock would create its table in, or InvalidOid when it may
// wait for more (or is not such a statement). See the header.
Oid creation_only_schema(Node *stmt) {
  if (!IsA(stmt, CreateStmt))
    return InvalidOid;
  auto *create = castNode(CreateStmt, stmt);
  const RangeVar *rv = create->relation;
  if (rv->relpersistence == RELPERSISTENCE_TEMP || rv->catalogname || create->inhRelations || create->partbound ||
      create->partspec || create->ofTypename || create->constraints || create->tablespacename || create->accessMethod ||
      create->oncommit != ONCOMMIT_NOOP)
    return InvalidOid;
  ListCell *lc;
  foreach (lc, create->tableElts) {
    Node *element = static_cast<Node *>(lfirst(lc));
    if (IsA(element, ColumnDef)) {
      auto *column = castNode(ColumnDef, element);
      if (column->collClause || column->raw_default || column->cooked_default || !builtin_type(column->typeName))
        return InvalidOid;
      ListCell *cc;
      foreach (cc, column->constraints)
        if (!creating_constraint(castNode(Constraint, lfirst(cc))))
          return InvalidOid;
    } else if (!IsA(element, Constraint) || !creating_constraint(castNode(Constraint, element))) {
      return InvalidOid; // LIKE, or a table constraint that refers to other objects
    }
  }
  if (rv->schemaname) {
    if (strcmp(rv->schemaname, "pg_temp") == 0)
      return InvalidOid;
    return get_namespace_oid(rv->schemaname, true);
  }
  // The first schema of the search_path that exists: where PostgreSQL creates it.
  List *path = fetch_search_path(false);
  return path ? linitial_oid(path) : InvalidOid;
}

// Plain C, under pg_call: takes `schema`'s lock as CREATE TABLE does
// (AccessShareLock, against a DROP SCHEMA running in another session),
// unless this transaction holds it already; returns whether it had to.
bool lock_schema(Oid schema) {
  LOCKTAG tag;
  SET_LOCKTAG_OBJECT(tag, MyDatabaseId, NamespaceRelationId, schema, 0);
  if (LockHeldByMe(&tag, AccessShareLock))
    return false;
  LockDatabaseObject(NamespaceRelationId, schema, 0, AccessShareLock);
  return true;
}

std::uint64_t run_statement_safely(const Statement &statement, const std::string &context,
                                   const LockRetryPolicy &policy) {
  Node *stmt = statement.raw->stmt;
  const Oid schema = pg_call([&] { return creation_only_schema(stmt); });
  if (OidIsValid(schema)) {
    LOCKTAG tag;
    SET_LOCKTAG_OBJECT(tag, MyDatabaseId, NamespaceRelationId, schema, 0);
    if (!pg_call([&] { return LockHeldByMe(&tag, AccessShareLock); }))
      with_lock_retries(context, policy, [&] {
        return pg_call_in_context(context.c_str(), [&] { return static_cast<std::uint64_t>(lock_schema(schema)); });
      });
    return run_statement(statement, context.c_str());
  }
  return with_lock_retries(context, policy, [&] { return run_statement(statement, context.c_str()); });
}

// The step's timeouts: lock_timeout at a GUC nest level of its own, the
// statement_timeout timer armed for the step; restore() gives the caller's back.
class StepTimeoutScope {
public:
  StepTimeoutScope(std::int64_t lock_timeout_ms, std::int64_t statement_timeout_ms) {
    // lock_timeout is read whenever a lock wait starts: a transaction-local
    // setting for this step.
    const std::string lock_value = std::to_string(lock_timeout_ms);
    nest_ = pg_call([&] {
      int level = NewGUCNestLevel();
      (void)set_config_option("lock_timeout", lock_value.c_str(), PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE, true, 0,
                              false);
      return level;
    });
    // statement_timeout is armed when a top-level statement starts, which
    // upgrade()'s caller did already: arm the timer for this step, unless the
    // caller's own runs out sooner.
    if (statement_timeout_ms > 0)
      pg_call([&] {
        had_timer_ = get_timeout_active(STATEMENT_TIMEOUT);
        caller_finish_ = had_timer_ ? get_timeout_finish_time(STATEMENT_TIMEOUT) : 0;
        TimestampTz finish = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), statement_timeout_ms);
        if (!had_timer_ || finish < caller_finish_) {
          enable_timeout_at(STATEMENT_TIMEOUT, finish);
          armed_ = true;
        }
      });
  }
  // Plain C; `done`: the step ran to its end (otherwise what it set at
  // deeper GUC levels is undone too).
  void restore(bool done) {
    pg_call([&] {
      if (armed_) {
        disable_timeout(STATEMENT_TIMEOUT, false);
        if (had_timer_)
          enable_timeout_at(STATEMENT_TIMEOUT, caller_finish_);
      }
      AtEOXact_GUC(done, nest_);
    });
  }

private:
  int nest_ = -1;
  bool armed_ = false, had_timer_ = false;
  TimestampTz caller_finish_ = 0;
};

} // namespace

void run_in_transaction(const std::vector<Statement> &statements, const std::string &context,
                        const StepTimeouts &timeouts, StatementHooks *hooks) {
  const LockRetryPolicy policy{timeouts.lock_timeout_ms.value_or(setting_lock_timeout_ms), setting_lock_retries,
                               setting_lock_retry_delay_ms, 60'000};
  StepTimeoutScope scope(policy.lock_timeout_ms, timeouts.statement_timeout_ms.value_or(setting_statement_timeout_ms));
  const bool retries = policy.lock_timeout_ms > 0 && policy.retries > 0;
  release_on_error(
      [&] {
        for (const Statement &statement : statements) {
          if (hooks)
            hooks->before(statement);
          const std::uint64_t rows =
              retries ? run_statement_safely(statement, context, policy) : run_statement(statement, context.c_str());
          if (hooks)
            hooks->after(statement, rows);
        }
      },
      [&] { scope.restore(false); });
  scope.restore(true);
}

} // namespace migrate::pg
