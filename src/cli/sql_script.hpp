// psql scripts rendered from the files, without a database: the bundle
// (registration of every revision and backfill) and offline upgrades and
// downgrades (`--sql`). What reaches SQL text from a file is quoted: bodies
// in dollar quotes whose tag the body does not hold, other text as literals
// the server reads back unchanged whatever standard_conforming_strings says.
#pragma once

#include "core/planner.hpp"
#include "core/revision_directory.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace migrate::cli {

// 'text', or E'text' with doubled backslashes when it holds one.
std::string quote_literal(std::string_view text);
// $migrate$text$migrate$, with another tag when text holds "$migrate".
std::string dollar_quote(std::string_view text);
// '{"a","b"}': a text[] literal of ids ("NULL" stays a string).
std::string id_array(const std::vector<std::string> &ids);

// BEGIN; one migrate.revision() call per revision, parents first, then one
// migrate.backfill() per backfill; COMMIT. Each call's result goes to a psql
// variable (\gset), so that \i in a pg_regress suite prints no rows. Loading
// it again changes nothing.
std::string bundle_script(const RevisionDirectory &dir, const std::string &dir_name);

struct OfflineMotion {
  bool upgrade = true;
  std::string range;                  // as the user gave it, for the header comment
  std::vector<std::string> rows_from; // the version rows the script starts from
  std::vector<RevisionStep> steps;
};

// The plan `motion` as one psql script: every revision registered, then each
// step's SQL under a "-- Running upgrade a -> b, msg" comment followed by the
// statements that move migrate.version and write migrate.journal as the
// engine does, all in one transaction that first checks the database is at
// `rows_from`. Non-transactional revisions run between COMMIT and BEGIN, as
// Alembic's autocommit_block renders them, under a session lock on the
// engine's key. Throws Failure for a downgrade through an irreversible
// revision and for an upgrade through a backfill gate that this same script
// would have to open.
std::string motion_script(const RevisionDirectory &dir, const std::string &dir_name, const OfflineMotion &motion);

} // namespace migrate::cli
