// Backfills: batched data migrations attached to a revision. What the core
// decides about them: valid definitions, the gate a revision puts on its
// upgrade, and when a run must stop.
#pragma once

#include "core/error.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace migrate {

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

// The refusal to upgrade into `revision` while backfill `required` is not
// done: `found` is nullopt when no backfill of that name is registered;
// `revision_applied` says whether the backfill's own revision is applied (or
// will only be applied by this same upgrade).
Error gate_refusal(const std::string &revision, const std::string &required,
                   const std::optional<BackfillProgress> &found, bool revision_applied);

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
