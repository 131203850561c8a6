#include "core/history.hpp"

#include "core/targets.hpp"

namespace migrate {

std::vector<RevisionGraph::Vertex> history(const RevisionGraph &graph, const std::optional<std::string> &range,
                                           const std::vector<std::string> &current) {
  std::string lower_text = "base", upper_text = "heads";
  if (range) {
    auto colon = range->find(':');
    if (colon == std::string::npos || range->find(':', colon + 1) != std::string::npos)
      throw Error(sqlstate::invalid_parameter_value, "History range requires [start]:[end], [start]:, or :[end]",
                  "Got '" + *range + "'.");
    if (colon > 0)
      lower_text = range->substr(0, colon);
    if (colon + 1 < range->size())
      upper_text = range->substr(colon + 1);
  }
  Spec lower = lower_text == "current" ? Spec{current} : Spec{lower_text};
  Spec upper = upper_text == "current" ? Spec{current} : Spec{upper_text};

  TargetResolver resolver(graph);
  VertexSet covered;
  try {
    covered = resolver.upgrade_set(upper, lower, true, false, false).needed;
  } catch (const RangeNotAncestor &) {
    throw RangeNotAncestor(lower_text, upper_text);
  } catch (const MultipleHeads &e) {
    throw MultipleHeads(e.heads, upper_text);
  }
  std::vector<RevisionGraph::Vertex> out;
  for (auto v : graph.newest_first())
    if (covered.test(v))
      out.push_back(v);
  return out;
}

} // namespace migrate
