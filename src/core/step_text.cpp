#include "core/step_text.hpp"

#include "core/text.hpp"

namespace migrate {

std::string describe_step(const RevisionGraph &graph, const RevisionStep &step) {
  const auto &info = graph.info(step.revision);
  std::vector<std::string> self{info.id};
  const auto &from = step.upgrade ? info.down_revisions : self;
  const auto &to = step.upgrade ? self : info.down_revisions;
  std::string line = std::string(direction_of(step)) + " " + join(from, ", ") + " -> " + join(to, ", ");
  if (!info.message.empty())
    line += ", " + excerpt(info.message); // also in every error's CONTEXT: a long message is cut
  return line;
}

std::string describe_stamp(const StampStep &step) {
  std::string line = "stamp_revision " + join(step.from, ", ") + " ->";
  if (!step.to.empty())
    line += " " + join(step.to, ", ");
  return line;
}

std::string describe_rows(const std::vector<std::string> &rows) {
  return rows.empty() ? "base" : join(rows, ", ");
}

} // namespace migrate
