#include "core/history.hpp"

#include "core/targets.hpp"

namespace migrate {

std::vector<RevisionGraph::Vertex> history(const RevisionGraph &graph, const std::optional<std::string> &range,
                                           const std::vector<std::string> &current) {
  // No range is base:heads, which in a DAG is every revision (each one is an
  // ancestor of some revision that nothing builds on).
  if (!range)
    return graph.newest_first();
  std::string lower_text = "base", upper_text = "heads";
  if (range) {
    // Alembic strips the range before splitting it.
    const char *blank = " \t\r\n\f\v";
    auto first = range->find_first_not_of(blank);
    std::string text =
        first == std::string::npos ? "" : range->substr(first, range->find_last_not_of(blank) - first + 1);
    auto colon = text.find(':');
    if (colon == std::string::npos || text.find(':', colon + 1) != std::string::npos)
      throw Error(sqlstate::invalid_parameter_value, "History range requires [start]:[end], [start]:, or :[end]",
                  "Got '" + *range + "'.");
    if (colon > 0)
      lower_text = text.substr(0, colon);
    if (colon + 1 < text.size())
      upper_text = text.substr(colon + 1);
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
