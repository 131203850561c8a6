#include "pg/step_runner.hpp"

#include "core/step_text.hpp"
#include "pg/backend.hpp"
#include "pg/backfill_catalog.hpp"
#include "pg/catalog.hpp"
#include "pg/toplevel_worker.hpp"

namespace migrate::pg {

void run_step_sql(const PlannedStep &step, StatementHooks *hooks, SpiConnection *nonatomic) {
  const auto &content = step.stored->content;
  if (step.runner == Runner::transaction) {
    run_in_transaction(step.statements, step.context,
                       StepTimeouts{content.lock_timeout_ms, content.statement_timeout_ms}, hooks);
    return;
  }
  if (!nonatomic)
    throw Error(sqlstate::internal_error, step.context + ": a top-level step outside CALL migrate.run()");
  nonatomic->commit(); // drops the snapshot the queries before left: see run_at_top_level()
  run_at_top_level(content.graph.id, step.statements, step.context);
}

StepRunner::StepRunner(const RevisionGraph &graph, const std::vector<std::string> &rows_before, Options options)
    : graph_(graph), options_(options), rows_(graph, rows_before) {}

void StepRunner::start_clock() {
  if (!started_) {
    started_ = clock_now();
    started_clock_ = std::chrono::steady_clock::now();
  }
}

StepReport StepRunner::run(const PlannedStep &step) {
  check_for_interrupts();
  start_clock();
  const auto &info = graph_.info(step.revision);
  if (options_.announce)
    notice("Running " + step.description + (step.runner == Runner::top_level ? " (outside a transaction)" : ""));
  JournalEntry entry{info.id, direction_of(step), {}, {}, micros_since(started_clock_), 0};
  const auto step_start = std::chrono::steady_clock::now();
  run_step_sql(step, options_.hooks, options_.nonatomic);
  entry.duration_us = micros_since(step_start);
  const VersionChange change = rows_.apply(step);
  entry.from_heads = change.replaced();
  entry.to_heads = change.written();
  StepReport report{info.id, entry.direction, info.message, entry.duration_us};
  journal_.push_back(std::move(entry));
  if (!step.upgrade)
    downgraded_.push_back(info.id);
  return report;
}

void StepRunner::stamp(const StampStep &step) {
  start_clock();
  const VersionChange change = rows_.apply(step);
  if (options_.announce)
    notice("Running " + describe_stamp(step));
  const auto &named = step.to.empty() ? step.from : step.to;
  journal_.push_back({named.front(), direction::stamp, change.replaced(), change.written(), 0, 0});
}

bool StepRunner::flush() {
  if (journal_.empty())
    return false;           // nothing moved, nothing to write
  if (journal_.size() == 1) // one step (CALL migrate.run()): only the rows it replaced and wrote
    write_version_change(journal_.front().from_heads, journal_.front().to_heads, rows_.rows());
  else
    write_version_rows(rows_.rows());
  append_journal(journal_, *started_);
  journal_.clear();
  // Data a downgraded revision's backfill filled is gone with its schema:
  // upgrading again runs the backfill again from the start.
  for (const auto &name : reset_backfills(downgraded_))
    notice("Backfill " + name + " starts over: its revision was downgraded");
  downgraded_.clear();
  return true;
}

} // namespace migrate::pg
