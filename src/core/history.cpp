#include "core/history.hpp"

#include "core/target_syntax.hpp"
#include "core/targets.hpp"

namespace migrate {

std::vector<RevisionGraph::Vertex> history(const RevisionGraph &graph, const std::optional<std::string> &range,
                                           const std::vector<std::string> &current) {
  // No range is base:heads, which in a DAG is every revision (each one is an
  // ancestor of some revision that nothing builds on).
  if (!range)
    return graph.newest_first();
  check_target_text("history range", *range);
  auto [lower_text, upper_text] = split_history_range(*range);
  if (lower_text.empty())
    lower_text = "base";
  if (upper_text.empty())
    upper_text = "heads";
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
