#include "core/lock_retry.hpp"

#include "core/text.hpp"

#include <algorithm>

namespace migrate {

std::int64_t retry_delay_ms(const LockRetryPolicy &policy, int attempt) {
  std::int64_t delay = policy.first_delay_ms;
  for (int i = 1; i < attempt && delay < policy.max_delay_ms; ++i)
    delay *= 2;
  return std::min(delay, policy.max_delay_ms);
}

Error lock_not_granted(const std::string &step, const std::string &lock, const std::string &object,
                       const LockRetryPolicy &policy, const std::vector<LockHolder> &holders) {
  const int attempts = policy.retries + 1;
  std::string message = step + ": " + lock + " on " + object + " was not granted within lock_timeout (" +
                        std::to_string(policy.lock_timeout_ms) + " ms), " + std::to_string(attempts) + " attempt" +
                        (attempts == 1 ? "" : "s");
  std::string detail;
  if (holders.empty()) {
    detail = "No backend holds a conflicting lock now: it was released after the last attempt.";
  } else {
    for (const auto &h : holders) {
      detail += detail.empty() ? "Held by " : "; ";
      detail += "pid " + std::to_string(h.pid) + " (" + h.mode;
      if (!h.state.empty())
        detail += ", " + h.state;
      if (!h.running_for.empty())
        detail += ", transaction open for " + h.running_for;
      if (!h.query.empty())
        detail += ", last query: " + excerpt(h.query);
      detail += ")";
    }
    detail += ".";
  }
  return Error("55P03", message, detail,
               "Nothing of this call is applied. End or wait for the transaction named above, or allow longer "
               "waits: migrate.lock_timeout, migrate.lock_retries and migrate.lock_retry_delay, or the revision's "
               "own lock_timeout.");
}

} // namespace migrate
