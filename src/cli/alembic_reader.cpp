#include "cli/alembic_reader.hpp"

#include "cli/cli.hpp"
#include "cli/read_fd.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <sys/wait.h>
#include <unistd.h>

namespace migrate::cli {

namespace fs = std::filesystem;

namespace {

const char *const reader_name = "pg_migrate_alembic.py";
const char *const protocol_header = "pg_migrate-alembic 1";
const char *const fallback_python = "/usr/bin/python3";

// The reader is installed next to pg_migrate (make install; in a build tree
// it sits beside the binary too).
std::string reader_script() {
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec)
    throw Failure("cannot find where pg_migrate is installed: " + ec.message());
  fs::path script = exe.parent_path() / reader_name;
  if (!fs::is_regular_file(script, ec))
    throw Failure("pg_migrate's Alembic reader is missing: " + script.string(), {},
                  "make install puts pg_migrate_alembic.py next to pg_migrate: install pg_migrate again.");
  return script.string();
}

std::optional<std::string> find_on_path(const std::string &name) {
  const char *path = std::getenv("PATH");
  if (!path)
    return std::nullopt;
  std::string dirs = path;
  std::size_t start = 0;
  while (start <= dirs.size()) {
    std::size_t colon = std::min(dirs.find(':', start), dirs.size());
    std::string dir = dirs.substr(start, colon - start);
    fs::path candidate = fs::path(dir.empty() ? "." : dir) / name;
    std::error_code ec;
    if (fs::is_regular_file(candidate, ec) && access(candidate.c_str(), X_OK) == 0)
      return candidate.string();
    start = colon + 1;
  }
  return std::nullopt;
}

std::vector<std::string> words(const std::string &line) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t'))
      ++i;
    std::size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t')
      ++i;
    if (i > start)
      out.push_back(line.substr(start, i - start));
  }
  return out;
}

// The interpreter on a script's `#!` line (`#!/usr/bin/env python3` gives
// python3), when it is a python.
std::optional<std::string> shebang_python(const std::string &script) {
  std::ifstream in(script, std::ios::binary);
  char buf[512];
  in.read(buf, sizeof buf);
  std::string head(buf, static_cast<std::size_t>(in.gcount()));
  auto newline = head.find('\n');
  if (head.rfind("#!", 0) != 0 || newline == std::string::npos)
    return std::nullopt;
  auto tokens = words(head.substr(2, newline - 2));
  if (tokens.empty())
    return std::nullopt;
  std::string interpreter = tokens[0];
  if (fs::path(interpreter).filename() == "env") {
    interpreter.clear();
    for (std::size_t i = 1; i < tokens.size() && interpreter.empty(); ++i)
      if (tokens[i][0] != '-')
        interpreter = tokens[i];
  }
  if (fs::path(interpreter).filename().string().rfind("python", 0) != 0)
    return std::nullopt;
  return interpreter;
}

// A file descriptor above the ones the child rearranges (0 to 3).
int high_fd(int fd) {
  int moved = fcntl(fd, F_DUPFD_CLOEXEC, 10);
  int saved = errno;
  close(fd);
  if (moved < 0)
    throw Failure(std::string("fcntl: ") + std::strerror(saved));
  return moved;
}

void make_pipe(int fds[2]) {
  if (pipe(fds) != 0)
    throw Failure(std::string("pipe: ") + std::strerror(errno));
  fds[0] = high_fd(fds[0]);
  fds[1] = high_fd(fds[1]);
}

struct ChildRun {
  std::string protocol;
  int status = 0;
};

// PYTHON -B READER --protocol-fd 3 INI, in `cwd`; its stdout goes to our
// stderr (env.py may print), the protocol comes on fd 3. No shell.
ChildRun run_reader(const std::string &python, const std::string &script, const std::string &ini,
                    const std::string &cwd) {
  int proto[2], exec_error[2];
  make_pipe(proto);
  make_pipe(exec_error);
  pid_t pid = fork();
  if (pid < 0)
    throw Failure(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    struct {
      int stage, err;
    } report{0, 0};
    if (chdir(cwd.c_str()) != 0)
      report = {1, errno};
    else if (dup2(proto[1], 3) < 0 || dup2(STDERR_FILENO, STDOUT_FILENO) < 0)
      report = {2, errno};
    else {
      execlp(python.c_str(), python.c_str(), "-B", script.c_str(), "--protocol-fd", "3", ini.c_str(),
             static_cast<char *>(nullptr));
      report = {3, errno};
    }
    ssize_t ignored = write(exec_error[1], &report, sizeof report);
    (void)ignored;
    _exit(127);
  }
  close(proto[1]);
  close(exec_error[1]);
  struct {
    int stage, err;
  } report{0, 0};
  ssize_t got = read(exec_error[0], &report, sizeof report); // EOF once exec succeeds (close-on-exec)
  close(exec_error[0]);
  ChildRun run;
  if (got != static_cast<ssize_t>(sizeof report)) {
    int read_error = 0; // what the helper wrote; its exit status says whether it all went well
    run.protocol = read_to_end(proto[0], false, read_error);
  }
  close(proto[0]);
  while (waitpid(pid, &run.status, 0) < 0 && errno == EINTR) {
  }
  if (got == static_cast<ssize_t>(sizeof report)) {
    if (report.stage == 1)
      throw Failure("cannot enter " + cwd + ": " + std::strerror(report.err));
    if (report.stage == 3)
      throw Failure("cannot run the Python interpreter " + python + ": " + std::strerror(report.err), {},
                    "Name the interpreter of the Alembic project's virtualenv with --python PATH.");
    throw Failure(std::string("cannot start the Alembic reader: ") + std::strerror(report.err));
  }
  return run;
}

