// Running something for real and undoing it: a subtransaction that is always
// rolled back, on success as on error. What rehearse() (and a round-trip
// check) runs leaves nothing behind that a subtransaction's abort undoes:
// rows, catalog changes, relation files, locks taken inside it, settings
// changed inside it (SET as well as SET LOCAL), NOTIFYs. It cannot undo what
// PostgreSQL never rolls back (sequence values, session-level advisory
// locks), nor the transaction id its writes give the caller's transaction.
//
// The caller's SPI connection must be opened before (it survives the
// subtransaction) and its memory context is the current one again
// afterwards; results are to be kept in C++ memory (or in that context), not
// in anything the subtransaction owns (an SPI tuple table read inside is
// freed by the rollback).
#pragma once

#include "pg/procedure.hpp"

namespace migrate::pg {

// Runs `body` in a subtransaction, then rolls it back. An exception from
// body (a PgError included) is rethrown after the rollback: its ErrorData
// lives in the caller's memory context, which the rollback keeps.
template <typename Body> void rolled_back(Body &&body) {
  Subtransaction sub;
  sub.begin();
  try {
    body();
  } catch (...) {
    sub.rollback();
    throw;
  }
  sub.rollback();
}

} // namespace migrate::pg
