// The small things every routine of the PostgreSQL side asks of the backend,
// in one place: messages to the client, interrupt checks, an errcontext line
// around PostgreSQL calls, elapsed time.
#pragma once

#include "pg/guard.hpp"

#include <chrono>
#include <cstdint>
#include <string>

namespace migrate::pg {

// A NOTICE or WARNING with `message` as its text (no format directives).
void notice(const std::string &message);
void warning(const std::string &message);
void warning(const std::string &message, const std::string &hint);
// The same from an error path, where a second error must not replace the
// first: a failure to report is ignored.
void warning_nothrow(const std::string &message) noexcept;

// CHECK_FOR_INTERRUPTS(): a cancel or a statement_timeout raises (PgError).
void check_for_interrupts();

std::int64_t micros_since(std::chrono::steady_clock::time_point start);

// A line PostgreSQL adds to the CONTEXT of any error raised while it is
// pushed. Plain data: push() and pop() are for code that runs under
// pg_call (or is plain C itself); on an error, PG_CATCH restores the stack,
// so pop() is only for the way out without one.
struct ErrorContextLine {
  ErrorContextCallback callback;
  void push(const char *line);
  void pop() { error_context_stack = callback.previous; }
};

// pg_call(fn) with `line` in the CONTEXT of any error fn raises.
template <typename Fn> auto pg_call_in_context(const char *line, Fn &&fn) -> decltype(fn()) {
  return pg_call([&] {
    ErrorContextLine context;
    context.push(line);
    if constexpr (std::is_void_v<decltype(fn())>) {
      fn();
      context.pop();
    } else {
      auto result = fn();
      context.pop();
      return result;
    }
  });
}

} // namespace migrate::pg
