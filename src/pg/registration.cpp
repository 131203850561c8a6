// Registering one revision: the checks of core/registration against the
// catalog, then the insert or update.
#include "pg/registration.hpp"

#include "core/registration.hpp"
#include "core/step_text.hpp"
#include "pg/catalog.hpp"
#include "pg/checksum.hpp"
#include "pg/sql_check.hpp"

namespace migrate::pg {

namespace {

class SpiCatalogLookup : public CatalogLookup {
public:
  bool revision_exists(const std::string &id) const override { return pg::revision_exists(id); }
  std::optional<std::string> label_owner(const std::string &label) const override { return pg::label_owner(label); }
};

void check_sql(const RevisionContent &c) {
  const auto &id = c.graph.id;
  const auto statements = inspect_sql(id, direction::upgrade, c.upgrade_sql, c.transactional);
  if (statements.empty() && c.graph.down_revisions.size() < 2)
    throw Error(sqlstate::invalid_parameter_value, "upgrade SQL of revision " + id + " contains no statements", {},
                "Only a merge revision (two or more down_revisions) may have no upgrade SQL.");
  if (c.downgrade_sql)
    inspect_sql(id, direction::downgrade, *c.downgrade_sql, c.transactional);
}

// Changing a registered revision: refused once applied, otherwise the whole
// graph is validated with the new content in place (it may now close a cycle).
void replace_revision(const RevisionContent &c, const StoredRevision &stored, const std::string &checksum) {
  // Labels first, so a clash names the revision being registered.
  check_replacement_labels(c.graph, SpiCatalogLookup{});
  check_replacement(load_graph_infos(), version_rows(), c.graph, stored.checksum, checksum);
  update_revision(c, checksum);
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
