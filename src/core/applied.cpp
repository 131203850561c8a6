#include "core/applied.hpp"

#include "core/error.hpp"
#include "core/text.hpp"

namespace migrate {

VertexSet applied_set(const RevisionGraph &graph, const std::vector<std::string> &version_rows) {
  std::vector<RevisionGraph::Vertex> at;
  at.reserve(version_rows.size());
  for (const auto &id : version_rows) {
    auto v = graph.find(id);
    if (!v)
      throw Error(sqlstate::data_corrupted,
                  "migrate.version names revision \"" + excerpt(id) + "\", which is not registered", {},
                  "Register the revision again, or correct the version with migrate.stamp().");
    at.push_back(*v);
  }
  return graph.ancestors(at, true);
}

} // namespace migrate
