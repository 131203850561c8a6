// CALL migrate.run(target, direction, at_gate): an upgrade or a downgrade
// that commits after each revision (Alembic's transaction_per_migration),
// runs transactional => false revisions outside any transaction, in a
// background worker, and opens backfill gates by running their backfills.
#include "core/backfill.hpp"
#include "core/engine_lock.hpp"
#include "core/error.hpp"
#include "core/step_text.hpp"
#include "core/text.hpp"
#include "pg/backend.hpp"
#include "pg/backfill_catalog.hpp"
#include "pg/backfill_runner.hpp"
#include "pg/catalog.hpp"
#include "pg/entry.hpp"
#include "pg/fmgr_io.hpp"
#include "pg/lint.hpp"
#include "pg/motion.hpp"
#include "pg/procedure.hpp"
#include "pg/step_runner.hpp"
#include "pg/toplevel_worker.hpp"

namespace migrate::pg {

namespace {

// What run() does at a revision whose backfills are not done.
enum class AtGate {
  run,  // runs them there (one commit per batch), then goes on
  stop, // ends there, successfully, saying which backfills and how far they are
};

AtGate at_gate_from(const std::string &value) {
  if (value == "run")
    return AtGate::run;
  if (value == "stop")
    return AtGate::stop;
  throw Error(sqlstate::invalid_parameter_value, "at_gate must be 'run' or 'stop', not '" + excerpt(value) + "'", {},
              "'run' (the default) runs a gate's backfills where the gate is, then goes on; 'stop' ends the call "
              "there.");
}

struct RunRequest {
  std::string target;
  Motion motion = Motion::upgrade;
  AtGate at_gate = AtGate::run;
};

class RevisionRunner {
public:
  explicit RevisionRunner(SpiConnection &spi) : spi_(spi) {}

  void run(const RunRequest &request) {
    // Wait for the lock holding no snapshot: the run we may wait for could be
    // building an index concurrently, which waits for every older snapshot,
    // while that run waits for its build: nobody would ever go on.
    spi_.commit();
    with_session_lock(engine_lock_key, [&] {
      wait_for_earlier_workers();
      run_locked(request);
    });
  }

private:
  void run_locked(const RunRequest &request) {
    RevisionGraph graph(load_graph_infos());
    PlannedMotion plan = plan_motion(graph, request.motion, request.target, true);
    check_plan(graph, plan, Caller::procedure);
    if (plan.steps.empty()) {
      notice("migrate.run: nothing to do; the database is at " + describe_rows(plan.rows_before));
      return;
    }
    lint_gate(graph, plan, true); // setting migrate.lint
    spi_.commit();                // the plan's reads; each revision is a transaction of its own from here
    StepRunner runner(graph, plan.rows_before, StepRunner::Options{true, nullptr, &spi_});
    std::vector<std::string> committed = plan.rows_before; // where the database is after a rollback
    std::size_t done = 0;
    for (const auto &step : plan.steps) {
      bool stopped = false;
      release_on_error(
          [&] {
            if (!step.gated_by.empty() && !open_gate(step, request.at_gate, committed)) {
              stopped = true;
              return;
            }
            runner.run(step);
            runner.flush();
            spi_.commit();
          },
          // What is committed stays; say where the database is, then fail.
          [&] { warn_stopped(graph.id(step.revision), request.motion, done, committed); });
      if (stopped)
        return;
      committed = runner.rows();
      ++done;
    }
    notice("migrate.run: " + std::to_string(done) + " revision" + (done == 1 ? "" : "s") + " " +
           (request.motion == Motion::upgrade ? "applied" : "downgraded") + ", each committed; the database is at " +
           describe_rows(committed));
  }

  // The gate before `step`: its backfills, run here until done (one commit
  // per batch), or, with at_gate 'stop', where they are. Returns whether the
  // step may run.
  bool open_gate(const PlannedStep &step, AtGate at_gate, const std::vector<std::string> &rows) {
    const std::string &revision = step.stored->content.graph.id;
    if (at_gate == AtGate::run) {
      auto waiting = not_done(step.gated_by);
      if (waiting.empty())
        return true; // done by another runner since the plan was made
      notice("migrate.run: revision " + revision + " waits for " + describe_gate(waiting) + "; running " +
             (waiting.size() == 1 ? "it" : "them") + " now");
      RunnerOptions options;
      options.names = step.gated_by;
      options.at_gate = true;
      run_backfills(spi_, options);
    }
    auto waiting = not_done(step.gated_by);
    if (waiting.empty())
      return true;
    if (at_gate == AtGate::stop) {
      notice("migrate.run: stopped at the gate of revision " + revision + ", which requires " + describe_gate(waiting) +
             " to be done; the database is at " + describe_rows(rows) +
             ". Run the backfills (CALL migrate.run_backfills(), or its pg_cron job), then CALL migrate.run() "
             "again.");
      return false;
    }
    throw gate_not_opened(revision, waiting.front());
  }

  // The backfills among `names` that are not done, as they are now.
  static std::vector<BackfillProgress> not_done(const std::vector<std::string> &names) {
    auto progress = backfill_progress(names);
    std::vector<BackfillProgress> out;
    for (const auto &name : names) {
      auto found = progress.find(name);
      if (found == progress.end())
        out.push_back(BackfillProgress{name, "", "removed", 0, 0, std::nullopt});
      else if (found->second.state != backfill_state::done)
        out.push_back(found->second);
    }
    return out;
  }

  static void warn_stopped(const std::string &failed, Motion motion, std::size_t done,
                           const std::vector<std::string> &rows) {
    warning_nothrow("migrate.run stopped at revision " + failed + ": " + std::to_string(done) + " revision" +
                    (done == 1 ? "" : "s") + " before it " + (motion == Motion::upgrade ? "applied" : "downgraded") +
                    " and committed; the database is at " + describe_rows(rows) +
                    ". Fix the cause and CALL migrate.run() again to go on from there.");
  }

  SpiConnection &spi_;
};

Datum run(FunctionCallInfo fcinfo) {
  require_nonatomic(fcinfo, "migrate.run()", "commits after each revision");
  RunRequest request;
  request.target = required_text(fcinfo, 0, "target");
  // 0.1.0's declaration (until ALTER EXTENSION UPDATE) has only the target.
  if (PG_NARGS() > 1)
    request.motion = motion_from(required_text(fcinfo, 1, "direction"));
  if (PG_NARGS() > 2)
    request.at_gate = at_gate_from(required_text(fcinfo, 2, "at_gate"));
  SpiConnection spi(Volatility::nonatomic);
  RevisionRunner(spi).run(request);
  spi.finish();
  return static_cast<Datum>(0);
}

} // namespace

} // namespace migrate::pg

MIGRATE_SQL_FUNCTION(migrate_run, migrate::pg::run)
