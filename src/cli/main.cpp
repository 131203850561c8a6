// pg_migrate: Alembic's commands over revision files, against databases with
// the migrate extension. `pg_migrate [global options] COMMAND [arguments]`;
// docs/cli.md is the reference.
#include "cli/cli.hpp"
#include "cli/args.hpp"
#include "cli/connection.hpp"
#include "cli/output.hpp"
#include "core/error.hpp"
#include "core/revision_directory.hpp"

#include <cstring>
#include <fstream>
#include <iostream>

namespace migrate::cli {

const std::vector<Command> &commands() {
  static const std::vector<Command> table = {
      {"init", "init", "create the versions directory", cmd_init},
      {"new",
       "new -m MSG [--id ID] [--id-style hex|date] [--head REV] [--branch-label L] [--depends-on REV] "
       "[--non-transactional]",
       "write a new revision file on the current head; print its path", cmd_new},
      {"merge", "merge -m MSG [--id ID] [--id-style hex|date] [--branch-label L] heads|REV...",
       "write a revision that joins heads", cmd_merge},
      {"heads", "heads [-v]", "the heads of the files", cmd_heads},
      {"branches", "branches [-v]", "the branch points of the files", cmd_branches},
      {"history", "history [-r RANGE] [-v] [-i|--db]", "the revisions, newest first (-i: mark the database's)",
       cmd_history},
      {"show", "show REV", "one revision in full", cmd_show},
      {"graph", "graph [--png FILE]", "the graph as Graphviz DOT (--png: rendered by dot)", cmd_graph},
      {"check", "check [--db]",
       "the files parse, ids are unique, parents exist, one head (--db: the database agrees with them)", cmd_check},
      {"bundle", "bundle", "a psql script that registers every revision and backfill", cmd_bundle},
      {"load", "load", "register every file in the database (one transaction; idempotent)", cmd_load},
      {"upgrade", "upgrade [TARGET] [--at-gate run|stop] [--sql]",
       "load, then upgrade (default head; CALL migrate.run() for non-transactional revisions and backfill gates, "
       "which --at-gate stop ends at); --sql: the psql script instead",
       cmd_upgrade},
      {"downgrade", "downgrade TARGET | downgrade FROM:TO --sql",
       "load, then downgrade (CALL migrate.run() through non-transactional revisions); --sql: the psql script",
       cmd_downgrade},
      {"current", "current [-v]", "the database's current revisions", cmd_current},
      {"stamp", "stamp TARGET... | stamp --from-alembic [--table [SCHEMA.]NAME]",
       "load, then set the version rows to the targets without running SQL (--from-alembic: to Alembic's version "
       "table's rows)",
       cmd_stamp},
      {"plan", "plan [--downgrade] TARGET",
       "what upgrade (or downgrade) would run, with its SQL, runner and gates; runs nothing", cmd_plan},
      {"lint", "lint [TARGET] [--strict]",
       "load the files, then migrate.lint(TARGET) (default head): findings at file:line; exit 1 on an error "
       "(--strict: on a warning too); nothing stays",
       cmd_lint},
      {"rehearse", "rehearse [TARGET]",
       "load the files, then run the plan to TARGET (default head) and roll it back: each statement's time, locks, "
       "rewrites and rows",
       cmd_rehearse},
      {"drift", "drift", "what changed in the schema by hand since the engine's last move; exit 1 if anything did",
       cmd_drift},
      {"test", "test [--strict] [--maintenance-db DBNAME]",
       "in a throwaway database (or --dsn's, left as it was): every revision's round trip from base and lint; "
       "exit 1 on any failure",
       cmd_test},
      {"import-alembic", "import-alembic [--python PATH] ALEMBIC_INI",
       "write one revision file per Alembic revision, rendered by the project's Alembic in offline mode",
       cmd_import_alembic},
  };
  return table;
}

namespace {

const char *const version = "pg_migrate (migrate) 0.2.0";

void help(std::ostream &os) {
  os << "pg_migrate: schema migrations as revision files, run by the migrate extension.\n\n"
        "usage: pg_migrate [--dir DIR] [--dsn CONNINFO]... [--dsn-file FILE] [--jobs N] COMMAND [ARGS]\n\n"
        "Global options (before the command):\n"
        "  --dir DIR        the versions directory (default ./versions)\n"
        "  --dsn CONNINFO   a database, as psql takes it (repeat for a fleet; default: PG* variables)\n"
        "  --dsn-file FILE  one conninfo a line (# comments)\n"
        "  --jobs N         databases of a fleet at once (default 1)\n\n"
        "Commands:\n";
  for (const auto &c : commands())
    os << "  " << c.usage << "\n      " << c.summary << "\n";
  os << "\nExit codes: 0 success, 1 a failed command or check, 2 bad usage. Reference: docs/cli.md\n";
}

std::vector<std::string> read_dsn_file(const std::string &path) {
  std::ifstream in(path);
  if (!in)
    throw UsageError("cannot read --dsn-file " + path + ": " + std::strerror(errno));
  std::vector<std::string> dsns;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r')
      line.pop_back();
    auto b = line.find_first_not_of(" \t");
    if (b == std::string::npos || line[b] == '#')
      continue;
    dsns.push_back(line.substr(b, line.find_last_not_of(" \t") - b + 1));
  }
  if (dsns.empty())
    throw UsageError("--dsn-file " + path + " names no database");
  return dsns;
}

// Global options up to the command; returns the command's index in argv.
int parse_global(int argc, char **argv, GlobalOptions &options, bool &show_help) {
  int i = 1;
  std::vector<std::string> dsn_files;
  for (; i < argc; ++i) {
    std::string a = argv[i];
    if (a.empty() || a[0] != '-')
      break;
    if (a == "-h" || a == "--help") {
      show_help = true;
      continue;
    }
    if (a == "--version") {
      std::cout << version << "\n";
      std::exit(exit_ok);
    }
    std::string name = a, value;
    bool has_value = false;
    if (auto eq = a.find('='); eq != std::string::npos) {
      name = a.substr(0, eq);
      value = a.substr(eq + 1);
      has_value = true;
    }
    if (name != "--dir" && name != "--dsn" && name != "--dsn-file" && name != "--jobs")
      throw UsageError("unknown global option " + name);
    if (!has_value) {
      if (i + 1 >= argc)
        throw UsageError("option " + name + " needs a value");
      value = argv[++i];
    }
    if (name == "--dir") {
      if (value.empty())
        throw UsageError("--dir needs a directory");
      options.dir = value;
    } else if (name == "--dsn")
      options.dsns.push_back(value);
    else if (name == "--dsn-file")
      dsn_files.push_back(value);
    else
      options.jobs = parse_count(value, 1, 64, "--jobs");
  }
  for (const auto &f : dsn_files)
    for (auto &dsn : read_dsn_file(f))
      options.dsns.push_back(std::move(dsn));
  return i;
}

int run(int argc, char **argv) {
  Invocation inv;
  bool show_help = false;
  int i = parse_global(argc, argv, inv.options, show_help);
  if (show_help || (i < argc && std::strcmp(argv[i], "help") == 0)) {
    help(std::cout);
    return exit_ok;
  }
  if (i >= argc)
    throw UsageError("no command given");
  inv.command = argv[i];
  for (++i; i < argc; ++i)
    inv.args.push_back(argv[i]);
  for (const auto &c : commands())
    if (inv.command == c.name)
      return c.run(inv);
  throw UsageError("unknown command \"" + inv.command + "\"");
}

} // namespace

} // namespace migrate::cli

int main(int argc, char **argv) {
  using namespace migrate::cli;
  install_cancel_handler();
  try {
    return run(argc, argv);
  } catch (const UsageError &e) {
    std::cerr << "pg_migrate: " << e.what() << "\nTry \"pg_migrate --help\".\n";
    return exit_usage;
  } catch (const Failure &f) {
    console().failure(f);
  } catch (const migrate::RevisionFileErrors &e) {
    console().file_errors(e);
  } catch (const migrate::Error &e) {
    // A refusal of the core (a target it cannot resolve, a range): Alembic's words.
    console().server_message(ServerMessage{"", "", e.what(), e.detail(), e.hint(), ""});
  } catch (const ServerError &e) {
    console().server_message(e.report);
  } catch (const Reported &) {
  } catch (const std::exception &e) {
    console().log(std::string("error: ") + e.what());
  }
  return exit_failed;
}
