// Running a transactional step's SQL in the current transaction, through
// SPI, statement by statement: with the revision's lock_timeout and
// statement_timeout (or the migrate.* settings) for this step only, and each
// statement that may wait for a lock another session holds in a
// subtransaction of its own, retried there when it could not get its lock
// within lock_timeout.
//
// A statement that only creates new objects waits for no lock but its
// schema's (PostgreSQL 15 locks, besides the objects it creates, the schema
// it creates them in and every object it refers to that is not built in):
// CREATE TABLE of a permanent or unlogged table whose columns have built-in
// types and constant defaults (or built-in functions without arguments), and
// no foreign key, CHECK, EXCLUDE, LIKE, INHERITS, PARTITION, OF, COLLATE,
// TABLESPACE or access method. Such a statement runs without a
// subtransaction: the schema's lock is taken first, with the retries, once
// per transaction. A subtransaction per statement costs little alone, but
// PostgreSQL's end-of-subtransaction work grows with what the transaction
// created before (its pending file deletions, its relation cache entries):
// 1,000 CREATE TABLE steps in one upgrade() paid for it quadratically
// (bench/RESULTS.md). The one wait left to such a statement is for another
// transaction creating the same name at the same time: it then fails the
// call (55P03) instead of being retried.
#pragma once

#include "pg/statements.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace migrate::pg {

struct StepTimeouts {
  std::optional<std::int64_t> lock_timeout_ms; // nullopt: migrate.lock_timeout
  std::optional<std::int64_t> statement_timeout_ms;
};

// Called around each statement a step runs through SPI, for callers that
// observe what each one does (rehearsal). `rows`: SPI_processed.
class StatementHooks {
public:
  virtual ~StatementHooks() = default;
  virtual void before(const Statement &) {}
  virtual void after(const Statement &, std::uint64_t /*rows*/) {}
};

// `context` names the step in the CONTEXT of any error (and in the 55P03
// raised when the retries run out). Earlier work of the caller's transaction
// is kept across retries: only the failed statement's subtransaction is
// rolled back. The step's lock_timeout and statement_timeout are the
// caller's again afterwards, also when a statement fails.
void run_in_transaction(const std::vector<Statement> &statements, const std::string &context,
                        const StepTimeouts &timeouts, StatementHooks *hooks = nullptr);

} // namespace migrate::pg
