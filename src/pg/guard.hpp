// The C++ <-> PostgreSQL error boundary (docs/design.md, "The error boundary").
//
// PostgreSQL reports errors by longjmp; C++ by exceptions. Neither may cross
// the other's frames. Two tools keep them apart:
//   guard()    wraps the body of every SQL-callable function: any C++ exception
//              is caught, its text copied into palloc'd memory, the C++ frames
//              are left, and only then is ereport(ERROR) raised.
//   pg_call()  wraps a PostgreSQL call made from a frame that owns C++ objects:
//              a PostgreSQL error is caught under PG_TRY, copied, flushed and
//              rethrown as migrate::pg::PgError.
// A PgError may only propagate to guard(), which re-raises it unchanged: the
// transaction is aborted there, which is what releases what the failed call held.
#pragma once

#include "pg/postgres.hpp"

#include <exception>
#include <type_traits>
#include <utility>

namespace migrate::pg {

class PgError : public std::exception {
public:
  explicit PgError(ErrorData *data) : data_(data) {}
  ErrorData *data() const noexcept { return data_; }
  const char *what() const noexcept override { return data_->message ? data_->message : "PostgreSQL error"; }

private:
  ErrorData *data_; // palloc'd in the memory context current at the failed call
};

// Runs `fn` (which must make only PostgreSQL calls and create no C++ object
// with a destructor, nor throw) and turns a PostgreSQL error into PgError.
template <typename Fn> auto pg_call(Fn &&fn) -> decltype(fn()) {
  using Result = decltype(fn());
  MemoryContext caller_context = CurrentMemoryContext;
  ErrorData *volatile error = nullptr;
  if constexpr (std::is_void_v<Result>) {
    PG_TRY();
    { fn(); }
    PG_CATCH();
    {
      MemoryContextSwitchTo(caller_context);
      error = CopyErrorData();
      FlushErrorState();
    }
    PG_END_TRY();
    if (error)
      throw PgError(error);
  } else {
    static_assert(std::is_scalar_v<Result>, "pg_call returns a scalar (pointer, Datum, number) only");
    // volatile: assigned between sigsetjmp and a possible longjmp.
    volatile Result result{};
    PG_TRY();
    { result = fn(); }
    PG_CATCH();
    {
      MemoryContextSwitchTo(caller_context);
      error = CopyErrorData();
      FlushErrorState();
    }
    PG_END_TRY();
    if (error)
      throw PgError(error);
    return result;
  }
}

// What guard() knows of a failure once the exception is gone: plain pointers only.
struct FailureReport {
  ErrorData *pg_error = nullptr; // a PostgreSQL error to re-raise as it was
  int sqlerrcode = 0;
  const char *message = nullptr;
  const char *detail = nullptr;
  const char *hint = nullptr;
};

// Called inside a catch block: describes the exception being handled.
FailureReport describe_current_exception() noexcept;
[[noreturn]] void raise_failure(const FailureReport &report);

template <typename Fn> Datum guard(Fn &&fn) {
  FailureReport report;
  try {
    return fn();
  } catch (...) {
    report = describe_current_exception();
  }
  raise_failure(report);
}

} // namespace migrate::pg
