// The one routine that runs a step, a revision's upgrade or downgrade or a
// stamp: its NOTICE, its SQL in the runner it needs (SPI in the current
// transaction with lock retries, or the top-level worker) under its
// CONTEXT, the version rows and the journal. upgrade(), downgrade(),
// stamp() and CALL migrate.run() all run their steps through it; so can
// rehearsals and round-trip checks, which observe each statement (hooks) and
// write nothing (no flush).
#pragma once

#include "core/planner.hpp"
#include "pg/motion.hpp"
#include "pg/spi.hpp"
#include "pg/transactional_runner.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace migrate::pg {

struct StepReport {
  std::string revision, direction, message;
  std::int64_t duration_us = 0;
};

// Runs `step`'s SQL in its runner under its CONTEXT, and nothing else (no
// NOTICE, no version rows, no journal). A top-level step needs `nonatomic`
// (CALL migrate.run()'s connection), through which the transaction is
// committed first: the worker's statements must not wait for a snapshot
// this backend holds; the caller holds the engine lock at session level.
void run_step_sql(const PlannedStep &step, StatementHooks *hooks = nullptr, SpiConnection *nonatomic = nullptr);

class StepRunner {
public:
  struct Options {
    bool announce = true;               // a NOTICE "Running upgrade a1 -> b2, ..." before each step
    StatementHooks *hooks = nullptr;    // around each statement run through SPI
    SpiConnection *nonatomic = nullptr; // CALL migrate.run()'s connection: see run_step_sql()
  };

  StepRunner(const RevisionGraph &graph, const std::vector<std::string> &rows_before, Options options);

  // Runs one revision step (run_step_sql), then moves the version rows, in
  // memory, as Alembic's HeadMaintainer does, and keeps the step's journal
  // entry for flush(). Checks for interrupts first.
  StepReport run(const PlannedStep &step);
  // A stamp step: its NOTICE, the version rows and the journal entry; no SQL.
  void stamp(const StampStep &step);

  // Writes what the steps since the last flush did: the version rows (and
  // the schema fingerprint drift() compares with), their journal entries
  // (one INSERT), and the backfills of downgraded revisions reset to start
  // over (a NOTICE each). upgrade() flushes once at its end, CALL
  // migrate.run() after each step, before it commits. Returns whether there
  // was anything to write.
  bool flush();

  // The version rows as the steps so far left them (sorted).
  std::vector<std::string> rows() const { return rows_.rows(); }

private:
  void start_clock();

  const RevisionGraph &graph_;
  Options options_;
  VersionRows rows_;
  std::vector<JournalEntry> journal_;
  std::vector<std::string> downgraded_;
  std::optional<std::string> started_;                  // clock_timestamp() at the first step
  std::chrono::steady_clock::time_point started_clock_; // the same moment
};

} // namespace migrate::pg
