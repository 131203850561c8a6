// What each statement run through SPI does, seen from inside the backend
// that runs it, for migrate.rehearse(): how long it takes, the relation
// locks it newly takes, the relations it rewrites, the rows it affects.
//
// Locks: this backend's relation locks, read from the lock manager's
// shared tables as pg_locks reads them (its own entries only), once before
// the first statement and after each: a statement's locks are the
// (relation, mode) pairs held after it and not before. A lock the transaction already held (taken by the caller, or by
// an earlier statement) is not the statement's. System catalogs and TOAST
// relations are left out (every statement touches the former; the latter
// go with their table).
//
// Rewrites: a relation whose relfilenode the statement changed. Changing it
// updates the relation's pg_class row, which queues a relation cache
// invalidation; the relations invalidated while the statement runs (a
// callback, so the cost follows what the statement changed, not the size
// of the schema) are compared with their pg_class row as it was before the
// statement (read under a snapshot whose command id is the statement's
// first). An index rebuilt under a new oid (ALTER COLUMN TYPE re-creates
// the indexes on the column) is compared by name.
#pragma once

#include "pg/transactional_runner.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace migrate::pg {

struct StatementEffects {
  int number = 0; // the statement's number in its step
  std::int64_t duration_us = 0;
  std::vector<std::string> locks;     // "AccessExclusiveLock on public.t", sorted by relation, then mode
  std::vector<std::string> rewritten; // "public.t", sorted
  // SPI_processed for statements that affect rows (INSERT, UPDATE, DELETE,
  // MERGE, SELECT, CREATE TABLE AS, COPY); nullopt for the others.
  std::optional<std::int64_t> rows;
};

class StatementObserver : public StatementHooks {
public:
  // Reads the relation locks held before the first statement.
  StatementObserver();
  // Stops listening for invalidations (no PostgreSQL call).
  ~StatementObserver() override;
  StatementObserver(const StatementObserver &) = delete;
  StatementObserver &operator=(const StatementObserver &) = delete;

  void before(const Statement &statement) override;
  void after(const Statement &statement, std::uint64_t rows) override;

  // The effects of the statements observed since the last call, in order.
  std::vector<StatementEffects> take();
  // The number of the statement running (or that failed), 0 before the first.
  int current() const { return current_; }

  // Relations invalidated while a statement runs (the callback's buffer).
  struct Invalidated {
    std::vector<unsigned> relids;
    bool all = false; // a whole-cache reset, or no memory to record one: check every relation held
  };

  // One of this backend's locks on a user relation: where it is (its
  // PROCLOCK or fast-path slot), the relation, the modes held (LOCKMASK).
  struct HeldLock {
    const void *where;
    unsigned relid;
    int mask;
  };
  // [0]: the fast-path slots; [1 + i]: lock partition i's queue, in order.
  using LockTables = std::array<std::vector<HeldLock>, 17>;

private:
  LockTables held_;                        // after the last statement
  std::unordered_map<unsigned, int> ever_; // relation -> every mode held after a statement so far
  Invalidated invalidated_;
  std::vector<StatementEffects> effects_;
  unsigned command_ = 0; // the command id the statement starts with
  std::int64_t started_ns_ = 0;
  int current_ = 0;
};

} // namespace migrate::pg
