// How steps are named to users: Alembic's log lines ("upgrade a1 -> b2, add
// users") in the engine's NOTICE, in its error CONTEXT, in the client's log
// lines and in offline scripts; and the journal's directions.
#pragma once

#include "core/planner.hpp"
#include "core/revision_graph.hpp"

#include <string>

namespace migrate {

// The journal's and the step reports' direction names.
namespace direction {
inline constexpr const char *upgrade = "upgrade";
inline constexpr const char *downgrade = "downgrade";
inline constexpr const char *stamp = "stamp";
} // namespace direction

inline const char *direction_of(const RevisionStep &step) {
  return step.upgrade ? direction::upgrade : direction::downgrade;
}

// "upgrade a1 -> b2, message", "downgrade b2 -> a1", "upgrade  -> a1" (a base).
std::string describe_step(const RevisionGraph &graph, const RevisionStep &step);

// "stamp_revision a1 -> b2" (Alembic's StampStep log line).
std::string describe_stamp(const StampStep &step);

// "a1, b2", or "base" for no version rows.
std::string describe_rows(const std::vector<std::string> &rows);

} // namespace migrate
