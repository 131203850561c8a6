// Reading an Alembic project for `pg_migrate import-alembic`: runs
// pg_migrate_alembic.py (installed next to pg_migrate) with the project's own
// Python interpreter, which renders every revision through the user's
// Alembic in offline mode, and reads back what it reports (docs/alembic.md).
#pragma once

#include "cli/output.hpp"

#include <optional>
#include <string>
#include <vector>

namespace migrate::cli {

struct AlembicRevision {
  std::string id, path, message; // path: the .py script, relative to the ini's directory
  std::vector<std::string> revises, depends_on, branch_labels;
  std::string upgrade_sql;
  std::optional<std::string> downgrade_sql; // nullopt: irreversible (NotImplementedError, no downgrade())
  bool transactional = true;                // false: autocommit_block() in upgrade() or downgrade()
  std::vector<std::string> warnings;
};

// A revision offline mode cannot render: which one, which function, why.
struct AlembicRefusal {
  std::string id, path, direction, reason;
};

struct AlembicProject {
  std::string python;          // the interpreter that ran the reader
  std::string alembic_version; // the project's Alembic (alembic.__version__)
  std::string version_table = "alembic_version", version_table_schema;
  std::vector<AlembicRevision> revisions; // parents first
  std::vector<AlembicRefusal> refused;
};

struct AlembicReaderOptions {
  std::string ini;                   // alembic.ini, as the user named it
  std::optional<std::string> python; // --python; default: see default_python()
};

// The interpreter to run the reader with: --python; else the one named on
// the `#!` line of the `alembic` command found on PATH (an activated
// virtualenv's, or the system's), when it is a python; else /usr/bin/python3.
// `why` says which, for the log.
std::string default_python(std::string &why);

// Runs the reader in the directory of the ini (where users run `alembic`).
// Throws Failure when the project cannot be read at all (no ini, a bad ini,
// no Alembic for that interpreter, env.py failing, a dialect other than
// PostgreSQL); refusals of single revisions come back in `refused`.
AlembicProject read_alembic_project(const AlembicReaderOptions &options, Output &out);

} // namespace migrate::cli
