// Alembic's listings, line for line: Script._head_only (heads, history,
// branches, current) and Script.log_entry (show, -v), over the files' graph.
#pragma once

#include "core/revision_directory.hpp"

#include <optional>
#include <set>
#include <string>

namespace migrate::cli {

struct LineFormat {
  bool branches = false; // " (label, ...)"
  bool doc = false;      // ", message"
  bool parents = false;  // "down (deps) -> " before the id
  bool tree = true;      // " (branchpoint)", " (mergepoint)"
};

// `current`: the database's version rows, marked " (current)"; empty offline.
std::string head_only(const RevisionDirectory &dir, RevisionGraph::Vertex v, const LineFormat &format,
                      const std::set<std::string> &current = {});

// Rev:, Parent: or Merges:, Also depends on:, Branches into:, Branch names:,
// Path:, then the message indented; then what a file holds beyond Alembic's
// script (transactional, timeouts, gates, backfills) when `file_details`.
std::string log_entry(const RevisionDirectory &dir, RevisionGraph::Vertex v, const std::set<std::string> &current = {},
                      bool file_details = false);

class Output;

// Alembic's `history [-r RANGE]`: newest first, "down -> id (labels) (head), message".
// `current_rows` stands for the keyword current in the range; `indicate`
// marks them " (current)" (history -i).
void print_history(const RevisionDirectory &dir, const std::optional<std::string> &range,
                   const std::vector<std::string> &current_rows, bool indicate, bool verbose, Output &out);

} // namespace migrate::cli
