// What `alembic current` prints for a database.
#pragma once

#include "core/revision_graph.hpp"

#include <vector>

namespace migrate {

// Alembic's RevisionMap._get_all_current (ScriptDirectory.get_all_current):
// of the applied revisions (`applied`: the version rows and everything they
// stand on, depends_on included), those that no applied revision builds on
// through down_revisions: the heads of each applied branch. A row that
// depends on another branch adds that branch's applied head. Sorted by id.
std::vector<RevisionGraph::Vertex> all_current(const RevisionGraph &graph, const VertexSet &applied);

} // namespace migrate
