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

} // namespace migrate
