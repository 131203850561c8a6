// Running a plan in the caller's transaction: each step's SQL through SPI, a
// NOTICE per step, then the version rows and the journal. Any failure
// propagates and aborts the caller's transaction: nothing stays applied.
#pragma once

#include "core/planner.hpp"
#include "core/step_text.hpp" // describe_step(): Alembic's log line for a step
#include "pg/catalog.hpp"
#include "pg/step_sql.hpp"

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace migrate::pg {

struct StepReport {
  std::string revision, direction, message;
  std::int64_t duration_us = 0;
};

enum class Motion { upgrade, downgrade };

// A plan from the current version rows, with every step's stored revision.
struct PlannedMotion {
  Motion motion;
  std::vector<std::string> rows_before;
  std::vector<RevisionStep> steps;
  std::map<std::string, StoredRevision> revisions;
};
// `lock_rows`: read the version rows FOR UPDATE (the caller holds the engine lock).
PlannedMotion plan_motion(const RevisionGraph &graph, Motion motion, const std::string &target, bool lock_rows);

// Refuses, before anything runs, a plan that cannot run atomically or must
// not run yet: a non-transactional revision, a downgrade through an
// irreversible one, an upgrade into a revision whose backfills are not done.
// `atomic`: the plan runs in one transaction (upgrade(), downgrade()), which
// refuses non-transactional revisions; CALL migrate.run() runs them.
void check_runnable(const RevisionGraph &graph, const PlannedMotion &plan, bool atomic = true);

void notice(const std::string &message);
std::int64_t micros_since(std::chrono::steady_clock::time_point start);

std::vector<StepReport> run_plan(const RevisionGraph &graph, const PlannedMotion &plan);

// The SQL a step runs.
const std::string &step_sql(const RevisionGraph &graph, const PlannedMotion &plan, const RevisionStep &step);

} // namespace migrate::pg
