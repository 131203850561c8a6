// Alembic's `merge`: the rules for the revisions a merge revision joins.
#pragma once

#include "core/revision_graph.hpp"

#include <string>
#include <vector>

namespace migrate {

// The revisions `specs` name (each a target: an id, a prefix, `heads`,
// `label@head`...), in order. Refuses (22023) a spec that names no revision
// and a revision named twice ("Duplicate head revisions specified", as
// Alembic says).
std::vector<RevisionGraph::Vertex> merge_parents(const RevisionGraph &graph, const std::vector<std::string> &specs);

// A merge joins two or more heads: refuses (22023) a parent that is not a
// head, then fewer than two parents.
void check_merge_parents(const RevisionGraph &graph, const std::vector<RevisionGraph::Vertex> &parents);

} // namespace migrate
