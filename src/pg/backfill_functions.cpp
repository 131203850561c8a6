// migrate.backfill() registers a backfill; CALL migrate.run_backfills() runs them.
#include "core/backfill.hpp"
#include "core/error.hpp"
#include "pg/backfill_catalog.hpp"
#include "pg/backfill_runner.hpp"
#include "pg/catalog.hpp"
#include "pg/checksum.hpp"
#include "pg/entry.hpp"
#include "pg/fmgr_io.hpp"
#include "pg/procedure.hpp"
#include "pg/sql_check.hpp"

namespace migrate::pg {

namespace {

BackfillSpec spec_from_args(FunctionCallInfo fcinfo) {
  BackfillSpec s;
  s.name = required_text(fcinfo, 0, "name");
  s.revision = required_text(fcinfo, 1, "revision");
  s.batch_sql = required_text(fcinfo, 2, "batch_sql");
  auto pause = arg_interval_us(fcinfo, 3, "pause");
  if (!pause)
    throw Error(sqlstate::null_value_not_allowed, "pause must not be NULL", {}, "Use '0' for no pause.");
  s.limits.pause_us = *pause;
  s.limits.max_batches = arg_int(fcinfo, 4);
  s.limits.max_duration_us = arg_interval_us(fcinfo, 5, "max_duration");
  return s;
}

Datum register_backfill(FunctionCallInfo fcinfo) {
  BackfillSpec spec = spec_from_args(fcinfo);
  check_backfill_spec(spec);
  SpiConnection spi(Volatility::volatile_);
  lock_catalog();
  inspect_batch_sql(spec.name, spec.batch_sql);
  if (!revision_exists(spec.revision))
    throw Error(sqlstate::undefined_object,
                "revision " + spec.revision + " of backfill " + spec.name + " is not registered", {},
                "Register the revision first: a backfill becomes runnable once its revision is applied.");
  const std::string checksum = sha256_hex(backfill_canonical_form(spec));
  auto stored = load_backfill(spec.name);
  if (!stored) {
    insert_backfill(spec, checksum);
  } else if (stored->checksum != checksum) {
    if (stored->state == backfill_state::done)
      throw Error(sqlstate::object_not_in_prerequisite_state,
                  "checksum mismatch: backfill " + spec.name + " is done and its content changed",
                  "Stored checksum " + stored->checksum + ", new checksum " + checksum + ".",
                  "A finished backfill cannot change: register the new work as another backfill.");
    update_backfill(spec, checksum);
  } else {
    update_backfill_limits(spec); // pause and limits may be tuned at any time
  }
  spi.finish();
  return return_text(spec.name);
}

Datum run(FunctionCallInfo fcinfo) {
  require_nonatomic(fcinfo, "migrate.run_backfills()", "commits after each batch");
  RunnerOptions options;
  if (auto names = arg_text_array(fcinfo, 0)) {
    std::vector<std::string> list;
    for (auto &n : *names) {
      if (!n)
        throw Error(sqlstate::null_value_not_allowed, "names must not contain NULL");
      list.push_back(std::move(*n));
    }
    options.names = std::move(list);
  }
  options.max_duration_us = arg_interval_us(fcinfo, 1, "max_duration");
  if (options.max_duration_us && *options.max_duration_us <= 0)
    throw Error(sqlstate::invalid_parameter_value, "max_duration must be positive, or NULL for no limit");
  SpiConnection spi(Volatility::nonatomic);
  run_backfills(spi, options);
  spi.finish();
  return static_cast<Datum>(0);
}

} // namespace

} // namespace migrate::pg

MIGRATE_SQL_FUNCTION(migrate_backfill, migrate::pg::register_backfill)
MIGRATE_SQL_FUNCTION(migrate_run_backfills, migrate::pg::run)
