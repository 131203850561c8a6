// Retrying a statement that could not get its lock within lock_timeout: the
// delays between attempts, and the refusal once the attempts run out.
#pragma once

#include "core/error.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace migrate {

struct LockRetryPolicy {
  std::int64_t lock_timeout_ms = 0; // 0: wait forever, never retry
  int retries = 0;                  // attempts after the first
  std::int64_t first_delay_ms = 0;  // doubles after each attempt
  std::int64_t max_delay_ms = 60'000;
};

// The pause before retry `attempt` (1 for the first retry).
std::int64_t retry_delay_ms(const LockRetryPolicy &policy, int attempt);

// A backend holding a lock that conflicts with the one wanted.
struct LockHolder {
  int pid = 0;
  std::string mode, state, query, running_for;
};

// 55P03 once every attempt timed out: which lock on what, who holds it.
Error lock_not_granted(const std::string &step, const std::string &lock, const std::string &object,
                       const LockRetryPolicy &policy, const std::vector<LockHolder> &holders);

} // namespace migrate
