#include "core/merge.hpp"

#include "core/error.hpp"
#include "core/targets.hpp"
#include "core/text.hpp"

namespace migrate {

std::vector<RevisionGraph::Vertex> merge_parents(const RevisionGraph &graph, const std::vector<std::string> &specs) {
  TargetResolver resolver(graph);
  std::vector<RevisionGraph::Vertex> parents;
  VertexSet named = graph.empty_set(); // `{heads}` can name 10,000 of them
  for (const auto &spec : specs)
    for (const Position &p : resolver.revisions(Spec{spec})) {
      if (!p.is_revision())
        throw Error(sqlstate::invalid_parameter_value, "merge target '" + excerpt(spec) + "' does not name a revision");
      if (named.test(p.vertex))
        throw Error(sqlstate::invalid_parameter_value, "Duplicate head revisions specified");
      named.set(p.vertex);
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
