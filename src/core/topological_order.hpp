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

} // namespace migrate
