#include "pg/backfill_runner.hpp"

#include "core/backfill.hpp"
#include "core/error.hpp"
#include "core/text.hpp"
#include "pg/backfill_catalog.hpp"
#include "pg/catalog.hpp"
#include "pg/engine.hpp"
#include "pg/guard.hpp"
#include "pg/procedure.hpp"

#include <algorithm>
#include <chrono>
#include <set>

namespace migrate::pg {

namespace {

// 'migr': the first key of every backfill's advisory lock (migrate.backfills reads it too).
constexpr std::int32_t backfill_lock_space = 0x6d696772;

std::int64_t now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

void warning(const std::string &message) {
  const char *text = message.c_str();
  pg_call([&] { ereport(WARNING, (errmsg_internal("%s", text))); });
}

bool try_lock(std::int64_t id) {
  return try_session_lock(backfill_lock_space, static_cast<std::int32_t>(id));
}

void unlock(std::int64_t id) {
  session_unlock(backfill_lock_space, static_cast<std::int32_t>(id));
}

void batch_error_context(void *arg) {
  errcontext("%s", static_cast<const char *>(arg));
}

struct BatchOutput {
  std::uint64_t rows = 0;
  char *resume_key = nullptr; // palloc'd; NULL when the batch returned no key
};

// Plain C, under pg_call. Runs one batch: $1, if the SQL uses it, is the
// resume key converted to the type PostgreSQL infers for $1; the largest
// value of the first RETURNING column becomes the next resume key.
void execute_batch(const char *sql, const char *resume_key, const char *context, BatchOutput *out) {
  ErrorContextCallback callback;
  callback.callback = batch_error_context;
  callback.arg = const_cast<char *>(context);
  callback.previous = error_context_stack;
  error_context_stack = &callback;

  List *parsed = raw_parser(sql, RAW_PARSE_DEFAULT);
  if (list_length(parsed) != 1)
    ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("batch_sql must be one statement")));
  Oid *param_types = nullptr;
  int nparams = 0;
  (void)parse_analyze_varparams(linitial_node(RawStmt, parsed), sql, &param_types, &nparams, nullptr);
  if (nparams > 1)
    ereport(ERROR, (errcode(ERRCODE_UNDEFINED_PARAMETER),
                    errmsg("batch_sql may use one parameter, $1 (the resume key), not $%d", nparams)));
  Oid key_type = nparams == 1 && param_types[0] != UNKNOWNOID ? param_types[0] : TEXTOID;
  Datum value = 0;
  char isnull = 'n';
  if (nparams == 1 && resume_key) {
    Oid input, ioparam;
    getTypeInputInfo(key_type, &input, &ioparam);
    value = OidInputFunctionCall(input, const_cast<char *>(resume_key), ioparam, -1);
    isnull = ' ';
  }
  SPIPlanPtr plan = SPI_prepare(sql, nparams, nparams ? &key_type : nullptr);
  if (!plan)
    elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
  int rc = SPI_execute_plan(plan, nparams ? &value : nullptr, nparams ? &isnull : nullptr, false, 0);
  if (rc < 0)
    elog(ERROR, "SPI_execute_plan failed: %s", SPI_result_code_string(rc));
  out->rows = SPI_processed;

  SPITupleTable *table = SPI_tuptable;
  if (table && SPI_processed > 0) {
    Form_pg_attribute key = TupleDescAttr(table->tupdesc, 0);
    TypeCacheEntry *type = lookup_type_cache(key->atttypid, TYPECACHE_CMP_PROC_FINFO);
    if (!OidIsValid(type->cmp_proc_finfo.fn_oid))
      ereport(ERROR, (errcode(ERRCODE_UNDEFINED_FUNCTION),
                      errmsg("the first RETURNING column of batch_sql has type %s, which has no ordering",
                             format_type_be(key->atttypid)),
                      errhint("Return the key the batches walk (an id, a timestamp) first: its largest value "
                              "is $1 of the next batch.")));
    bool have = false;
    Datum largest = 0;
    for (uint64 i = 0; i < SPI_processed; ++i) {
      bool null;
      Datum d = SPI_getbinval(table->vals[i], table->tupdesc, 1, &null);
      if (null)
        continue;
      if (!have || DatumGetInt32(FunctionCall2Coll(&type->cmp_proc_finfo, key->attcollation, d, largest)) > 0)
        largest = d;
      have = true;
    }
    if (have) {
      Oid output;
      bool varlena;
      getTypeOutputInfo(key->atttypid, &output, &varlena);
      out->resume_key = OidOutputFunctionCall(output, largest);
    }
  }
  if (table)
    SPI_freetuptable(table);
  SPI_freeplan(plan);
  error_context_stack = callback.previous;
}

class Runner {
public:
  Runner(SpiConnection &spi, const RunnerOptions &options) : spi_(spi), options_(options) {
    if (options.max_duration_us)
      call_deadline_us_ = now_us() + *options.max_duration_us;
  }

  void run() {
    try {
      run_all();
    } catch (...) {
      // Cancelled or failed outside a batch: the lock is session-level, so
      // the transaction's abort would not release it.
      if (held_) {
        try {
          unlock(*held_);
        } catch (...) {
        }
        held_.reset();
      }
      throw;
    }
  }

private:
  enum class Outcome { progressed, finished, failed };

  void run_all() {
    if (options_.names) {
      auto unknown = unknown_backfills(*options_.names);
      if (!unknown.empty())
        throw Error(sqlstate::undefined_object, "backfill " + excerpt(join(unknown, ", ")) + " is not registered", {},
                    "SELECT name FROM migrate.backfills lists the registered ones.");
    }
    memory_ = pg_call(
        [] { return AllocSetContextCreate(CurrentMemoryContext, "migrate backfill batch", ALLOCSET_DEFAULT_SIZES); });
    while (auto next = next_backfill())
      run_backfill(*next);
  }

