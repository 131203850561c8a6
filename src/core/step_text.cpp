#include "core/step_text.hpp"

#include "core/text.hpp"

namespace migrate {

std::string describe_step(const RevisionGraph &graph, const RevisionStep &step) {
  const auto &info = graph.info(step.revision);
  std::vector<std::string> self{info.id};
  const auto &from = step.upgrade ? info.down_revisions : self;
  const auto &to = step.upgrade ? self : info.down_revisions;
  std::string line = std::string(step.upgrade ? "upgrade " : "downgrade ") + join(from, ", ") + " -> " + join(to, ", ");
  if (!info.message.empty())
    line += ", " + excerpt(info.message); // also in every error's CONTEXT: a long message is cut
  return line;
}

} // namespace migrate
