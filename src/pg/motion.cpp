#include "pg/motion.hpp"

#include "core/applied.hpp"
#include "core/backfill.hpp"
#include "core/error.hpp"
#include "core/step_text.hpp"
#include "core/text.hpp"
#include "pg/backfill_catalog.hpp"
#include "pg/sql_check.hpp"

namespace migrate::pg {

Motion motion_from(const std::string &name) {
  if (name != direction::upgrade && name != direction::downgrade)
    throw Error(sqlstate::invalid_parameter_value,
                "direction must be 'upgrade' or 'downgrade', not '" + excerpt(name) + "'");
  return name == direction::upgrade ? Motion::upgrade : Motion::downgrade;
}

const char *runner_name(Runner runner) {
  return runner == Runner::transaction ? "transaction" : "worker";
}

PlannedMotion plan_motion(const RevisionGraph &graph, Motion motion, const std::string &target, bool lock_rows) {
  PlannedMotion plan(motion, lock_rows ? version_rows_for_update() : version_rows());
  applied_set(graph, plan.rows_before); // every row must name a registered revision
  Planner planner(graph);
  auto steps = motion == Motion::upgrade ? planner.upgrade(plan.rows_before, target)
                                         : planner.downgrade(plan.rows_before, target);
  std::vector<std::string> ids;
  for (const auto &step : steps)
    ids.push_back(graph.id(step.revision));
  plan.revisions = load_revisions(ids);
  plan.steps.reserve(steps.size());
  for (const auto &step : steps)
    plan.steps.push_back(planned_step(graph, step, plan.revisions.at(graph.id(step.revision))));
  return plan;
}

PlannedStep planned_step(const RevisionGraph &graph, const RevisionStep &step, const StoredRevision &stored) {
  PlannedStep planned;
  static_cast<RevisionStep &>(planned) = step;
  planned.stored = &stored;
  planned.description = describe_step(graph, step);
  planned.context = "migrate: " + planned.description + " (revision " + graph.id(step.revision) + ")";
  const auto &content = stored.content;
  planned.sql = step.upgrade ? &content.upgrade_sql : content.downgrade_sql ? &*content.downgrade_sql : nullptr;
  planned.runner = content.transactional ? Runner::transaction : Runner::top_level;
  return planned;
}

namespace {

// Expand -> backfill -> contract: an upgrade into a revision that requires
// backfills waits until they are done (core's plan_gates).
void set_gates(const RevisionGraph &graph, PlannedMotion &plan, bool open_gates) {
  std::vector<RevisionStep> steps;
  std::vector<std::vector<std::string>> required;
  std::vector<std::string> names;
  for (const auto &step : plan.steps) {
    steps.push_back(step);
    required.push_back(step.upgrade ? step.stored->content.requires_backfills : std::vector<std::string>{});
    names.insert(names.end(), required.back().begin(), required.back().end());
  }
  if (names.empty())
    return;
  auto gates =
      plan_gates(graph, steps, required, backfill_progress(names), applied_set(graph, plan.rows_before), open_gates);
  for (std::size_t i = 0; i < plan.steps.size(); ++i)
    plan.steps[i].gated_by = std::move(gates[i]);
}

Error not_in_a_transaction(const PlannedStep &step) {
  const std::string &id = step.stored->content.graph.id;
  const char *call = step.upgrade ? "upgrade()" : "downgrade()";
  return Error(sqlstate::object_not_in_prerequisite_state,
               "revision " + id + " is marked transactional => false and cannot run inside " + call,
               "Nothing was run. " + std::string(call) + " runs every step in the caller's transaction.",
               step.upgrade ? "Upgrade with CALL migrate.run(target) instead: it commits after each revision "
                              "and runs non-transactional ones outside any transaction."
                            : "Downgrade with CALL migrate.run(target, 'downgrade') instead: it commits after each "
                              "revision and runs non-transactional ones outside any transaction.");
}

Error irreversible(const PlannedStep &step) {
  const std::string &id = step.stored->content.graph.id;
  return Error(
      sqlstate::object_not_in_prerequisite_state, "revision " + id + " is irreversible: it has no downgrade SQL", {},
      "Nothing was run. Register the revision again with downgrade SQL while it is pending, or stamp past it.");
}

} // namespace

void check_plan(const RevisionGraph &graph, PlannedMotion &plan, Caller caller) {
  set_gates(graph, plan, caller != Caller::atomic);
  for (auto &step : plan.steps) {
    const auto &content = step.stored->content;
    if (step.runner == Runner::top_level && caller == Caller::atomic)
      throw not_in_a_transaction(step);
    if (!step.sql)
      throw irreversible(step);
    step.statements = inspect_sql(content.graph.id, direction_of(step), *step.sql, content.transactional);
  }
}

} // namespace migrate::pg
