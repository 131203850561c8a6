// Which revisions a database has applied, from its version rows.
#pragma once

#include "core/revision_graph.hpp"

#include <string>
#include <vector>

namespace migrate {

// The version rows and everything they stand on (down_revisions and
// depends_on). Throws migrate::Error (XX001) when a row names a revision the
// graph does not hold: the rows and the catalog disagree.
VertexSet applied_set(const RevisionGraph &graph, const std::vector<std::string> &version_rows);

} // namespace migrate
