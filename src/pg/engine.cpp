#include "pg/engine.hpp"

#include "core/error.hpp"
#include "core/text.hpp"
#include "core/backfill.hpp"
#include "pg/backfill_catalog.hpp"
#include "pg/guard.hpp"
#include "pg/sql_check.hpp"
#include "pg/spi.hpp"

#include <chrono>

namespace migrate::pg {

void notice(const std::string &message) {
  const char *text = message.c_str();
  pg_call([&] { ereport(NOTICE, (errmsg_internal("%s", text))); });
}

namespace {

void check_for_interrupts() {
  pg_call([] { CHECK_FOR_INTERRUPTS(); });
}

} // namespace

std::int64_t micros_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start).count();
}

PlannedMotion plan_motion(const RevisionGraph &graph, Motion motion, const std::string &target, bool lock_rows) {
  PlannedMotion plan{motion, lock_rows ? version_rows_for_update() : version_rows(), {}, {}};
  applied_set(graph, plan.rows_before); // every row must name a registered revision
  Planner planner(graph);
  plan.steps = motion == Motion::upgrade ? planner.upgrade(plan.rows_before, target)
                                         : planner.downgrade(plan.rows_before, target);
  std::vector<std::string> ids;
  for (const auto &step : plan.steps)
    ids.push_back(graph.id(step.revision));
  plan.revisions = load_revisions(ids);
  return plan;
}

const std::string &step_sql(const RevisionGraph &graph, const PlannedMotion &plan, const RevisionStep &step) {
  const auto &content = plan.revisions.at(graph.id(step.revision)).content;
  if (step.upgrade)
    return content.upgrade_sql;
  if (!content.downgrade_sql)
    throw Error(
        sqlstate::object_not_in_prerequisite_state,
        "revision " + content.graph.id + " is irreversible: it has no downgrade SQL", {},
        "Nothing was run. Register the revision again with downgrade SQL while it is pending, or stamp past it.");
  return *content.downgrade_sql;
}

namespace {

// Expand -> backfill -> contract: an upgrade into a revision that requires
// backfills waits until they are done.
void check_gates(const RevisionGraph &graph, const PlannedMotion &plan) {
  std::vector<std::string> required;
  for (const auto &step : plan.steps)
    if (step.upgrade)
      for (const auto &name : plan.revisions.at(graph.id(step.revision)).content.requires_backfills)
        required.push_back(name);
  if (required.empty())
    return;
  auto progress = backfill_progress(required);
  VertexSet applied = applied_set(graph, plan.rows_before);
  for (const auto &step : plan.steps) {
    if (!step.upgrade)
      continue;
    const auto &content = plan.revisions.at(graph.id(step.revision)).content;
    for (const auto &name : content.requires_backfills) {
      auto found = progress.find(name);
      if (found != progress.end() && found->second.state == "done")
        continue;
      std::optional<BackfillProgress> p;
      bool revision_applied = false;
      if (found != progress.end()) {
        p = found->second;
        auto v = graph.find(p->revision);
        revision_applied = v && applied.test(*v);
      }
      throw gate_refusal(content.graph.id, name, p, revision_applied);
    }
  }
}

} // namespace

void check_runnable(const RevisionGraph &graph, const PlannedMotion &plan, bool atomic) {
  check_gates(graph, plan);
  for (const auto &step : plan.steps) {
    const auto &content = plan.revisions.at(graph.id(step.revision)).content;
    if (!content.transactional && atomic)
      throw Error(sqlstate::object_not_in_prerequisite_state,
                  "revision " + content.graph.id + " is marked transactional => false and cannot run inside " +
                      (plan.motion == Motion::upgrade ? "upgrade()" : "downgrade()"),
                  "Nothing was run. " + std::string(step.upgrade ? "upgrade()" : "downgrade()") +
                      " runs every step in the caller's transaction.",
                  step.upgrade ? "Upgrade with CALL migrate.run(target) instead: it commits after each revision "
                                 "and runs non-transactional ones outside any transaction."
                               : "CALL migrate.run() only upgrades: run this revision's downgrade SQL yourself, "
                                 "then move the version with migrate.stamp().");
    // Refuses an irreversible step now, not halfway; and PostgreSQL's parser
    // reads every step's SQL before the first one runs (a row written to the
    // catalog directly never went through migrate.revision()'s checks).
    inspect_sql(content.graph.id, step.upgrade ? "upgrade" : "downgrade", step_sql(graph, plan, step),
                content.transactional);
  }
}

std::vector<StepReport> run_plan(const RevisionGraph &graph, const PlannedMotion &plan) {
  std::vector<StepReport> reports;
  if (plan.steps.empty())
    return reports; // nothing to run, nothing to journal
  VersionRows rows(graph, plan.rows_before);
  const std::string call_started = clock_now();
  const auto start = std::chrono::steady_clock::now();
  std::vector<JournalEntry> journal;
  for (const auto &step : plan.steps) {
    check_for_interrupts();
    const auto &info = graph.info(step.revision);
    const std::string line = describe_step(graph, step);
    notice("Running " + line);
    JournalEntry entry{info.id, step.upgrade ? "upgrade" : "downgrade", {}, {}, micros_since(start), 0};
    const auto step_start = std::chrono::steady_clock::now();
    const auto &content = plan.revisions.at(info.id).content;
    run_step_sql(step_sql(graph, plan, step), "migrate: " + line + " (revision " + info.id + ")",
                 StepTimeouts{content.lock_timeout_ms, content.statement_timeout_ms});
    entry.duration_us = micros_since(step_start);
    const VersionChange change = rows.apply(step);
    entry.from_heads = change.replaced();
    entry.to_heads = change.written();
    reports.push_back({info.id, entry.direction, info.message, entry.duration_us});
    journal.push_back(std::move(entry));
  }
  write_version_rows(rows.rows());
  append_journal(journal, call_started);
  // Data a downgraded revision's backfill filled is gone with its schema:
  // upgrading again runs the backfill again from the start.
  std::vector<std::string> downgraded;
  for (const auto &step : plan.steps)
    if (!step.upgrade)
      downgraded.push_back(graph.id(step.revision));
  for (const auto &name : reset_backfills(downgraded))
    notice("Backfill " + name + " starts over: its revision was downgraded");
  return reports;
}

} // namespace migrate::pg
