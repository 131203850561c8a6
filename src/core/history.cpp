#include "core/history.hpp"

#include "core/targets.hpp"
#include "core/topological_order.hpp"

namespace migrate {

std::vector<RevisionGraph::Vertex> history(const RevisionGraph &graph, const std::optional<std::string> &range,
                                           const std::vector<std::string> &current) {
  // No range is Alembic's default, base:heads.
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
  // Alembic's history puts the version rows in place of `current` on one
  // side only (the upper one when both say it), and an empty database's
  // rows there mean that side's default.
  Spec lower{lower_text}, upper{upper_text};
  if (upper_text == "current")
    upper = current.empty() ? Spec{std::string("heads")} : Spec{current};
  else if (lower_text == "current")
    lower = current.empty() ? Spec{std::string("base")} : Spec{current};

  TargetResolver resolver(graph);
  UpgradeSet covered;
  try {
    covered = resolver.upgrade_set(upper, lower, true, false, false);
  } catch (const RangeNotAncestor &) {
    throw RangeNotAncestor(lower_text, upper_text);
  } catch (const MultipleHeads &e) {
    throw MultipleHeads(e.heads, upper_text);
  }
  // Alembic's walk_revisions lists in iterate_revisions' order.
  return topological_order(graph, covered.needed, covered.targets);
}

} // namespace migrate
