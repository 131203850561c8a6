#include "pg/step_sql.hpp"

#include "core/error.hpp"
#include "core/lock_retry.hpp"
#include "pg/guard.hpp"
#include "pg/procedure.hpp"
#include "pg/settings.hpp"
#include "pg/spi.hpp"
#include "pg/sql_check.hpp"

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

void step_error_context(void *arg) {
  errcontext("%s", static_cast<const char *>(arg));
}

void execute(const char *sql, const char *context) {
  int rc = pg_call([&] {
    ErrorContextCallback callback;
    callback.callback = step_error_context;
    callback.arg = const_cast<char *>(context);
    callback.previous = error_context_stack;
    error_context_stack = &callback;
    int result = SPI_execute(sql, false, 0);
    error_context_stack = callback.previous; // PG_CATCH restores it on error
    return result;
  });
  if (rc < 0)
    throw Error(sqlstate::internal_error, std::string(context) + ": SPI_execute failed: " + SPI_result_code_string(rc));
}

std::vector<std::string> split_statements(const std::string &sql) {
  const char *source = sql.c_str();
  List *parsed = pg_call([&] { return raw_parser(source, RAW_PARSE_DEFAULT); });
  std::vector<std::string> out;
  for (int i = 0; i < list_length(parsed); ++i) {
    out.push_back(statement_text(sql, static_cast<RawStmt *>(list_nth(parsed, i))));
  }
  return out;
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
  const char *holders_sql =
      "SELECT l.pid, l.mode, coalesce(a.state, ''), coalesce(a.query, ''), "
      "coalesce(pg_catalog.date_trunc('second', pg_catalog.clock_timestamp() - a.xact_start)::text, '') "
      "FROM pg_catalog.pg_locks l LEFT JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid "
      "WHERE l.granted AND l.pid <> pg_catalog.pg_backend_pid() AND l.mode = ANY ($1) ";
  if (tag.locktag_type == LOCKTAG_RELATION) {
    const Oid relid = tag.locktag_field2;
    char *name = pg_call([&] {
      char *rel = get_rel_name(relid);
      char *nsp = rel ? get_namespace_name(get_rel_namespace(relid)) : nullptr;
      return rel && nsp ? pstrdup(quote_qualified_identifier(nsp, rel)) : psprintf("relation %u", relid);
    });
    d.object = std::string("table ") + name;
    rows = query(
        std::string(holders_sql).append("AND l.locktype = 'relation' AND l.relation = $2::oid ORDER BY l.pid").c_str(),
        {modes, std::to_string(relid)});
  } else if (tag.locktag_type == LOCKTAG_TRANSACTION) {
    const std::string xid = std::to_string(tag.locktag_field1);
    d.object = "transaction " + xid + " (a row it changed)";
    rows = query(std::string(holders_sql)
                     .append("AND l.locktype = 'transactionid' AND l.transactionid = $2::xid ORDER BY l.pid")
                     .c_str(),
                 {modes, xid});
  } else {
    d.object = "an object of lock type " + std::to_string(tag.locktag_type);
  }
  for (const Row &r : rows)
    d.holders.push_back(LockHolder{static_cast<int>(integer(r[0])), text(r[1]), text(r[2]), text(r[3]), text(r[4])});
  return d;
}

void run_with_retries(const std::string &sql, const std::string &context, const LockRetryPolicy &policy) {
  const auto statements = split_statements(sql);
  for (const auto &statement : statements) {
    for (int attempt = 0;; ++attempt) {
      Subtransaction sub;
      sub.begin();
      try {
        start_sampling();
        execute(statement.c_str(), context.c_str());
        stop_sampling();
        sub.release();
        break;
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
        const std::string message = context + ": " + d.lock + " on " + d.object + " not granted within " +
                                    std::to_string(policy.lock_timeout_ms) + " ms; retry " +
                                    std::to_string(attempt + 1) + " of " + std::to_string(policy.retries) + " in " +
                                    std::to_string(delay) + " ms";
        const char *text = message.c_str();
        pg_call([&] { ereport(NOTICE, (errmsg_internal("%s", text))); });
        sleep_interruptibly(delay * 1000);
      } catch (...) {
        stop_sampling();
        sub.rollback();
        throw;
      }
    }
  }
}

} // namespace

void run_step_sql(const std::string &sql, const std::string &context, const StepTimeouts &timeouts) {
  LockRetryPolicy policy{timeouts.lock_timeout_ms.value_or(setting_lock_timeout_ms), setting_lock_retries,
                         setting_lock_retry_delay_ms, 60'000};
  const std::int64_t statement_ms = timeouts.statement_timeout_ms.value_or(setting_statement_timeout_ms);
  // lock_timeout is read whenever a lock wait starts: a transaction-local
  // setting for this step, undone below.
  const std::string lock_value = std::to_string(policy.lock_timeout_ms);
  int nest = pg_call([&] {
    int level = NewGUCNestLevel();
    (void)set_config_option("lock_timeout", lock_value.c_str(), PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE, true, 0,
                            false);
    return level;
  });
  // statement_timeout is armed when a top-level statement starts, which
  // upgrade()'s caller did already: arm the timer for this step, unless the
  // caller's own runs out sooner.
  bool armed = false, had_timer = false;
  TimestampTz caller_finish = 0;
  if (statement_ms > 0)
    pg_call([&] {
      had_timer = get_timeout_active(STATEMENT_TIMEOUT);
      caller_finish = had_timer ? get_timeout_finish_time(STATEMENT_TIMEOUT) : 0;
      TimestampTz finish = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), statement_ms);
      if (!had_timer || finish < caller_finish) {
        enable_timeout_at(STATEMENT_TIMEOUT, finish);
        armed = true;
      }
    });
  if (policy.lock_timeout_ms > 0 && policy.retries > 0)
    run_with_retries(sql, context, policy);
  else
    execute(sql.c_str(), context.c_str());
  pg_call([&] {
    if (armed) {
      disable_timeout(STATEMENT_TIMEOUT, false);
      if (had_timer)
        enable_timeout_at(STATEMENT_TIMEOUT, caller_finish);
    }
    AtEOXact_GUC(true, nest);
  });
}

} // namespace migrate::pg
