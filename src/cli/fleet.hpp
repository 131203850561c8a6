// Running a database command on one database or a fleet of them (--dsn
// repeated, --dsn-file, --jobs N). Each database stays atomic on its own:
// the command's transaction is per connection; a failure on one database
// neither stops nor undoes the others.
#pragma once

#include "cli/cli.hpp"
#include "cli/connection.hpp"
#include "cli/output.hpp"

#include <functional>
#include <string>

namespace migrate::cli {

struct Outcome {
  bool ok = true;
  std::string summary; // the fleet's result line for this database: "upgraded 3 revisions; at a1b2"
};

using DatabaseJob = std::function<Outcome(Connection &, Output &)>;

// One database (libpq's defaults when no --dsn): its lines as they come;
// exit 1 if it failed. Several: --jobs at a time, each one's lines as a
// block prefixed "[label] " once it is done, then one result line on stdout
// ("label: ok: ..." or "label: FAILED: ..."), in the order given; exit 1 if
// any failed.
int run_on_databases(const GlobalOptions &options, const DatabaseJob &job);

// Prints a NOTICE or WARNING: the engine's "Running upgrade a -> b, msg" as
// Alembic's INFO line, anything else as psql prints it.
void print_notice(Output &out, const ServerMessage &m);

// The engine's step NOTICE: "Running upgrade a -> b, msg" (or downgrade).
bool is_step_notice(const ServerMessage &m);

} // namespace migrate::cli
