// migrate.* settings (GUCs): defaults a DBA sets per database or role
// (ALTER DATABASE ... SET migrate.lock_timeout = '3s').
#pragma once

#include <cstdint>

namespace migrate::pg {

// In milliseconds; 0 disables.
extern int setting_lock_timeout_ms;
extern int setting_statement_timeout_ms;
extern int setting_lock_retries;
extern int setting_lock_retry_delay_ms;

// migrate.lint: what upgrade() and CALL migrate.run() do with migrate.lint()'s
// findings before they run anything.
enum class LintMode { off, warn, error };
extern int setting_lint;                // a LintMode
extern int setting_lint_large_table_kb; // from this size on, a locking finding is an error

void define_settings();

// The range an integer setting of PostgreSQL's takes (lock_timeout:
// 0 .. 2147483647), in the setting's unit, as its GUC table says.
struct IntSettingRange {
  std::int64_t min = 0, max = 0;
};
IntSettingRange int_setting_range(const char *name);

} // namespace migrate::pg
