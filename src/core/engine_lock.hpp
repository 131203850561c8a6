// The engine's advisory lock key, shared by the extension and the client
// (whose offline scripts take it as the engine does).
#pragma once

#include <cstdint>

namespace migrate {

// 'migrate!' in ASCII. upgrade() and every catalog change take it per
// transaction; CALL migrate.run() per session.
inline constexpr std::int64_t engine_lock_key = 0x6d69677261746521;

} // namespace migrate
