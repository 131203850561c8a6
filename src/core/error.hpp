// migrate::Error is the only way the core reports a refusal. It carries what
// PostgreSQL's ereport needs, so the pg layer can raise it unchanged.
#pragma once

#include <stdexcept>
#include <string>

namespace migrate {

// SQLSTATE codes, chosen from PostgreSQL's own table so clients can match them.
namespace sqlstate {
inline constexpr const char *null_value_not_allowed = "22004";
inline constexpr const char *numeric_value_out_of_range = "22003";
inline constexpr const char *invalid_parameter_value = "22023";
inline constexpr const char *undefined_object = "42704";
inline constexpr const char *duplicate_object = "42710";
inline constexpr const char *invalid_recursion = "42P19";
inline constexpr const char *cardinality_violation = "21000";
inline constexpr const char *object_not_in_prerequisite_state = "55000";
inline constexpr const char *invalid_transaction_termination = "2D000";
inline constexpr const char *active_sql_transaction = "25001";
inline constexpr const char *serialization_failure = "40001";
// migrate.lint = error refused a plan (class 55, object not in prerequisite
// state; subclass M01, implementation-defined: migrate's own).
inline constexpr const char *lint_refused = "55M01";
inline constexpr const char *data_corrupted = "XX001";
inline constexpr const char *internal_error = "XX000";
} // namespace sqlstate

class Error : public std::runtime_error {
public:
  Error(const char *code, std::string message, std::string detail = {}, std::string hint = {})
      : std::runtime_error(std::move(message)), code_(code), detail_(std::move(detail)), hint_(std::move(hint)) {}

  const char *sqlstate() const noexcept { return code_; }
  const std::string &detail() const noexcept { return detail_; }
  const std::string &hint() const noexcept { return hint_; }

private:
  const char *code_;
  std::string detail_;
  std::string hint_;
};

} // namespace migrate
