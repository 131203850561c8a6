// migrate.* settings (GUCs): defaults a DBA sets per database or role
// (ALTER DATABASE ... SET migrate.lock_timeout = '3s').
#pragma once

namespace migrate::pg {

// In milliseconds; 0 disables.
extern int setting_lock_timeout_ms;
extern int setting_statement_timeout_ms;
extern int setting_lock_retries;
extern int setting_lock_retry_delay_ms;

void define_settings();

} // namespace migrate::pg
