// Statements PostgreSQL runs only at top level, outside any transaction block
// (CREATE INDEX CONCURRENTLY, ...): SPI is never top level, so a dynamic
// background worker runs them, connected to this database as this session's
// user with its current role and search_path, one statement per transaction,
// as psql would send them.
#pragma once

#include "pg/statements.hpp"

#include <string>
#include <vector>

namespace migrate::pg {

// Runs each of `statements` (a transactional => false revision's upgrade or
// downgrade SQL) in a background worker and waits for it. The caller must hold the
// engine's advisory lock at session level (a worker whose caller no longer
// holds it runs nothing) and no snapshot: a procedure right after a commit,
// before any query (a query after a commit keeps a portal snapshot until the
// next one, and CREATE INDEX CONCURRENTLY would wait for it). Before a named
// CREATE INDEX CONCURRENTLY, an INVALID index of that name (left by an
// earlier failed or cancelled build) is dropped. The first failure is raised
// here with the worker's SQLSTATE, message, DETAIL and HINT.
//
// The worker never outlives its caller: a cancel or any error stops it
// before this returns; pg_terminate_backend, a lost client (checked every
// second while waiting) or any other exit of the backend stops it before the
// backend's session locks are released.
void run_at_top_level(const std::string &revision, const std::vector<Statement> &statements,
                      const std::string &context);

// Waits until no worker of an earlier run is left (each holds
// worker_lock_key while it lives). Call it holding the engine's lock and no
// snapshot, before planning.
void wait_for_earlier_workers();

} // namespace migrate::pg
