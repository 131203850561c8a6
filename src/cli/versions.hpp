// The versions directory on disk: reading its files (the I/O the core's
// RevisionDirectory leaves to its caller) and writing new ones.
#pragma once

#include "core/revision_directory.hpp"

#include <string>
#include <vector>

namespace migrate::cli {

// How commands read the directory: `browse` lets a file fresh from `new`
// (empty upgrade section) through, for commands that only look at the graph.
enum class Strictness { check, browse };

// Every *.sql file directly in `dir` (not in subdirectories, not dot files),
// named "dir/file.sql" in messages. Throws Failure when `dir` is missing;
// RevisionFileErrors when any file is refused.
RevisionDirectory read_versions(const std::string &dir, Strictness strictness = Strictness::check);

// Writes a new file; refuses to overwrite one. Returns its path.
std::string write_new_file(const std::string &dir, const std::string &name, const std::string &text);

// Creates `dir` (absent, or an empty directory) holding exactly `files`
// (name, text): written into a sibling temporary directory first, then
// renamed into place, so that a failure leaves no partial directory.
void write_new_directory(const std::string &dir, const std::vector<std::pair<std::string, std::string>> &files);

} // namespace migrate::cli
