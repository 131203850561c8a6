// Reads and writes of migrate.backfill_jobs (and its view migrate.backfills).
#pragma once

#include "core/backfill.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace migrate::pg {

struct StoredBackfill {
  BackfillSpec spec;
  std::int64_t id = 0; // the second key of the runner's advisory lock
  std::string checksum;
  std::string state; // as stored: pending, done or failed
  std::int64_t batches = 0;
  std::int64_t rows_done = 0;
  std::optional<std::string> resume_key;
};

std::optional<StoredBackfill> load_backfill(const std::string &name);
std::optional<StoredBackfill> load_backfill(std::int64_t id);
void insert_backfill(const BackfillSpec &spec, const std::string &checksum);
// Content and limits; progress stays (a failed backfill is fixed and goes on).
void update_backfill(const BackfillSpec &spec, const std::string &checksum);
void update_backfill_limits(const BackfillSpec &spec);

// Backfills not done, oldest first; only `names` when given.
std::vector<StoredBackfill> unfinished_backfills(const std::optional<std::vector<std::string>> &names);
// The names among `names` that are not registered.
std::vector<std::string> unknown_backfills(const std::vector<std::string> &names);

// As migrate.backfills shows them (state `running` while a runner holds one).
std::map<std::string, BackfillProgress> backfill_progress(const std::vector<std::string> &names);

// The backend running backfill `name` now, if any.
std::optional<std::int64_t> backfill_runner_pid(const std::string &name);

// A batch committed: `rows` == 0 finishes the backfill.
void record_batch(std::int64_t id, std::uint64_t rows, const std::optional<std::string> &resume_key);
void record_failure(std::int64_t id, const std::string &error);

// Progress of the backfills of downgraded revisions starts over; returns
// the names of those that had any.
std::vector<std::string> reset_backfills(const std::vector<std::string> &revisions);

} // namespace migrate::pg
