// How a step is named in the engine's NOTICE ("Running upgrade a1 -> b2,
// add users"), in its error CONTEXT, in the client's log lines and in
// offline scripts: Alembic's log line.
#pragma once

#include "core/planner.hpp"

#include <string>

namespace migrate {

// "upgrade a1 -> b2, message", "downgrade b2 -> a1", "upgrade  -> a1" (a base).
std::string describe_step(const RevisionGraph &graph, const RevisionStep &step);

} // namespace migrate
