// The checks a new revision must pass against what is already registered.
// New revisions are checked against indexed lookups, not the whole graph: a
// revision whose parents exist and that no one refers to yet cannot close a
// cycle, so registering N revisions stays O(N log N).
#pragma once

#include "core/error.hpp"
#include "core/revision_graph.hpp"

#include <optional>
#include <string>

namespace migrate {

class CatalogLookup {
public:
  virtual ~CatalogLookup() = default;
  virtual bool revision_exists(const std::string &id) const = 0;
  // The revision that declares `label`, if any.
  virtual std::optional<std::string> label_owner(const std::string &label) const = 0;
};

void check_new_revision(const RevisionInfo &revision, const CatalogLookup &catalog);

// A new version of a registered revision: its branch labels must be free, or
// its own already.
void check_replacement_labels(const RevisionInfo &revision, const CatalogLookup &catalog);

// The registered graph (`registered`, in registration order) with
// `revision`'s new version in place of its stored one. Refused (55000,
// checksum mismatch, naming both checksums) while the revision is applied
// according to `version_rows`; otherwise whatever RevisionGraph refuses with
// it in place (an unknown parent, a cycle its new parents close).
void check_replacement(std::vector<RevisionInfo> registered, const std::vector<std::string> &version_rows,
                       const RevisionInfo &revision, const std::string &stored_checksum,
                       const std::string &new_checksum);

// The refusals shared by check_new_revision and RevisionGraph.
Error unknown_parent(const std::string &revision, const std::string &parent);
Error unknown_dependency(const std::string &revision, const std::string &dependency);
Error label_taken(const std::string &label, const std::string &revision, const std::string &owner);
Error label_is_revision(const std::string &label, const std::string &revision);

} // namespace migrate
