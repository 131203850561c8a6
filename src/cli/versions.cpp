#include "cli/versions.hpp"

#include "cli/cli.hpp"
#include "cli/read_fd.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace migrate::cli {

namespace fs = std::filesystem;

namespace {

// Plain POSIX reads: a directory of a thousand files is read on every
// command, and ifstream's set-up per file costs more than the read itself.
std::string read_file(int dir_fd, const char *name, const std::string &shown) {
  int fd = openat(dir_fd, name, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    throw Failure("could not read " + shown + ": " + std::strerror(errno));
  int error = 0;
  std::string text = read_to_end(fd, true, error);
  close(fd);
  if (error)
    throw Failure("could not read " + shown + ": " + std::strerror(error));
  return text;
}

bool regular_file(int dir_fd, const struct dirent *entry) {
  if (entry->d_type == DT_REG)
    return true;
  if (entry->d_type != DT_LNK && entry->d_type != DT_UNKNOWN)
    return false;
  struct stat st;
  return fstatat(dir_fd, entry->d_name, &st, 0) == 0 && S_ISREG(st.st_mode); // a symlink: what it points to
}

bool revision_file_name(const char *name) {
  std::size_t length = std::strlen(name);
  return name[0] != '.' && length > 4 && std::strcmp(name + length - 4, ".sql") == 0;
}

} // namespace

RevisionDirectory read_versions(const std::string &dir, Strictness strictness) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    throw Failure("no versions directory \"" + dir + "\"", {},
                  "Create it with `pg_migrate init`, or name another with `pg_migrate --dir DIR ...`.");
  DIR *d = opendir(dir.c_str());
  if (!d)
    throw Failure("could not list " + dir + ": " + std::strerror(errno));
  std::vector<SourceFile> sources;
  try {
    errno = 0;
    while (const struct dirent *entry = readdir(d)) {
      if (revision_file_name(entry->d_name) && regular_file(dirfd(d), entry)) {
        std::string shown = (fs::path(dir) / entry->d_name).string();
        sources.push_back({shown, read_file(dirfd(d), entry->d_name, shown)});
      }
      errno = 0;
    }
    if (errno != 0)
      throw Failure("could not list " + dir + ": " + std::strerror(errno));
  } catch (...) {
    closedir(d);
    throw;
  }
  closedir(d);
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
