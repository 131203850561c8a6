#include "core/merge.hpp"

#include "core/error.hpp"
#include "core/targets.hpp"

#include <algorithm>

namespace migrate {

std::vector<RevisionGraph::Vertex> merge_parents(const RevisionGraph &graph, const std::vector<std::string> &specs) {
  TargetResolver resolver(graph);
  std::vector<RevisionGraph::Vertex> parents;
  for (const auto &spec : specs)
    for (const Position &p : resolver.revisions(Spec{spec})) {
      if (!p.is_revision())
        throw Error(sqlstate::invalid_parameter_value, "merge target '" + spec + "' does not name a revision");
      if (std::find(parents.begin(), parents.end(), p.vertex) != parents.end())
        throw Error(sqlstate::invalid_parameter_value, "Duplicate head revisions specified");
      parents.push_back(p.vertex);
    }
  return parents;
}

void check_merge_parents(const RevisionGraph &graph, const std::vector<RevisionGraph::Vertex> &parents) {
  for (auto v : parents)
    if (!graph.is_head(v))
      throw Error(sqlstate::invalid_parameter_value, "Revision " + graph.id(v) + " is not a head revision", {},
                  "A merge joins heads: see migrate.heads().");
  if (parents.size() < 2)
    throw Error(sqlstate::invalid_parameter_value,
                "a merge needs two or more heads, got " + std::to_string(parents.size()), {},
                "Name the heads to join, or pass '{heads}' for all of them.");
}

} // namespace migrate
