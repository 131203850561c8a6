// A planned motion of the database (an upgrade or a downgrade) with what
// running each step takes: its stored revision, its SQL parsed by
// PostgreSQL, the runner it needs, the backfills that gate it. Planned
// once, checked for the caller that will run it, then run step by step by
// the StepRunner (step_runner.hpp), or shown by plan().
#pragma once

#include "core/planner.hpp"
#include "pg/catalog.hpp"
#include "pg/statements.hpp"

#include <map>
#include <string>
#include <vector>

namespace migrate::pg {

enum class Motion { upgrade, downgrade };
// 'upgrade' or 'downgrade' (a `direction` argument); 22023 otherwise.
Motion motion_from(const std::string &direction);

// Where a step's SQL runs.
enum class Runner {
  transaction, // through SPI in a transaction: the caller's (upgrade(), downgrade()) or, under run(), its own
  top_level,   // each statement at top level in a background worker: CALL migrate.run() only
};
const char *runner_name(Runner runner); // plan()'s `runner` column: "transaction", "worker"

// One step with what running it takes. A RevisionStep (revision, upgrade),
// so code that reads plan.steps as revision steps keeps working.
struct PlannedStep : RevisionStep {
  const StoredRevision *stored = nullptr; // in PlannedMotion::revisions
  std::string description;                // "upgrade a1 -> b2, add users"
  std::string context;                    // the CONTEXT of its errors
  const std::string *sql = nullptr;       // its upgrade or downgrade SQL; null when irreversible
  std::vector<Statement> statements;      // parsed by check_plan(); valid while the caller's SPI connection is
  Runner runner = Runner::transaction;
  std::vector<std::string> gated_by; // backfills not done that must be before it runs (check_plan())
};

// A plan from the current version rows, with every step's stored revision.
// Moved, never copied: its steps point into `revisions`.
struct PlannedMotion {
  Motion motion;
  std::vector<std::string> rows_before;
  std::vector<PlannedStep> steps;
  std::map<std::string, StoredRevision> revisions;

  PlannedMotion(Motion m, std::vector<std::string> rows) : motion(m), rows_before(std::move(rows)) {}
  PlannedMotion(PlannedMotion &&) = default;
  PlannedMotion &operator=(PlannedMotion &&) = default;
  PlannedMotion(const PlannedMotion &) = delete;
  PlannedMotion &operator=(const PlannedMotion &) = delete;
};

// `lock_rows`: read the version rows FOR UPDATE (the caller holds the engine
// lock). Refuses a version row that names no registered revision, and
// whatever the planner refuses.
PlannedMotion plan_motion(const RevisionGraph &graph, Motion motion, const std::string &target, bool lock_rows);

// One revision's step (its upgrade or its downgrade) with its description,
// CONTEXT, SQL (null: irreversible) and runner; its statements are parsed
// later (check_plan()). `stored` must outlive it. plan_motion() builds
// every step with it; a round-trip check builds the downgrade of each
// upgrade step with it.
PlannedStep planned_step(const RevisionGraph &graph, const RevisionStep &step, const StoredRevision &stored);

// Who will run the plan.
enum class Caller {
  atomic,    // upgrade(), downgrade(): one transaction, the caller's
  procedure, // CALL migrate.run(): a commit per revision, the worker, gates opened by running their backfills
  preview,   // plan(): shows what upgrade() or run() would run
};

// Parses every step's SQL (PostgreSQL's parser reads all of it before the
// first step runs: a row written to the catalog directly never went through
// migrate.revision()'s checks), sets each step's runner and gates, and
// refuses, before anything runs, what `caller` cannot run: a downgrade
// through an irreversible revision, SQL that no runner can run, a gate
// that cannot open (an unregistered backfill, or one whose revision is not
// applied by then); for an atomic caller also a non-transactional revision
// and any gate not open.
void check_plan(const RevisionGraph &graph, PlannedMotion &plan, Caller caller);

} // namespace migrate::pg
