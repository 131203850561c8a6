// The engine's advisory lock keys, shared by the extension and the client
// (whose offline scripts take it as the engine does).
#pragma once

#include <cstdint>

namespace migrate {

// 'migrate!' in ASCII. upgrade() and every catalog change take it per
// transaction; CALL migrate.run() per session.
inline constexpr std::int64_t engine_lock_key = 0x6d69677261746521;
// 'migrateW': held at session level by CALL migrate.run()'s background worker
// for its whole life; run() waits for it before it plans (pg/toplevel_worker.hpp).
inline constexpr std::int64_t worker_lock_key = 0x6d69677261746557;
// 'migr': the first key of a backfill's lock, (backfill_lock_space, its id),
// held at session level by the runner working on it. migrate.backfills (the
// install scripts) spells it out as 1835624306.
inline constexpr std::int32_t backfill_lock_space = 0x6d696772;
static_assert(backfill_lock_space == 1835624306, "migrate.backfills spells it out");

} // namespace migrate