  // The oldest backfill not done, whose revision is applied, that this call
  // has not taken up yet and that no other runner holds; locked.
  std::optional<StoredBackfill> next_backfill() {
    if (call_deadline_us_ && now_us() >= *call_deadline_us_)
      return std::nullopt;
    auto candidates = unfinished_backfills(options_.names);
    if (candidates.empty())
      return std::nullopt;
    RevisionGraph graph(load_graph_infos());
    VertexSet applied = applied_set(graph, version_rows());
    for (auto &c : candidates) {
      if (!seen_.insert(c.spec.name).second)
        continue;
      auto v = graph.find(c.spec.revision);
      if (!v || !applied.test(*v)) {
        if (options_.names)
          notice("Backfill " + c.spec.name + " waits for its revision " + c.spec.revision + " to be applied");
        continue;
      }
      if (!try_lock(c.id)) {
        notice("Backfill " + c.spec.name + " is being run by another runner; skipped");
        continue;
      }
      held_ = c.id;
      // Read again under the lock: another runner may have finished it since.
      auto fresh = load_backfill(c.id);
      if (!fresh || fresh->state == "done") {
        release();
        continue;
      }
      return fresh;
    }
    return std::nullopt;
  }

  void release() {
    if (held_)
      unlock(*held_);
    held_.reset();
  }

  void run_backfill(const StoredBackfill &b) {
    const auto &name = b.spec.name;
    std::string resuming =
        b.batches > 0 ? ", resuming after " + describe_progress(BackfillProgress{name, b.spec.revision, b.state,
                                                                                 b.batches, b.rows_done, std::nullopt})
                      : "";
    notice("Running backfill " + name + " (revision " + b.spec.revision + ")" + resuming);
    RunBudget budget(b.spec.limits, now_us(), call_deadline_us_);
    std::int64_t batches = 0, rows = 0;
    std::string end;
    for (;;) {
      if (auto why = budget.exhausted(batches, now_us())) {
        end = "paused: reached " + *why;
        break;
      }
      pg_call([] { CHECK_FOR_INTERRUPTS(); });
      std::uint64_t batch_rows = 0;
      Outcome outcome = run_batch(b, b.batches + batches + 1, &batch_rows);
      if (outcome == Outcome::failed) {
        end = "failed";
        break;
      }
      if (outcome == Outcome::finished) {
        end = "done";
        break;
      }
      ++batches;
      rows += static_cast<std::int64_t>(batch_rows);
      pause(b.spec.limits.pause_us);
    }
    release();
    notice("Backfill " + name + " " + end + " (this call: " +
           describe_progress(BackfillProgress{name, b.spec.revision, end, batches, rows, std::nullopt}) + ")");
  }

  // One batch and its progress row in a subtransaction, then a commit.
  Outcome run_batch(const StoredBackfill &b, std::int64_t number, std::uint64_t *rows_out) {
    MemoryContext runner_memory = pg_call([&] { return MemoryContextSwitchTo(memory_); });
    const std::string context = "migrate: backfill " + b.spec.name + ", batch " + std::to_string(number);
    Outcome outcome;
    Subtransaction sub;
    sub.begin();
    try {
      // The SQL and key as committed now: the backfill may have been re-registered.
      auto current = load_backfill(b.id);
      if (!current)
        throw Error(sqlstate::undefined_object, "backfill " + b.spec.name + " was removed while it ran");
      BatchOutput out;
      const char *sql = current->spec.batch_sql.c_str();
      const char *key = current->resume_key ? current->resume_key->c_str() : nullptr;
      pg_call([&] { execute_batch(sql, key, context.c_str(), &out); });
      std::optional<std::string> next_key;
      if (out.resume_key)
        next_key = std::string(out.resume_key);
      record_batch(b.id, out.rows, next_key);
      sub.release();
      *rows_out = out.rows;
      outcome = out.rows == 0 ? Outcome::finished : Outcome::progressed;
    } catch (const PgError &e) {
      sub.rollback();
      if (is_interrupt(e.data()))
        throw;
      fail(b, number, e.data()->message ? e.data()->message : "unknown error", unpack_sql_state(e.data()->sqlerrcode));
      outcome = Outcome::failed;
    } catch (const Error &e) {
      sub.rollback();
      fail(b, number, e.what(), e.sqlstate());
      outcome = Outcome::failed;
    }
    spi_.commit();
    pg_call([&] {
      MemoryContextSwitchTo(runner_memory);
      MemoryContextReset(memory_);
    });
    return outcome;
  }

  void fail(const StoredBackfill &b, std::int64_t number, const std::string &message, const std::string &code) {
    const std::string error = code + ": " + message;
    record_failure(b.id, error);
    warning("Backfill " + b.spec.name + " failed at batch " + std::to_string(number) + ": " + error +
            ". Batches before it stay committed; the next call retries it.");
  }

  // Sleeps between batches, no longer than the call's deadline allows.
  void pause(std::int64_t us) {
    if (call_deadline_us_)
      us = std::min(us, *call_deadline_us_ - now_us());
    if (us > 0)
      sleep_interruptibly(us);
  }

  SpiConnection &spi_;
  const RunnerOptions &options_;
  std::optional<std::int64_t> call_deadline_us_;
  std::optional<std::int64_t> held_; // the backfill whose lock this runner holds
  std::set<std::string> seen_;       // taken up (or skipped) by this call
  MemoryContext memory_ = nullptr;   // one batch's allocations, reset after each
};

} // namespace

void run_backfills(SpiConnection &spi, const RunnerOptions &options) {
  Runner(spi, options).run();
}

} // namespace migrate::pg
