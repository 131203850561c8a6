#include "core/history.hpp"

#include "core/target_syntax.hpp"
#include "core/targets.hpp"
#include "core/topological_order.hpp"

namespace migrate {

std::vector<RevisionGraph::Vertex> history(const RevisionGraph &graph, const std::optional<std::string> &range,
                                           const std::vector<std::string> &current) {
  // No range is Alembic's default, base:heads.
  std::string lower_text = "base", upper_text = "heads";
  if (range) {
    check_target_text("history range", *range);
    auto sides = split_history_range(*range);
    if (!sides.lower.empty())
      lower_text = sides.lower;
    if (!sides.upper.empty())
      upper_text = sides.upper;
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
