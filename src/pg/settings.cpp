#include "pg/settings.hpp"

#include "core/error.hpp"
#include "pg/guard.hpp"
#include "pg/postgres.hpp"

#include <cstring>
#include <string>

namespace migrate::pg {

int setting_lock_timeout_ms = 5000;
int setting_statement_timeout_ms = 0;
int setting_lock_retries = 5;
int setting_lock_retry_delay_ms = 500;
int setting_lint = static_cast<int>(LintMode::warn);
int setting_lint_large_table_kb = 10 * 1024;

namespace {

const struct config_enum_entry lint_modes[] = {
    {"off", static_cast<int>(LintMode::off), false},
    {"warn", static_cast<int>(LintMode::warn), false},
    {"error", static_cast<int>(LintMode::error), false},
    {nullptr, 0, false},
};

} // namespace

void define_settings() {
  DefineCustomIntVariable(
      "migrate.lock_timeout", "lock_timeout for each statement of a revision (unless the revision sets its own).",
      "A DDL statement that waits longer for its lock fails with 55P03 and is retried "
      "(migrate.lock_retries); 0 waits forever.",
      &setting_lock_timeout_ms, 5000, 0, INT_MAX, PGC_USERSET, GUC_UNIT_MS, nullptr, nullptr, nullptr);
  DefineCustomIntVariable("migrate.statement_timeout",
                          "statement_timeout for each revision's SQL (unless the revision sets its own).",
                          "0 disables it.", &setting_statement_timeout_ms, 0, 0, INT_MAX, PGC_USERSET, GUC_UNIT_MS,
                          nullptr, nullptr, nullptr);
  DefineCustomIntVariable("migrate.lock_retries", "How many times a statement that hit lock_timeout is retried.",
                          nullptr, &setting_lock_retries, 5, 0, 1000, PGC_USERSET, 0, nullptr, nullptr, nullptr);
  DefineCustomIntVariable("migrate.lock_retry_delay", "Pause before the first retry; it doubles for each next one.",
                          nullptr, &setting_lock_retry_delay_ms, 500, 0, 3600 * 1000, PGC_USERSET, GUC_UNIT_MS, nullptr,
                          nullptr, nullptr);
  DefineCustomEnumVariable("migrate.lint", "What upgrade() and CALL migrate.run() do with migrate.lint()'s findings.",
                           "off: nothing; warn: a WARNING per finding; error: a WARNING per finding of severity "
                           "warning, and a refusal (55M01) before anything runs when a finding has severity error.",
                           &setting_lint, static_cast<int>(LintMode::warn), lint_modes, PGC_USERSET, 0, nullptr,
                           nullptr, nullptr);
  DefineCustomIntVariable("migrate.lint_large_table",
                          "Table size from which a lint finding about a lock held while the table is read or "
                          "rewritten is an error rather than a warning.",
                          nullptr, &setting_lint_large_table_kb, 10 * 1024, 0, INT_MAX, PGC_USERSET, GUC_UNIT_KB,
                          nullptr, nullptr, nullptr);
  MarkGUCPrefixReserved("migrate");
}

namespace {

// Plain C, under pg_call: the integer setting's GUC record, or NULL.
const config_int *find_int_setting(const char *name) {
  config_generic **settings = get_guc_variables();
  const int count = GetNumConfigOptions();
  for (int i = 0; i < count; ++i)
    if (settings[i]->vartype == PGC_INT && pg_strcasecmp(settings[i]->name, name) == 0)
      return reinterpret_cast<const config_int *>(settings[i]);
  return nullptr;
}

} // namespace

IntSettingRange int_setting_range(const char *name) {
  const config_int *setting = pg_call([&] { return find_int_setting(name); });
  if (!setting)
    throw Error(sqlstate::internal_error, std::string("no integer setting named ") + name);
  return IntSettingRange{setting->min, setting->max};
}

} // namespace migrate::pg
