// migrate.lint() over a plan, and the migrate.lint setting's gate in front of
// upgrade() and CALL migrate.run().
#pragma once

#include "core/lint.hpp"
#include "pg/engine.hpp"

#include <vector>

namespace migrate::pg {

// The findings of a plan's upgrade steps, in the order they would run.
// `commit_per_revision`: the plan runs under CALL migrate.run().
std::vector<lint::Finding> lint_plan(const RevisionGraph &graph, const PlannedMotion &plan, bool commit_per_revision);

// Before upgrade() or run() runs anything, as migrate.lint says: nothing
// (off), a WARNING per finding (warn), or also a refusal (55M01) when a
// finding has severity error (error).
void lint_gate(const RevisionGraph &graph, const PlannedMotion &plan, bool commit_per_revision);

} // namespace migrate::pg
