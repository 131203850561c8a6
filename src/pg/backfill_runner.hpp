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
};

// `spi` is a nonatomic connection: the runner commits through it. A backfill
// is worked on by one runner at a time: the runner holds the session-level
// advisory lock (1835624306, id) while it runs that backfill's batches, and
// releases it when it moves on, when it fails, or when the call is cancelled.
void run_backfills(SpiConnection &spi, const RunnerOptions &options);

} // namespace migrate::pg
