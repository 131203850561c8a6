#include "core/current.hpp"

#include <algorithm>

namespace migrate {

// `applied` is closed under down_revisions, so a revision with an applied
// descendant has an applied child: looking at children is enough (Alembic
// looks at every descendant, which gives the same set).
std::vector<RevisionGraph::Vertex> all_current(const RevisionGraph &graph, const VertexSet &applied) {
  std::vector<RevisionGraph::Vertex> out;
  for (auto v = applied.find_first(); v != VertexSet::npos; v = applied.find_next(v)) {
    const auto children = graph.children(v);
    if (std::none_of(children.begin(), children.end(), [&](RevisionGraph::Vertex c) { return applied.test(c); }))
      out.push_back(v);
  }
  std::sort(out.begin(), out.end(), [&](auto a, auto b) { return graph.id(a) < graph.id(b); });
  return out;
}

} // namespace migrate
