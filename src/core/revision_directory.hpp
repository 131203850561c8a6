// A directory of revision files checked as a whole: ids unique, parents,
// dependencies and required backfills defined, labels unique, no cycle. It
// takes the files' contents (reading them is the caller's I/O) and either
// yields every revision, in the order to register them, or refuses them all.
#pragma once

#include "core/revision_file.hpp"
#include "core/revision_graph.hpp"

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace migrate {

struct SourceFile {
  std::string path; // as messages should name it, e.g. "versions/ae1027a6acf_add_users.sql"
  std::string text;
};

// Every refusal found, one per line at fault (parse errors: the first of each file).
class RevisionFileErrors : public std::runtime_error {
public:
  explicit RevisionFileErrors(std::vector<RevisionFileError> errors);
  const std::vector<RevisionFileError> &errors() const noexcept { return errors_; }

private:
  std::vector<RevisionFileError> errors_;
};

class RevisionDirectory {
public:
  // `sources` in any order; ties in the graph are broken by path, so that the
  // order of registration (and every plan) does not depend on how a file
  // system lists a directory. Throws RevisionFileErrors.
  explicit RevisionDirectory(std::vector<SourceFile> sources, const RevisionFileOptions &options = {});

  // Parents and dependencies before the revisions that need them, otherwise
  // by path: the order to register them in. files()[v] is the graph's vertex v.
  const std::vector<RevisionFile> &files() const { return files_; }
  const RevisionGraph &graph() const { return *graph_; }
  const RevisionFile &file(RevisionGraph::Vertex v) const { return files_[v]; }
  const RevisionFile *find(const std::string &id) const;
  std::vector<std::string> ids() const;

private:
  std::vector<RevisionFile> files_;
  std::unique_ptr<RevisionGraph> graph_;
};

// Kahn's algorithm over the revisions' parents and resolved dependencies,
// ties broken by the given order. The result lists indexes into `revisions`;
// it is shorter than `revisions` when they hold a cycle. Unknown parents and
// dependencies are ignored (the graph refuses them).
std::vector<std::size_t> registration_order(const std::vector<RevisionInfo> &revisions);

} // namespace migrate
