// Reads and writes of the migrate schema's tables. Every query is
// schema-qualified; every value is a bound parameter.
#pragma once

#include "core/revision_content.hpp"
#include "core/revision_graph.hpp"

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
std::vector<std::string> version_rows();

// Applied revisions: the version rows and everything they stand on.
VertexSet applied_set(const RevisionGraph &graph, const std::vector<std::string> &versions);

bool revision_exists(const std::string &id);
std::optional<std::string> label_owner(const std::string &label);

void insert_revision(const RevisionContent &content, const std::string &checksum);
void update_revision(const RevisionContent &content, const std::string &checksum);

} // namespace migrate::pg
