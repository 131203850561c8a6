// Alembic's `history -r [start]:[end]` over the graph.
#pragma once

#include "core/revision_graph.hpp"

#include <optional>
#include <string>
#include <vector>

namespace migrate {

// The revisions a history range covers, newest first, in the order Alembic's
// `history` lists them (topological_order). `current` is the
// database's applied heads, which the keyword `current` stands for.
std::vector<RevisionGraph::Vertex> history(const RevisionGraph &graph, const std::optional<std::string> &range,
                                           const std::vector<std::string> &current);

} // namespace migrate
