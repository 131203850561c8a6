// The revision graph as Graphviz DOT, for `dot -Tpng`.
#pragma once

#include "core/revision_graph.hpp"

#include <string>

namespace migrate {

// Heads are drawn bold with a double border, applied revisions filled,
// depends_on edges dashed, merge and branch points as diamonds.
std::string to_dot(const RevisionGraph &graph, const VertexSet &applied);

} // namespace migrate
