#include "cli/versions.hpp"

#include "cli/cli.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

namespace migrate::cli {

namespace fs = std::filesystem;

namespace {

std::string read_file(const fs::path &path, const std::string &shown) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw Failure("could not read " + shown + ": " + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad())
    throw Failure("could not read " + shown + ": " + std::strerror(errno));
  return text.str();
}

} // namespace

RevisionDirectory read_versions(const std::string &dir, Strictness strictness) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    throw Failure("no versions directory \"" + dir + "\"", {},
                  "Create it with `pg_migrate init`, or name another with `pg_migrate --dir DIR ...`.");
  std::vector<SourceFile> sources;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const fs::path &p = it->path();
    const std::string name = p.filename().string();
    if (name.empty() || name[0] == '.' || p.extension() != ".sql" || !it->is_regular_file(ec))
      continue;
    std::string shown = (fs::path(dir) / name).string();
    sources.push_back({shown, read_file(p, shown)});
  }
  if (ec)
    throw Failure("could not list " + dir + ": " + ec.message());
  RevisionFileOptions options;
  options.allow_empty_upgrade = strictness == Strictness::browse;
  return RevisionDirectory(std::move(sources), options);
}

std::string write_new_file(const std::string &dir, const std::string &name, const std::string &text) {
  const std::string path = (fs::path(dir) / name).string();
  std::error_code ec;
  if (fs::exists(path, ec))
    throw Failure(path + " exists already", {}, "Give the revision another id (--id) or message.");
  std::ofstream out(path, std::ios::binary);
  out << text;
  out.close();
  if (!out)
    throw Failure("could not write " + path + ": " + std::strerror(errno));
  return path;
}

void write_new_directory(const std::string &dir, const std::vector<std::pair<std::string, std::string>> &files) {
  const fs::path target = fs::path(dir).lexically_normal();
  fs::path parent = target.parent_path();
  if (parent.empty())
    parent = ".";
  std::error_code ec;
  fs::create_directories(parent, ec);
  if (ec)
    throw Failure("could not create " + parent.string() + ": " + ec.message());
  const fs::path temporary = parent / ("." + target.filename().string() + ".new-" + std::to_string(getpid()));
  if (!fs::create_directory(temporary, ec))
    throw Failure("could not create " + temporary.string() + ": " + (ec ? ec.message() : "it exists"));
  try {
    for (const auto &[name, text] : files) {
      const fs::path path = temporary / name;
      std::ofstream out(path, std::ios::binary);
      out << text;
      out.close();
      if (!out)
        throw Failure("could not write " + path.string() + ": " + std::strerror(errno));
    }
    if (fs::exists(target, ec) && !fs::remove(target, ec)) // an empty directory only
      throw Failure("could not replace " + dir + ": " + ec.message());
    fs::rename(temporary, target, ec);
    if (ec)
      throw Failure("could not rename " + temporary.string() + " to " + dir + ": " + ec.message());
  } catch (...) {
    fs::remove_all(temporary, ec);
    throw;
  }
}

} // namespace migrate::cli
