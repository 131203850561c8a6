#include "pg/backend.hpp"

namespace migrate::pg {

namespace {

void context_line(void *arg) {
  errcontext("%s", static_cast<const char *>(arg));
}

} // namespace

void ErrorContextLine::push(const char *line) {
  callback.callback = context_line;
  callback.arg = const_cast<char *>(line);
  callback.previous = error_context_stack;
  error_context_stack = &callback;
}

void notice(const std::string &message) {
  const char *text = message.c_str();
  pg_call([&] { ereport(NOTICE, (errmsg_internal("%s", text))); });
}

void warning(const std::string &message) {
  const char *text = message.c_str();
  pg_call([&] { ereport(WARNING, (errmsg_internal("%s", text))); });
}

void warning(const std::string &message, const std::string &hint) {
  const char *text = message.c_str();
  const char *hint_text = hint.c_str();
  pg_call([&] { ereport(WARNING, (errmsg_internal("%s", text), errhint("%s", hint_text))); });
}

void warning_nothrow(const std::string &message) noexcept {
  try {
    warning(message);
  } catch (...) {
  }
}

void check_for_interrupts() {
  pg_call([] { CHECK_FOR_INTERRUPTS(); });
}

std::int64_t micros_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start).count();
}

} // namespace migrate::pg
