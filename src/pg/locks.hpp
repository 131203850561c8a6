// The advisory lock keys the engine uses, in one place. migrate.backfills
// (the install scripts) spells backfill_lock_space out as 1835624306.
#pragma once

#include <cstdint>

namespace migrate::pg {

// 'migrate!' in ASCII: the engine's lock. upgrade(), downgrade(), stamp()
// and every catalog change take it per transaction; CALL migrate.run() per
// session, for its whole run.
inline constexpr std::int64_t engine_lock_key = 0x6d69677261746521;

// 'migrateW': held at session level by CALL migrate.run()'s background worker
// for its whole life; run() waits for it before it plans (toplevel_worker.hpp).
inline constexpr std::int64_t worker_lock_key = 0x6d69677261746557;

// 'migr': the first key of a backfill's lock, (backfill_lock_space, its id),
// held at session level by the runner working on it.
inline constexpr std::int32_t backfill_lock_space = 0x6d696772;
static_assert(backfill_lock_space == 1835624306, "migrate.backfills spells it out");

} // namespace migrate::pg
