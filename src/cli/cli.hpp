// What every part of pg_migrate shares: the global options, the refusals
// that decide the exit code, and the command table's shape.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace migrate::cli {

// Exit codes (docs/cli.md): 0 success, 1 a failed command or check, 2 bad usage.
inline constexpr int exit_ok = 0;
inline constexpr int exit_failed = 1;
inline constexpr int exit_usage = 2;

// Bad usage: unknown command or option, a missing or malformed argument. Exit 2.
class UsageError : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

// A command that ran and failed (a refusal, a failed check). Exit 1. The
// detail and hint are printed as psql prints a server error's.
class Failure : public std::runtime_error {
public:
  explicit Failure(const std::string &message, std::string detail = {}, std::string hint = {})
      : std::runtime_error(message), detail(std::move(detail)), hint(std::move(hint)) {}
  std::string detail, hint;
};

// A failure already reported in full (file errors, server errors): exit 1, print nothing more.
class Reported : public std::runtime_error {
public:
  Reported() : std::runtime_error("reported") {}
};

// Global options, given before the command as with `git -C`.
struct GlobalOptions {
  std::string dir = "versions";
  std::vector<std::string> dsns; // --dsn, then --dsn-file's lines; empty: libpq's defaults (PG* variables)
  int jobs = 1;
};

class Output;

// One command line: the global options and the command's own arguments.
struct Invocation {
  GlobalOptions options;
  std::string command;
  std::vector<std::string> args;
};

struct Command {
  const char *name;
  const char *usage;   // after "pg_migrate [global options] "
  const char *summary; // one line for --help
  int (*run)(const Invocation &);
};

// Every command, in the order --help lists them.
const std::vector<Command> &commands();

// The revision-file commands (commands_files.cpp) and the database ones (commands_db.cpp).
int cmd_init(const Invocation &);
int cmd_new(const Invocation &);
int cmd_merge(const Invocation &);
int cmd_heads(const Invocation &);
int cmd_branches(const Invocation &);
int cmd_history(const Invocation &);
int cmd_show(const Invocation &);
int cmd_graph(const Invocation &);
int cmd_check(const Invocation &);
int cmd_bundle(const Invocation &);
int cmd_upgrade(const Invocation &);
int cmd_downgrade(const Invocation &);
int cmd_load(const Invocation &);
int cmd_current(const Invocation &);
int cmd_stamp(const Invocation &);
int cmd_plan(const Invocation &);
int cmd_import_alembic(const Invocation &);
// Proving a migration before it runs (commands_prove.cpp).
int cmd_lint(const Invocation &);
int cmd_rehearse(const Invocation &);
int cmd_drift(const Invocation &);
int cmd_test(const Invocation &);

// Offline SQL (`upgrade --sql`, `downgrade --sql`) and check --db live beside
// the commands that share their arguments.
int offline_motion(const Invocation &, bool upgrade, const std::string &range);
int check_database(const Invocation &);
// stamp --from-alembic: the version rows become Alembic's version table's rows.
int stamp_from_alembic(const Invocation &, const std::string &table);

} // namespace migrate::cli
