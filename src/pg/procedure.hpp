// What the procedures that commit (CALL migrate.run_backfills(), CALL
// migrate.run()) share: the check that they may commit, subtransactions, and
// session-level advisory locks, which outlive the commits.
#pragma once

#include "pg/postgres.hpp"

#include <cstdint>

namespace migrate::pg {

// Refuses (2D000) a call that cannot commit: inside BEGIN ... COMMIT, from a
// function, or from a procedure called that way. `what` says why it commits.
void require_nonatomic(FunctionCallInfo fcinfo, const char *procedure, const char *what);

// A subtransaction as PL/pgSQL's exception blocks run one: begin() keeps the
// caller's memory context and resource owner, release() and rollback() give
// them back.
class Subtransaction {
public:
  void begin();
  void release();
  void rollback();

private:
  MemoryContext context_ = nullptr;
  ResourceOwner owner_ = nullptr;
};

// Session-level advisory locks: the transaction's end does not release them,
// so every path out of a procedure must (an error path included).
bool try_session_lock(std::int32_t space, std::int32_t key);
void session_lock(std::int32_t space, std::int32_t key); // waits; a cancel interrupts the wait
void session_lock(std::int64_t key);
void session_unlock(std::int32_t space, std::int32_t key);
void session_unlock(std::int64_t key);

// Runs `body`; if it throws, runs `release` (whose own failure is ignored:
// the first error is the one to report), then rethrows. For what a
// transaction's abort does not undo, such as a session-level lock.
template <typename Body, typename Release> void release_on_error(Body &&body, Release &&release) {
  try {
    body();
  } catch (...) {
    try {
      release();
    } catch (...) {
    }
    throw;
  }
}

// Takes the session-level advisory lock `key` (waiting for it), runs `body`
// and releases the lock, also when body throws.
template <typename Body> void with_session_lock(std::int64_t key, Body &&body) {
  session_lock(key);
  release_on_error(body, [key] { session_unlock(key); });
  session_unlock(key);
}

// Sleeps `us` microseconds, waking for a cancel (which raises) or a shutdown.
void sleep_interruptibly(std::int64_t us);

// Errors that mean "stop now" rather than "this step failed": a cancel,
// statement_timeout, a shutdown.
bool is_interrupt(const ErrorData *error);

} // namespace migrate::pg
