// Running one revision's SQL as a step: with the revision's lock_timeout and
// statement_timeout (or the migrate.* settings) for this step only, and each
// statement retried in a subtransaction when it could not get its lock.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace migrate::pg {

struct StepTimeouts {
  std::optional<std::int64_t> lock_timeout_ms; // nullopt: migrate.lock_timeout
  std::optional<std::int64_t> statement_timeout_ms;
};

// `context` names the step in the CONTEXT of any error (and in the 55P03
// raised when the retries run out). Earlier work of the caller's transaction
// is kept across retries: only the failed statement's subtransaction is
// rolled back.
void run_step_sql(const std::string &sql, const std::string &context, const StepTimeouts &timeouts);

} // namespace migrate::pg
