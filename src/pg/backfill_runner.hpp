// CALL migrate.run_backfills(): every runnable backfill, batch by batch, a
// commit after each batch.
#pragma once

#include "pg/spi.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace migrate::pg {

struct RunnerOptions {
  std::optional<std::vector<std::string>> names; // nullopt: every backfill
  std::optional<std::int64_t> max_duration_us;   // for the whole call
  // CALL migrate.run() at a gate: wait for a backfill another runner (a
  // pg_cron job) holds, then go on with what it left; and run each one until
  // it is done or fails, past its per-call max_batches and max_duration
  // (its pause still applies).
  bool at_gate = false;
};

// `spi` is a nonatomic connection: the runner commits through it. A backfill
// is worked on by one runner at a time: the runner holds the session-level
// advisory lock (backfill_lock_space, id) while it runs that backfill's
// batches, and releases it when it moves on, when it fails, or when the call
// is cancelled. Another runner's backfill is skipped (NOTICE), or waited for
// with `at_gate`.
void run_backfills(SpiConnection &spi, const RunnerOptions &options);

} // namespace migrate::pg
