// The order in which Alembic 1.8 lists and runs revisions:
// RevisionMap._topological_sort, which iterate_revisions (and so history,
// upgrade and downgrade) walks. One routine for plans and listings.
#pragma once

#include "core/revision_graph.hpp"

#include <vector>

namespace migrate {

// `revisions` from the given heads downwards, newest first: each revision
// before its parents and dependencies, each branch as one run down to where
// another pending head still needs what follows. Heads outside `revisions`
// are ignored; ties go by registration order. An upgrade runs the result
// reversed.
std::vector<RevisionGraph::Vertex> topological_order(const RevisionGraph &graph, const VertexSet &revisions,
                                                     const std::vector<RevisionGraph::Vertex> &heads);

// What an ordering cost, for tests of its complexity: ancestor sets computed
// (one per head scanned when the revisions are not convex, none otherwise)
// and revisions visited by the walks up from a candidate.
struct TopologicalOrderCost {
  std::size_t ancestor_sets = 0;
  std::size_t walked = 0;
};
std::vector<RevisionGraph::Vertex> topological_order(const RevisionGraph &graph, const VertexSet &revisions,
                                                     const std::vector<RevisionGraph::Vertex> &heads,
                                                     TopologicalOrderCost *cost);

} // namespace migrate
