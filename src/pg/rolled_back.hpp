// Work that must leave nothing behind: run in an internal subtransaction
// that is always rolled back. migrate.check_roundtrip() runs its stairway in
// one. (migrate.rehearse(), built at the same time on another branch, needs
// the same: one of the two copies is to go when both are merged.)
#pragma once

#include "pg/procedure.hpp"

namespace migrate::pg {

// Runs `body` in a subtransaction, then rolls the subtransaction back,
// whether body returned or threw (the exception is rethrown after the
// rollback): every row body wrote, every object it made and every lock it
// took are gone, and the caller's transaction is as it was (except for the
// transaction id a write assigns it). body may catch a PgError (a step that
// failed) only to copy what it needs out of it and return at once: after a
// PostgreSQL error, no PostgreSQL call may come before the rollback. Keep
// what body computes in C++ values: memory it pallocs in the subtransaction's
// own contexts is freed by the rollback.
template <typename Body> void rolled_back(Body &&body) {
  Subtransaction sub;
  sub.begin();
  release_on_error(body, [&] { sub.rollback(); });
  sub.rollback();
}

} // namespace migrate::pg
