// Statements PostgreSQL runs only at top level, outside any transaction block
// (CREATE INDEX CONCURRENTLY, ...): SPI is never top level, so a dynamic
// background worker runs them, connected to this database as this session's
// user with its current role and search_path, one statement per transaction,
// as psql would send them.
#pragma once

#include <string>

namespace migrate::pg {

// Runs each statement of `sql` (a transactional => false revision's upgrade
// SQL) in a background worker and waits for it. The caller must hold no
// snapshot: a procedure right after a commit, before any query (a query
// after a commit keeps a portal snapshot until the next one, and CREATE
// INDEX CONCURRENTLY would wait for it). Before a named CREATE INDEX
// CONCURRENTLY, an INVALID index of that name (left by an earlier failed or
// cancelled build) is dropped. The first failure is raised here with the
// worker's SQLSTATE, message, DETAIL and HINT; a cancel of the caller
// terminates the worker.
void run_at_top_level(const std::string &revision, const std::string &sql, const std::string &context);

} // namespace migrate::pg
