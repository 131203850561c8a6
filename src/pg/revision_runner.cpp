// CALL migrate.run(target): an upgrade that commits after each revision
// (Alembic's transaction_per_migration) and runs transactional => false
// revisions outside any transaction, in a background worker.
#include "core/error.hpp"
#include "core/text.hpp"
#include "pg/catalog.hpp"
#include "pg/engine.hpp"
#include "pg/entry.hpp"
#include "pg/fmgr_io.hpp"
#include "pg/guard.hpp"
#include "pg/lint.hpp"
#include "pg/procedure.hpp"
#include "pg/toplevel_worker.hpp"

#include <chrono>

namespace migrate::pg {

namespace {

class RevisionRunner {
public:
  explicit RevisionRunner(SpiConnection &spi) : spi_(spi) {}

  void run(const std::string &target) {
    // Wait for the lock holding no snapshot: the run we may wait for could be
    // building an index concurrently, which waits for every older snapshot,
    // while that run waits for its build: nobody would ever go on.
    spi_.commit();
    session_lock(engine_lock_key);
    try {
      wait_for_earlier_workers();
      run_locked(target);
    } catch (...) {
      try {
        session_unlock(engine_lock_key);
      } catch (...) {
      }
      throw;
    }
    session_unlock(engine_lock_key);
  }

private:
  void run_locked(const std::string &target) {
    RevisionGraph graph(load_graph_infos());
    PlannedMotion plan = plan_motion(graph, Motion::upgrade, target, true);
    check_runnable(graph, plan, false);
    if (plan.steps.empty()) {
      notice("migrate.run: nothing to do; the database is at " + describe_rows(plan.rows_before));
      return;
    }
    lint_gate(graph, plan, true); // setting migrate.lint
    spi_.commit();                // the plan's reads; each revision is a transaction of its own from here
    VersionRows rows(graph, plan.rows_before);
    std::vector<std::string> committed = plan.rows_before; // where the database is after a rollback
    std::size_t done = 0;
    for (const auto &step : plan.steps) {
      const auto &content = plan.revisions.at(graph.id(step.revision)).content;
      const std::string line = describe_step(graph, step);
      try {
        pg_call([] { CHECK_FOR_INTERRUPTS(); });
        const std::string started = clock_now();
        notice("Running " + line + (content.transactional ? "" : " (outside a transaction)"));
        const auto start = std::chrono::steady_clock::now();
        const std::string context = "migrate: " + line + " (revision " + content.graph.id + ")";
        if (content.transactional) {
          run_step_sql(content.upgrade_sql, context,
                       StepTimeouts{content.lock_timeout_ms, content.statement_timeout_ms});
        } else {
          spi_.commit(); // drops the snapshot the queries above left: see run_at_top_level()
          run_at_top_level(content.graph.id, content.upgrade_sql, context);
        }
        const VersionChange change = rows.apply(step);
        JournalEntry entry{content.graph.id, "upgrade", change.replaced(), change.written(), 0, micros_since(start)};
        write_version_change(entry.from_heads, entry.to_heads, rows.rows());
        append_journal({entry}, started);
        spi_.commit();
        committed = rows.rows();
        ++done;
      } catch (...) {
        // What is committed stays; say where the database is, then fail.
        warn_stopped(content.graph.id, done, committed);
        throw;
      }
    }
    notice("migrate.run: " + std::to_string(done) + " revision" + (done == 1 ? "" : "s") +
           " applied, each committed; the database is at " + describe_rows(rows.rows()));
  }

  static std::string describe_rows(const std::vector<std::string> &rows) {
    return rows.empty() ? "base" : join(rows, ", ");
  }

  static void warn_stopped(const std::string &failed, std::size_t done, const std::vector<std::string> &rows) {
    const std::string message = "migrate.run stopped at revision " + failed + ": " + std::to_string(done) +
                                " revision" + (done == 1 ? "" : "s") + " before it applied and committed; the " +
                                "database is at " + describe_rows(rows) +
                                ". Fix the cause and CALL migrate.run() again to go on from there.";
    const char *text = message.c_str();
    try {
      pg_call([&] { ereport(WARNING, (errmsg_internal("%s", text))); });
    } catch (...) {
    }
  }

  SpiConnection &spi_;
};

Datum run(FunctionCallInfo fcinfo) {
  require_nonatomic(fcinfo, "migrate.run()", "commits after each revision");
  std::string target = required_text(fcinfo, 0, "target");
  SpiConnection spi(Volatility::nonatomic);
  RevisionRunner(spi).run(target);
  spi.finish();
  return static_cast<Datum>(0);
}

} // namespace

} // namespace migrate::pg

MIGRATE_SQL_FUNCTION(migrate_run, migrate::pg::run)
