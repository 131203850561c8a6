#include "cli/alembic_format.hpp"

#include "cli/output.hpp"
#include "core/history.hpp"
#include "core/revision_file.hpp"
#include "core/text.hpp"

namespace migrate::cli {

namespace {

std::string down_revisions(const RevisionInfo &info) {
  return info.down_revisions.empty() ? "<base>" : join(info.down_revisions, ", ");
}

std::string labels(const RevisionGraph &g, RevisionGraph::Vertex v) {
  const auto &set = g.labels(v);
  return join(std::vector<std::string>(set.begin(), set.end()), ", ");
}

} // namespace

std::string head_only(const RevisionDirectory &dir, RevisionGraph::Vertex v, const LineFormat &f,
                      const std::set<std::string> &current) {
  const RevisionGraph &g = dir.graph();
  const auto &info = g.info(v);
  std::string text = info.id;
  if (f.parents) {
    if (!info.depends_on.empty())
      text = down_revisions(info) + " (" + join(info.depends_on, ", ") + ") -> " + text;
    else
      text = down_revisions(info) + " -> " + text;
  }
  if (f.branches && !g.labels(v).empty())
    text += " (" + labels(g, v) + ")";
  if (g.is_real_head(v))
    text += " (head)";
  if (g.is_head(v) && !g.is_real_head(v))
    text += " (effective head)";
  if (current.count(info.id))
    text += " (current)";
  if (f.tree) {
    if (g.is_branch_point(v))
      text += " (branchpoint)";
    if (g.is_merge_point(v))
      text += " (mergepoint)";
  }
  if (f.doc)
    text += ", " + info.message;
  return text;
}

std::string log_entry(const RevisionDirectory &dir, RevisionGraph::Vertex v, const std::set<std::string> &current,
                      bool file_details) {
  const RevisionGraph &g = dir.graph();
  const auto &info = g.info(v);
  const RevisionFile &file = dir.file(v);
  std::string e = "Rev: " + info.id + (g.is_head(v) ? " (head)" : "") + (g.is_branch_point(v) ? " (branchpoint)" : "") +
                  (g.is_merge_point(v) ? " (mergepoint)" : "") + (current.count(info.id) ? " (current)" : "") + "\n";
  e += std::string(g.is_merge_point(v) ? "Merges: " : "Parent: ") + down_revisions(info) + "\n";
  if (!info.depends_on.empty())
    e += "Also depends on: " + join(info.depends_on, ", ") + "\n";
  if (g.is_branch_point(v))
    e += "Branches into: " + join(g.ids(g.children(v)), ", ") + "\n";
  if (!g.labels(v).empty())
    e += "Branch names: " + labels(g, v) + "\n";
  e += "Path: " + file.path + "\n";
  e += "\n    " + info.message + "\n";
  if (!file_details)
    return e;
  const auto &c = file.content;
  e += "\n";
  if (!c.transactional)
    e += "Transactional: false (runs outside a transaction, by CALL migrate.run())\n";
  if (!c.requires_backfills.empty())
    e += "Requires backfills: " + join(c.requires_backfills, ", ") + "\n";
  if (c.lock_timeout_ms)
    e += "Lock timeout: " + format_duration_ms(*c.lock_timeout_ms) + "\n";
  if (c.statement_timeout_ms)
    e += "Statement timeout: " + format_duration_ms(*c.statement_timeout_ms) + "\n";
  for (const auto &b : file.backfills)
    e += "Backfill: " + b.name + "\n";
  e += "-- migrate:upgrade\n" + c.upgrade_sql + (c.upgrade_sql.empty() ? "" : "\n");
  if (c.downgrade_sql)
    e += "-- migrate:downgrade\n" + *c.downgrade_sql + (c.downgrade_sql->empty() ? "" : "\n");
  else
    e += "(no downgrade section: irreversible)\n";
  return e;
}

void print_history(const RevisionDirectory &dir, const std::optional<std::string> &range,
                   const std::vector<std::string> &current_rows, bool indicate, bool verbose, Output &out) {
  LineFormat f;
  f.branches = f.doc = f.parents = true;
  std::set<std::string> current;
  if (indicate)
    current.insert(current_rows.begin(), current_rows.end());
  for (auto v : history(dir.graph(), range, current_rows))
    out.out(verbose ? log_entry(dir, v, current) : head_only(dir, v, f, current));
}

} // namespace migrate::cli
