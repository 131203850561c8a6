// migrate.revision(): registering one revision.
#include "core/registration.hpp"
#include "core/revision_content.hpp"
#include "pg/catalog.hpp"
#include "pg/checksum.hpp"
#include "pg/entry.hpp"
#include "pg/fmgr_io.hpp"
#include "pg/registration.hpp"
#include "pg/sql_check.hpp"

namespace migrate::pg {

namespace {

class SpiCatalogLookup : public CatalogLookup {
public:
  bool revision_exists(const std::string &id) const override { return pg::revision_exists(id); }
  std::optional<std::string> label_owner(const std::string &label) const override { return pg::label_owner(label); }
};

std::optional<std::int64_t> to_ms(std::optional<std::int64_t> us) {
  if (!us)
    return std::nullopt;
  return *us / 1000;
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
  c.lock_timeout_ms = to_ms(arg_interval_us(fcinfo, 9, "lock_timeout"));
  c.statement_timeout_ms = to_ms(arg_interval_us(fcinfo, 10, "statement_timeout"));
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
