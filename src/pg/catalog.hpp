// Reads and writes of the migrate schema's tables. Every query is
// schema-qualified; every value is a bound parameter.
#pragma once

#include "core/engine_lock.hpp"
#include "core/revision_content.hpp"
#include "core/revision_graph.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace migrate::pg {

struct StoredRevision {
  RevisionContent content;
  std::string checksum;
  std::string created_at;
};

// Serializes every change to the catalog and the database's version
// (pg_advisory_xact_lock on the engine's fixed key).
void lock_catalog();

std::vector<RevisionInfo> load_graph_infos();

// The graph as the caller's snapshot sees it. Kept per backend between calls
// and reused while migrate.catalog_state shows no committed change since;
// never reused inside a transaction that changed the catalog itself. Only for
// STABLE calls, whose queries all share one snapshot.
std::shared_ptr<const RevisionGraph> load_graph();

// Records that the catalog changed (at most one row version per transaction).
void note_catalog_change();
std::optional<StoredRevision> load_revision(const std::string &id);
std::map<std::string, StoredRevision> load_revisions(const std::vector<std::string> &ids);
std::vector<std::string> version_rows();
// The same, locked: a REPEATABLE READ caller whose snapshot missed another
// session's committed move gets a serialization failure, not a second run.
std::vector<std::string> version_rows_for_update();
void write_version_rows(const std::vector<std::string> &rows);
// One step's change (VersionChange::replaced, ::written): those rows go, these
// come; `rows_after` is the whole set then, whose schema drift() will compare with.
void write_version_change(const std::vector<std::string> &replaced, const std::vector<std::string> &written,
                          const std::vector<std::string> &rows_after);

struct JournalEntry {
  std::string revision, direction;
  // The version rows the step replaced and those it wrote (VersionChange).
  std::vector<std::string> from_heads, to_heads;
  std::int64_t started_offset_us = 0; // since the call's start
  std::int64_t duration_us = 0;
};
std::string clock_now();
void append_journal(const std::vector<JournalEntry> &entries, const std::string &call_started);

// Applied revisions: the version rows and everything they stand on.
VertexSet applied_set(const RevisionGraph &graph, const std::vector<std::string> &versions);

bool revision_exists(const std::string &id);
std::optional<std::string> label_owner(const std::string &label);

void insert_revision(const RevisionContent &content, const std::string &checksum);

// Whether migrate.<table> (and its column) exists: this library also serves
// an older version's declarations until ALTER EXTENSION migrate UPDATE.
bool catalog_has(const char *table, const char *column = nullptr);
void update_revision(const RevisionContent &content, const std::string &checksum);

} // namespace migrate::pg
