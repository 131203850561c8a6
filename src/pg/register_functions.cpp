// migrate.revision(): registering one revision.
#include "core/identifier.hpp"
#include "core/registration.hpp"
#include "core/revision_content.hpp"
#include "pg/catalog.hpp"
#include "pg/checksum.hpp"
#include "pg/entry.hpp"
#include "pg/fmgr_io.hpp"
#include "pg/guard.hpp"
#include "pg/registration.hpp"
#include "pg/settings.hpp"
#include "pg/sql_check.hpp"

namespace migrate::pg {

namespace {

class SpiCatalogLookup : public CatalogLookup {
public:
  bool revision_exists(const std::string &id) const override { return pg::revision_exists(id); }
  std::optional<std::string> label_owner(const std::string &label) const override { return pg::label_owner(label); }
};

constexpr std::int64_t us_per_ms = 1000;

// Plain C, under pg_call: an interval as PostgreSQL prints it.
const char *interval_text(Datum interval) {
  return DatumGetCString(DirectFunctionCall1(interval_out, interval));
}

// Plain C, under pg_call: `ms` milliseconds as an interval, in days and hours.
const char *milliseconds_text(std::int64_t ms) {
  Interval span{};
  span.time = ms * us_per_ms;
  return interval_text(DirectFunctionCall1(interval_justify_hours, IntervalPGetDatum(&span)));
}

// A revision's lock_timeout or statement_timeout (argument n) as the
// milliseconds PostgreSQL's `setting` of that name will be set to when the
// revision runs. Refused now (22023) when the setting could not take it: not
// a whole number of milliseconds (PostgreSQL would round '0.4 ms' to 0, which
// means no limit at all), or outside the setting's range (a month is more
// milliseconds than an int holds). Negative values are check_content's.
std::optional<std::int64_t> timeout_ms(FunctionCallInfo fcinfo, int n, const char *setting,
                                       const std::string &revision) {
  if (PG_ARGISNULL(n))
    return std::nullopt;
  std::optional<std::int64_t> us;
  try {
    us = arg_interval_us(fcinfo, n, setting);
  } catch (const Error &) { // more microseconds than an int64 holds: out of range below
  }
  if (us && *us < 0) // rounded down, so that '-0.5 ms' stays negative
    return *us / us_per_ms - (*us % us_per_ms != 0 ? 1 : 0);
  const IntSettingRange range = int_setting_range(setting);
  const bool whole = us && *us % us_per_ms == 0;
  const std::optional<std::int64_t> ms = us ? std::optional<std::int64_t>(*us / us_per_ms) : std::nullopt;
  if (whole && *ms >= range.min && *ms <= range.max)
    return ms;
  const Datum value = PG_GETARG_DATUM(n);
  const std::string shown = pg_call([&] { return interval_text(value); });
  const std::string longest = pg_call([&] { return milliseconds_text(range.max); });
  const std::string problem =
      ms && *ms <= range.max ? " is not a whole number of milliseconds: " : " is out of range: ";
  throw Error(sqlstate::invalid_parameter_value, std::string(setting) + " of revision " + revision + problem + shown,
              std::string("PostgreSQL's ") + setting + " takes whole milliseconds from " + std::to_string(range.min) +
                  " to " + std::to_string(range.max) + " (" + longest + ").",
              std::string("0 means no limit; NULL takes migrate.") + setting + ".");
}

RevisionContent content_from_args(FunctionCallInfo fcinfo) {
  RevisionContent c;
  c.graph.id = required_text(fcinfo, 0, "revision id");
  c.graph.down_revisions = required_text_array(fcinfo, 1, "down_revisions");
  c.upgrade_sql = required_text(fcinfo, 2, "upgrade_sql");
  c.downgrade_sql = arg_text(fcinfo, 3);
  c.graph.message = required_text(fcinfo, 4, "message");
  c.graph.branch_labels = required_text_array(fcinfo, 5, "branch_labels");
  c.graph.depends_on = required_text_array(fcinfo, 6, "depends_on");
  c.transactional = required_bool(fcinfo, 7, "transactional");
  c.requires_backfills = required_text_array(fcinfo, 8, "requires_backfills");
  check_identifier("revision id", c.graph.id); // before a timeout's refusal quotes it
  c.lock_timeout_ms = timeout_ms(fcinfo, 9, "lock_timeout", c.graph.id);
  c.statement_timeout_ms = timeout_ms(fcinfo, 10, "statement_timeout", c.graph.id);
  // 0.1.0's declaration (before ALTER EXTENSION UPDATE) has no lint_ignore.
  if (PG_NARGS() > 11)
    c.lint_ignore = required_text_array(fcinfo, 11, "lint_ignore");
  return c;
}

void check_sql(const RevisionContent &c) {
  const auto &id = c.graph.id;
  int statements = inspect_sql(id, "upgrade", c.upgrade_sql, c.transactional);
  if (statements == 0 && c.graph.down_revisions.size() < 2)
    throw Error(sqlstate::invalid_parameter_value, "upgrade SQL of revision " + id + " contains no statements", {},
                "Only a merge revision (two or more down_revisions) may have no upgrade SQL.");
  if (c.downgrade_sql)
    inspect_sql(id, "downgrade", *c.downgrade_sql, c.transactional);
}

// Changing a registered revision: refused once applied, otherwise the whole
// graph is validated with the new content in place (it may now close a cycle).
void replace_revision(const RevisionContent &c, const StoredRevision &stored, const std::string &checksum) {
  // Labels first, so a clash names the revision being registered.
  for (const auto &label : c.graph.branch_labels) {
    if (revision_exists(label))
      throw label_is_revision(label, c.graph.id);
    if (auto owner = label_owner(label); owner && *owner != c.graph.id)
      throw label_taken(label, c.graph.id, *owner);
  }
  std::vector<RevisionInfo> infos = load_graph_infos();
  {
    RevisionGraph current(infos);
    VertexSet applied = applied_set(current, version_rows());
    if (applied.test(*current.find(c.graph.id)))
      throw Error(sqlstate::object_not_in_prerequisite_state,
                  "checksum mismatch: revision " + c.graph.id + " is applied and its content changed",
                  "Stored checksum " + stored.checksum + ", new checksum " + checksum + ".",
                  "An applied revision cannot change: add a new revision, or downgrade below this one first.");
  }
  for (auto &info : infos)
    if (info.id == c.graph.id)
      info = c.graph;
  RevisionGraph candidate(std::move(infos));
  update_revision(c, checksum);
}

Datum register_revision(FunctionCallInfo fcinfo) {
  RevisionContent c = content_from_args(fcinfo);
  check_content(c);
  SpiConnection spi(Volatility::volatile_);
  lock_catalog();
  register_content(c);
  spi.finish();
  return return_text(c.graph.id);
}

} // namespace

void register_content(const RevisionContent &c) {
  check_content(c);
  check_sql(c);
  std::string checksum = sha256_hex(canonical_form(c));
  auto stored = load_revision(c.graph.id);
  if (!stored) {
    check_new_revision(c.graph, SpiCatalogLookup{});
    insert_revision(c, checksum);
  } else if (stored->checksum != checksum) {
    replace_revision(c, *stored, checksum);
  } else if (stored->content.lock_timeout_ms != c.lock_timeout_ms ||
             stored->content.statement_timeout_ms != c.statement_timeout_ms ||
             stored->content.lint_ignore != c.lint_ignore) {
    update_revision(c, checksum); // timeouts or lint_ignore only: allowed even once applied
  }
}

} // namespace migrate::pg

MIGRATE_SQL_FUNCTION(migrate_revision, migrate::pg::register_revision)
