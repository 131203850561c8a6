#include "core/revision_content.hpp"

#include "core/error.hpp"
#include "core/identifier.hpp"
#include "core/lint.hpp"
#include "core/text.hpp"

namespace migrate {

namespace {

bool is_blank(const std::string &s) {
  return s.find_first_not_of(" \t\r\n\f\v") == std::string::npos;
}

} // namespace

void check_content(const RevisionContent &c) {
  const auto &r = c.graph;
  check_identifier("revision id", r.id);
  for (const auto &parent : r.down_revisions) {
    if (parent.empty() || !is_valid_identifier(parent))
      throw Error(sqlstate::invalid_parameter_value,
                  "invalid parent \"" + excerpt(parent) + "\" in down_revisions of " + r.id);
    if (parent == r.id)
      throw Error(sqlstate::invalid_recursion, "Self-loop is detected in revisions (" + r.id + ")",
                  "Revision " + r.id + " lists itself in down_revisions.");
  }
  for (const auto &dep : r.depends_on) {
    if (dep.empty() || !is_valid_identifier(dep))
      throw Error(sqlstate::invalid_parameter_value, "invalid entry \"" + excerpt(dep) + "\" in depends_on of " + r.id);
    if (dep == r.id)
      throw Error(sqlstate::invalid_recursion, "Dependency self-loop is detected in revisions (" + r.id + ")",
                  "Revision " + r.id + " lists itself in depends_on.");
  }
  for (const auto &label : r.branch_labels) {
    check_identifier("branch label", label);
    if (label == r.id)
      throw Error(sqlstate::duplicate_object, "branch label \"" + label + "\" is the revision's own id", {},
                  "Branch labels and revision ids share one namespace in targets.");
  }
  check_no_duplicates("down_revisions", r.down_revisions);
  check_no_duplicates("depends_on", r.depends_on);
  check_no_duplicates("branch_labels", r.branch_labels);
  for (const auto &name : c.requires_backfills)
    check_identifier("backfill name", name);
  check_no_duplicates("requires_backfills", c.requires_backfills);
  if ((c.lock_timeout_ms && *c.lock_timeout_ms < 0) || (c.statement_timeout_ms && *c.statement_timeout_ms < 0))
    throw Error(sqlstate::invalid_parameter_value, "timeouts of revision " + r.id + " must not be negative", {},
                "0 means no limit; NULL takes migrate.lock_timeout or migrate.statement_timeout.");
  lint::check_ignore_list(r.id, c.lint_ignore);
  if (is_blank(c.upgrade_sql) && r.down_revisions.size() < 2)
    throw Error(sqlstate::invalid_parameter_value, "upgrade SQL of revision " + r.id + " is empty", {},
                "Only a merge revision (two or more down_revisions) may have no upgrade SQL.");
}

std::string canonical_form(const RevisionContent &c) {
  std::string out = "migrate-revision-v1;";
  put_field(out, c.graph.id);
  put_field(out, c.graph.down_revisions);
  put_field(out, c.graph.depends_on);
  put_field(out, c.graph.branch_labels);
  put_field(out, c.graph.message);
  put_field(out, c.upgrade_sql);
  out += c.downgrade_sql ? "D" : "N";
  if (c.downgrade_sql)
    put_field(out, *c.downgrade_sql);
  out += c.transactional ? "T" : "F";
  // Only when present, so revisions without gates keep the checksums they had.
  if (!c.requires_backfills.empty()) {
    out += 'B';
    put_field(out, c.requires_backfills);
  }
  return out;
}

} // namespace migrate
