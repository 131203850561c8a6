// migrate.upgrade(), downgrade(), stamp(), plan() and merge(): moving the
// database in the caller's transaction, or saying how it would move.
#include "core/applied.hpp"
#include "core/error.hpp"
#include "core/merge.hpp"
#include "core/planner.hpp"
#include "core/revision_content.hpp"
#include "core/text.hpp"
#include "pg/catalog.hpp"
#include "pg/entry.hpp"
#include "pg/fingerprint.hpp"
#include "pg/fmgr_io.hpp"
#include "pg/lint.hpp"
#include "pg/motion.hpp"
#include "pg/registration.hpp"
#include "pg/spi.hpp"
#include "pg/step_runner.hpp"

namespace migrate::pg {

namespace {

// upgrade() and downgrade(): every step in the caller's transaction; the
// version rows and the journal written once, at the end.
Datum move(FunctionCallInfo fcinfo, Motion motion) {
  std::string target = required_text(fcinfo, 0, "target");
  SpiConnection spi(Volatility::volatile_);
  lock_catalog(); // before reading the state: a second session waits, then sees the first one's work
  auto graph = load_graph();
  PlannedMotion plan = plan_motion(*graph, motion, target, true);
  check_plan(*graph, plan, Caller::atomic);
  lint_gate(*graph, plan, false); // setting migrate.lint
  StepRunner runner(*graph, plan.rows_before, {});
  Rows out;
  for (const auto &step : plan.steps) {
    StepReport r = runner.run(step);
    out.push_back(Row{r.revision, r.direction, r.message, std::to_string(r.duration_us) + " microseconds"});
  }
  runner.flush();
  spi.finish();
  return return_rows(fcinfo, out);
}

Datum upgrade(FunctionCallInfo fcinfo) {
  return move(fcinfo, Motion::upgrade);
}
Datum downgrade(FunctionCallInfo fcinfo) {
  return move(fcinfo, Motion::downgrade);
}

// What upgrade(), downgrade() or CALL migrate.run() would do: every step,
// with its SQL, the version rows after it, its runner and its gate. Refuses
// only what no runner can run.
Datum plan(FunctionCallInfo fcinfo) {
  std::string target = required_text(fcinfo, 0, "target");
  Motion motion = motion_from(required_text(fcinfo, 1, "direction"));
  SpiConnection spi(Volatility::stable);
  auto graph = load_graph();
  PlannedMotion planned = plan_motion(*graph, motion, target, false);
  check_plan(*graph, planned, Caller::preview);
  VersionRows rows(*graph, planned.rows_before);
  // 0.1.0's declaration (until ALTER EXTENSION UPDATE) has the first five columns.
  const std::size_t columns = result_columns(fcinfo);
  Rows out;
  std::int64_t number = 0;
  for (const auto &step : planned.steps) {
    const VersionChange change = rows.apply(step); // the rows it writes, as the journal's to_heads
    const auto &info = graph->info(step.revision);
    Row row{++number,     info.id, info.message, *step.sql, change.written(), std::string(runner_name(step.runner)),
            step.gated_by};
    row.resize(std::min(row.size(), columns));
    out.push_back(std::move(row));
  }
  spi.finish();
  return return_rows(fcinfo, out);
}

// stamp(VARIADIC targets): Alembic's `stamp` of one or several revisions.
Datum stamp_targets(FunctionCallInfo fcinfo, const std::vector<std::string> &targets) {
  SpiConnection spi(Volatility::volatile_);
  lock_catalog();
  auto graph = load_graph();
  auto before = version_rows_for_update();
  applied_set(*graph, before); // every row must name a registered revision
  StepRunner runner(*graph, before, {});
  for (const auto &step : Planner(*graph).stamp(before, targets))
    runner.stamp(step);
  if (!runner.flush())
    record_fingerprint(runner.rows()); // stamped where it is: the schema as it is becomes drift()'s reference
  spi.finish();
  Rows out;
  for (const auto &id : runner.rows())
    out.push_back(Row{id});
  return return_rows(fcinfo, out);
}

Datum stamp(FunctionCallInfo fcinfo) {
  return stamp_targets(fcinfo, required_text_array(fcinfo, 0, "targets"));
}

// 0.1.0's declaration, stamp(target text), until ALTER EXTENSION UPDATE.
Datum stamp_one(FunctionCallInfo fcinfo) {
  return stamp_targets(fcinfo, {required_text(fcinfo, 0, "target")});
}

Datum merge(FunctionCallInfo fcinfo) {
  auto specs = required_text_array(fcinfo, 0, "revisions");
  std::string message = required_text(fcinfo, 1, "message");
  auto id = arg_text(fcinfo, 2);
  SpiConnection spi(Volatility::volatile_);
  lock_catalog();
  auto graph = load_graph();
  std::vector<RevisionGraph::Vertex> parents = merge_parents(*graph, specs);
  RevisionContent c;
  c.graph.down_revisions = graph->ids(parents);
  c.graph.message = message;
  c.upgrade_sql = "";
  c.downgrade_sql = std::string(); // reversible: nothing to undo
  if (id) {
    // A caller's id names a new revision; the same merge sent again is a no-op.
    c.graph.id = *id;
    if (auto existing = load_revision(*id)) {
      if (canonical_form(existing->content) != canonical_form(c))
        throw Error(sqlstate::duplicate_object, "revision " + excerpt(*id) + " already exists", {},
                    "Choose another id for the merge, or leave it NULL to have one generated.");
      spi.finish();
      return return_text(*id);
    }
  } else {
    // Alembic's generated ids: the last 12 hex digits of a random UUID.
    c.graph.id =
        text(query("SELECT pg_catalog.right(pg_catalog.replace(pg_catalog.gen_random_uuid()::text, '-', ''), 12)")
                 .front()[0]);
  }
  check_merge_parents(*graph, parents);
  register_content(c);
  spi.finish();
  return return_text(c.graph.id);
}

} // namespace

} // namespace migrate::pg

MIGRATE_SQL_FUNCTION(migrate_upgrade, migrate::pg::upgrade)
MIGRATE_SQL_FUNCTION(migrate_downgrade, migrate::pg::downgrade)
MIGRATE_SQL_FUNCTION(migrate_plan, migrate::pg::plan)
MIGRATE_SQL_FUNCTION(migrate_stamp_targets, migrate::pg::stamp)
MIGRATE_SQL_FUNCTION(migrate_stamp, migrate::pg::stamp_one)
MIGRATE_SQL_FUNCTION(migrate_merge, migrate::pg::merge)
