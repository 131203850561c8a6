// Running something for real and undoing it: a subtransaction that is always
// rolled back, on success as on error. What migrate.rehearse() and
// migrate.check_roundtrip() run leaves nothing behind that a subtransaction's
// abort undoes: rows, catalog changes, relation files, locks taken inside it,
// settings changed inside it (SET as well as SET LOCAL), NOTIFYs. It cannot
// undo what PostgreSQL never rolls back (sequence values, session-level
// advisory locks), nor the transaction id its writes give the caller's
// transaction.
//
// The caller's SPI connection must be opened before (it survives the
// subtransaction) and its memory context is the current one again
// afterwards; results are to be kept in C++ values, not in anything the
// subtransaction owns (an SPI tuple table read inside is freed by the
// rollback).
#pragma once

#include "pg/procedure.hpp"

namespace migrate::pg {

// Runs `body` in a subtransaction, then rolls it back, whether body returned
// or threw; an exception (a PgError included: its ErrorData lives in the
// caller's memory context, which the rollback keeps) is rethrown after the
// rollback. body may catch a PgError (a step that failed) only to copy what
// it needs out of it and return at once: after a PostgreSQL error, no
// PostgreSQL call may come before the rollback.
template <typename Body> void rolled_back(Body &&body) {
  Subtransaction sub;
  sub.begin();
  release_on_error(body, [&] { sub.rollback(); });
  sub.rollback();
}

} // namespace migrate::pg
