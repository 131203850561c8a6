// A revision as a user registers it, and the rules it must follow on its own
// (before the graph around it is consulted).
#pragma once

#include "core/revision_graph.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace migrate {

struct RevisionContent {
  RevisionInfo graph; // id, parents, dependencies, labels, message
  std::string upgrade_sql;
  std::optional<std::string> downgrade_sql; // nullopt: irreversible
  bool transactional = true;
  // Backfills that must be done before an upgrade may run this revision:
  // the contract step of expand -> backfill -> contract.
  std::vector<std::string> requires_backfills;
  // How long its statements may wait for a lock or run (milliseconds;
  // nullopt: the migrate.* settings). Not content: they may be tuned at any
  // time, so the checksum leaves them out.
  std::optional<std::int64_t> lock_timeout_ms;
  std::optional<std::int64_t> statement_timeout_ms;
  // Lint rules silenced for this revision (migrate.lint()). Not content
  // either: silencing a rule changes nothing the revision does.
  std::vector<std::string> lint_ignore;
};

// Checks the id, every label, duplicates within each list, and that the
// upgrade SQL is there (a merge may have none). Throws migrate::Error.
void check_content(const RevisionContent &content);

// An unambiguous serialization of everything a checksum covers: each field is
// length-prefixed, so no two different revisions serialize alike.
std::string canonical_form(const RevisionContent &content);

} // namespace migrate
