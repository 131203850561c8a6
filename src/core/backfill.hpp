// Backfills: batched data migrations attached to a revision. What the core
// decides about them: valid definitions, the gate a revision puts on its
// upgrade, and when a run must stop.
#pragma once

#include "core/error.hpp"
#include "core/planner.hpp"
#include "core/revision_graph.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace migrate {

// A backfill's states: stored (pending, done, failed) and shown by
// migrate.backfills (running, while a runner holds its lock).
namespace backfill_state {
inline constexpr const char *pending = "pending";
inline constexpr const char *running = "running";
inline constexpr const char *done = "done";
inline constexpr const char *failed = "failed";
} // namespace backfill_state

// How much one call of the runner may do for one backfill. Times in microseconds.
struct BackfillLimits {
  std::int64_t pause_us = 0;                   // between two batches
  std::optional<std::int64_t> max_batches;     // per call
  std::optional<std::int64_t> max_duration_us; // per call
};

struct BackfillSpec {
  std::string name;
  std::string revision;
  std::string batch_sql;
  BackfillLimits limits;
};

// Checks the name, the revision id and the limits (the SQL is PostgreSQL's
// parser's business). Throws migrate::Error.
void check_backfill_spec(const BackfillSpec &spec);

// What a checksum of a backfill covers: what it does (revision, SQL), not
// how fast it may do it (limits can be tuned at any time).
std::string backfill_canonical_form(const BackfillSpec &spec);

// A backfill as the gate sees it (migrate.backfills' columns).
struct BackfillProgress {
  std::string name;
  std::string revision;
  std::string state; // pending, running, done, failed
  std::int64_t batches = 0;
  std::int64_t rows_done = 0;
  std::optional<std::string> last_error;
};

// Where a gated step stands with respect to its backfill's own revision
// (the backfill runner runs only backfills of applied revisions).
enum class BackfillReach {
  applied,         // applied before the plan runs
  earlier_in_plan, // upgraded by a step of the plan before the gated one
  not_reached,     // neither: no run of this plan can fill it in time
};

// The refusal to upgrade into `revision` while backfill `required` is not
// done, before anything ran: `found` is nullopt when no backfill of that
// name is registered.
Error gate_refusal(const std::string &revision, const std::string &required,
                   const std::optional<BackfillProgress> &found, BackfillReach reach);

// The gates of a plan: for each step (in order), the backfills it requires
// that are not done (its revision's requires_backfills, in their order; none
// for a downgrade). `required[i]` is step i's requires_backfills, `progress`
// those backfills as registered (absent: not registered), `applied` the
// revisions applied before the plan. Refuses, with gate_refusal, the first
// gate that `open_gates` cannot get past: with open_gates (CALL
// migrate.run(), which runs a gate's backfills when it reaches it), an
// unregistered backfill or one whose revision is not reached; without
// (upgrade(), one transaction), any backfill not done.
std::vector<std::vector<std::string>> plan_gates(const RevisionGraph &graph, const std::vector<RevisionStep> &steps,
                                                 const std::vector<std::vector<std::string>> &required,
                                                 const std::map<std::string, BackfillProgress> &progress,
                                                 const VertexSet &applied, bool open_gates);

// CALL migrate.run() reached a gate, ran its backfills, and one is still not
// done (it failed): 55000, naming it and its last error.
Error gate_not_opened(const std::string &revision, const BackfillProgress &backfill);

// "backfill fill_y (pending, 0 batches, 0 rows)", or "backfills a (...), b (...)".
std::string describe_gate(const std::vector<BackfillProgress> &backfills);

// "3 batches, 30000 rows"
std::string describe_progress(const BackfillProgress &progress);

// When one backfill's share of a call is used up: its own limits, and the
// whole call's max_duration. `now_us` counts from the same origin as the starts.
class RunBudget {
public:
  RunBudget(const BackfillLimits &limits, std::int64_t started_us, std::optional<std::int64_t> call_deadline_us)
      : limits_(limits), started_us_(started_us), call_deadline_us_(call_deadline_us) {}

  // nullopt while more batches may run; otherwise why not, for the NOTICE.
  std::optional<std::string> exhausted(std::int64_t batches_run, std::int64_t now_us) const;

private:
  BackfillLimits limits_;
  std::int64_t started_us_;
  std::optional<std::int64_t> call_deadline_us_;
};

} // namespace migrate
