// Read-only views of the graph: heads, branches, current, history, show, graph.
#include "core/current.hpp"
#include "core/graphviz.hpp"
#include "core/history.hpp"
#include "core/targets.hpp"
#include "pg/catalog.hpp"
#include "pg/entry.hpp"
#include "pg/fmgr_io.hpp"

#include <algorithm>

namespace migrate::pg {

namespace {

Rows one_column(const std::vector<std::string> &values) {
  Rows rows;
  for (const auto &v : values)
    rows.push_back(Row{v});
  return rows;
}

Datum heads(FunctionCallInfo fcinfo) {
  SpiConnection spi(Volatility::stable);
  auto shared = load_graph();
  const RevisionGraph &graph = *shared;
  spi.finish();
  return return_rows(fcinfo, one_column(graph.ids(graph.heads())));
}

Datum branches(FunctionCallInfo fcinfo) {
  SpiConnection spi(Volatility::stable);
  auto shared = load_graph();
  const RevisionGraph &graph = *shared;
  spi.finish();
  std::vector<RevisionGraph::Vertex> points;
  for (auto v : graph.newest_first())
    if (graph.is_branch_point(v))
      points.push_back(v);
  return return_rows(fcinfo, one_column(graph.ids(points)));
}

// What `alembic current` prints, not the raw rows (those are migrate.version).
Datum current(FunctionCallInfo fcinfo) {
  SpiConnection spi(Volatility::stable);
  auto shared = load_graph();
  const RevisionGraph &graph = *shared;
  VertexSet applied = applied_set(graph, version_rows());
  spi.finish();
  return return_rows(fcinfo, one_column(graph.ids(all_current(graph, applied))));
}

Datum history(FunctionCallInfo fcinfo) {
  auto range = arg_text(fcinfo, 0);
  SpiConnection spi(Volatility::stable);
  auto shared = load_graph();
  const RevisionGraph &graph = *shared;
  auto versions = version_rows();
  spi.finish();
  VertexSet applied = applied_set(graph, versions);
  auto listing = migrate::history(graph, range, versions);
  std::size_t next = 0;
  return return_rows(fcinfo, [&](Row &row) {
    if (next == listing.size())
      return false;
    auto v = listing[next++];
    const auto &info = graph.info(v);
    const auto &labels = graph.labels(v);
    bool is_current = std::find(versions.begin(), versions.end(), info.id) != versions.end();
    row.resize(10);
    row[0] = info.id;
    row[1] = info.down_revisions;
    row[2] = info.depends_on;
    row[3] = std::vector<std::string>(labels.begin(), labels.end());
    row[4] = info.message;
    row[5] = graph.is_head(v);
    row[6] = graph.is_branch_point(v);
    row[7] = graph.is_merge_point(v);
    row[8] = is_current;
    row[9] = bool(applied.test(v));
    return true;
  });
}

Datum show(FunctionCallInfo fcinfo) {
  std::string spec = required_text(fcinfo, 0, "revision");
  SpiConnection spi(Volatility::stable);
  auto shared = load_graph();
  const RevisionGraph &graph = *shared;
  auto versions = version_rows();
  VertexSet applied = applied_set(graph, versions);
  std::vector<RevisionGraph::Vertex> chosen;
  Spec target = spec == "current" ? Spec{versions} : Spec{spec};
  for (const Node &n : TargetResolver(graph).revisions(target))
    if (n.is_revision())
      chosen.push_back(n.vertex);
  auto stored = load_revisions(graph.ids(chosen)); // one query for all of them
  Rows rows;
  for (auto v : chosen) {
    const StoredRevision &r = stored.at(graph.id(v));
    const auto &c = r.content;
    rows.push_back(Row{c.graph.id, c.graph.down_revisions, c.graph.depends_on, c.graph.branch_labels, c.graph.message,
                       c.upgrade_sql, c.downgrade_sql ? Cell{*c.downgrade_sql} : null_cell(), c.transactional,
                       r.checksum, r.created_at, graph.is_head(v), bool(applied.test(v)), c.requires_backfills,
                       c.lock_timeout_ms ? Cell{std::to_string(*c.lock_timeout_ms) + " ms"} : null_cell(),
                       c.statement_timeout_ms ? Cell{std::to_string(*c.statement_timeout_ms) + " ms"} : null_cell()});
  }
  spi.finish();
  return return_rows(fcinfo, rows);
}

Datum graph(FunctionCallInfo) {
  SpiConnection spi(Volatility::stable);
  auto shared = load_graph();
  const RevisionGraph &graph = *shared;
  VertexSet applied = applied_set(graph, version_rows());
  spi.finish();
  return return_text(to_dot(graph, applied));
}

} // namespace

} // namespace migrate::pg

MIGRATE_SQL_FUNCTION(migrate_heads, migrate::pg::heads)
MIGRATE_SQL_FUNCTION(migrate_branches, migrate::pg::branches)
MIGRATE_SQL_FUNCTION(migrate_current, migrate::pg::current)
MIGRATE_SQL_FUNCTION(migrate_history, migrate::pg::history)
MIGRATE_SQL_FUNCTION(migrate_show, migrate::pg::show)
MIGRATE_SQL_FUNCTION(migrate_graph, migrate::pg::graph)