std::string unhex(const std::string &field) {
  auto digit = [](char c) -> int {
    if (c >= '0' && c <= '9')
      return c - '0';
    if (c >= 'a' && c <= 'f')
      return c - 'a' + 10;
    return -1;
  };
  // "x", then two hex digits a byte.
  if (field.empty() || field[0] != 'x' || field.size() % 2 != 1)
    throw Failure("the Alembic reader sent a malformed field");
  std::string out;
  out.reserve(field.size() / 2);
  for (std::size_t i = 1; i < field.size(); i += 2) {
    int hi = digit(field[i]), lo = digit(field[i + 1]);
    if (hi < 0 || lo < 0)
      throw Failure("the Alembic reader sent a malformed field");
    out += static_cast<char>(hi * 16 + lo);
  }
  return out;
}

// The reader's records (pg_migrate_alembic.py's docstring): a keyword, then
// hex fields.
AlembicProject parse_protocol(const std::string &text) {
  AlembicProject p;
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos)
      break; // an unfinished last line: the reader stopped mid-way (no "done")
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  if (lines.empty() || lines.front() != protocol_header)
    throw Failure("the Alembic reader did not answer", {},
                  "Its messages, if any, are above; pg_migrate_alembic.py must be the one installed with this "
                  "pg_migrate.");
  if (lines.back() != "done")
    throw Failure("the Alembic reader stopped before it finished", {}, "Its messages are above.");
  AlembicRevision *rev = nullptr;
  for (std::size_t i = 1; i + 1 < lines.size(); ++i) {
    auto parts = words(lines[i]);
    if (parts.empty())
      continue;
    const std::string key = parts[0];
    std::vector<std::string> f;
    for (std::size_t k = 1; k < parts.size(); ++k)
      f.push_back(unhex(parts[k]));
    auto malformed = [&] { return Failure("the Alembic reader sent a malformed \"" + key + "\" record"); };
    auto need = [&](std::size_t n) {
      if (f.size() != n)
        throw malformed();
    };
    // Records outside a revision.
    if (key == "alembic") {
      need(1);
      p.alembic_version = f[0];
    } else if (key == "version-table") {
      need(2);
      p.version_table = f[0];
      p.version_table_schema = f[1];
    } else if (key == "error") {
      need(3);
      throw Failure(f[1], {}, f[2]);
    } else if (key == "refused") {
      need(4);
      p.refused.push_back({f[0], f[1], f[2], f[3]});
    } else if (key == "revision") {
      need(1);
      if (rev)
        throw malformed();
      p.revisions.emplace_back();
      rev = &p.revisions.back();
      rev->id = f[0];
    } else if (!rev) {
      throw Failure("the Alembic reader sent \"" + key + "\" outside a revision");
      // Records of the revision being read.
    } else if (key == "end") {
      need(0);
      rev = nullptr;
    } else if (key == "path") {
      need(1);
      rev->path = f[0];
    } else if (key == "message") {
      need(1);
      rev->message = f[0];
    } else if (key == "revises") {
      rev->revises = f;
    } else if (key == "depends-on") {
      rev->depends_on = f;
    } else if (key == "branch-labels") {
      rev->branch_labels = f;
    } else if (key == "upgrade") {
      need(1);
      rev->upgrade_sql = f[0];
    } else if (key == "downgrade") {
      need(1);
      rev->downgrade_sql = f[0];
    } else if (key == "irreversible") {
      need(0);
      rev->downgrade_sql.reset();
    } else if (key == "transactional") {
      need(1);
      rev->transactional = f[0] != "false";
    } else if (key == "warning") {
      need(1);
      rev->warnings.push_back(f[0]);
    } else {
      throw Failure("the Alembic reader sent an unknown record \"" + key + "\"");
    }
  }
  if (rev)
    throw Failure("the Alembic reader stopped in the middle of revision " + rev->id);
  return p;
}

} // namespace

std::string default_python(std::string &why) {
  if (auto alembic = find_on_path("alembic"))
    if (auto python = shebang_python(*alembic)) {
      why = "the interpreter of " + *alembic;
      return *python;
    }
  why = "no alembic command with a python #! line on PATH";
  return fallback_python;
}

AlembicProject read_alembic_project(const AlembicReaderOptions &options, Output &out) {
  std::error_code ec;
  if (!fs::is_regular_file(options.ini, ec))
    throw Failure("no Alembic configuration file \"" + options.ini + "\"", {},
                  "Name the project's alembic.ini: pg_migrate import-alembic path/to/alembic.ini");
  fs::path ini = fs::absolute(options.ini, ec);
  if (ec)
    throw Failure("cannot resolve " + options.ini + ": " + ec.message());
  std::string script = reader_script();
  std::string why = "--python";
  std::string python = options.python ? *options.python : default_python(why);
  // The reader runs in the ini's directory: a relative path is the caller's.
  if (python.find('/') != std::string::npos)
    python = fs::absolute(python, ec).lexically_normal().string();
  out.info("pg_migrate.import", "reading " + options.ini + " with " + python + " (" + why + ")");
  ChildRun run = run_reader(python, script, ini.string(), ini.parent_path().string());
  AlembicProject p;
  try {
    p = parse_protocol(run.protocol);
  } catch (const Failure &f) {
    // A reader that could not even start its protocol: most often no Python there.
    if (run.protocol.empty() && WIFEXITED(run.status) && WEXITSTATUS(run.status) != 0)
      throw Failure("the Alembic reader failed: " + python + " exited with status " +
                        std::to_string(WEXITSTATUS(run.status)),
                    "Its messages are above.", "Name the project's interpreter with --python PATH.");
    throw;
  }
  p.python = python;
  return p;
}

} // namespace migrate::cli
