// The client's side of the catalog: registering a directory's revisions and
// backfills (pg_migrate load), and reading back what the engine plans with.
// Every statement is parameterized; lists travel as comma-joined ids (ids
// never hold a comma) and are split by the server's string_to_array.
#pragma once

#include "cli/connection.hpp"
#include "cli/output.hpp"
#include "core/revision_directory.hpp"

#include <map>
#include <string>
#include <vector>

namespace migrate::cli {

struct LoadReport {
  std::vector<std::string> added, updated, unchanged; // revision ids
  std::size_t backfills_added = 0, backfills_updated = 0, backfills_unchanged = 0;
  std::string summary() const; // "2 new, 1 updated, 12 unchanged"
};

// Registers, in the directory's order (parents first), every revision and
// backfill that the database lacks or holds with other content or limits;
// the engine refuses changes to applied revisions and finished backfills.
// Runs in the caller's transaction. A refusal names the file in its CONTEXT.
LoadReport load_directory(Connection &c, const RevisionDirectory &dir, Output &out);

// BEGIN; the files loaded; `body`; ROLLBACK: what the engine says of the
// files as upgrade would load them (plan, lint, rehearse), leaving nothing
// behind. Returns what body returns.
template <typename F> auto with_files_loaded(Connection &c, const RevisionDirectory &dir, Output &out, F &&body) {
  c.exec("BEGIN");
  load_directory(c, dir, out);
  auto result = body();
  c.exec("ROLLBACK");
  return result;
}

// The revisions the engine knows, in the order it builds its graph
// (created_at, then id), with their transactional flags.
struct ServerGraph {
  std::vector<RevisionInfo> infos;
  std::map<std::string, bool> transactional;
};
ServerGraph read_server_graph(Connection &c);

// migrate.version's rows, sorted.
std::vector<std::string> read_version_rows(Connection &c);

// migrate.stamp(VARIADIC targets): the version rows become those of
// Alembic's `stamp` of all the targets at once, journaled; returns them.
// Each target is a parameter of its own (any text, never in the SQL).
std::vector<std::string> stamp_rows(Connection &c, const std::vector<std::string> &targets);

// A revision as the database stores it (for check --db).
struct StoredContent {
  RevisionContent content;
  std::string checksum;
};
std::map<std::string, StoredContent> read_stored(Connection &c, const std::vector<std::string> &ids);

std::vector<std::string> split_ids(const std::string &joined);
std::string join_ids(const std::vector<std::string> &ids);

} // namespace migrate::cli
