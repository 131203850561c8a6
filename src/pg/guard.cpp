#include "pg/guard.hpp"

#include "core/error.hpp"

#include <cstring>
#include <string>

namespace migrate::pg {

namespace {

// Copies text out of an exception without risking an ereport inside a catch
// block: on allocation failure the fallback literal is used instead.
const char *copy_text(const std::string &text, const char *fallback) {
  if (text.empty())
    return nullptr;
  auto *out = static_cast<char *>(MemoryContextAllocExtended(CurrentMemoryContext, text.size() + 1, MCXT_ALLOC_NO_OOM));
  if (!out)
    return fallback;
  std::memcpy(out, text.c_str(), text.size() + 1);
  return out;
}

int sqlstate_code(const char *code) {
  return MAKE_SQLSTATE(code[0], code[1], code[2], code[3], code[4]);
}

} // namespace

FailureReport describe_current_exception() noexcept {
  FailureReport report;
  try {
    throw;
  } catch (const PgError &e) {
    report.pg_error = e.data();
  } catch (const migrate::Error &e) {
    report.sqlerrcode = sqlstate_code(e.sqlstate());
    report.message = copy_text(e.what(), "migrate: error (out of memory while reporting it)");
    report.detail = copy_text(e.detail(), nullptr);
    report.hint = copy_text(e.hint(), nullptr);
  } catch (const std::bad_alloc &) {
    report.sqlerrcode = ERRCODE_OUT_OF_MEMORY;
    report.message = "migrate: out of memory";
  } catch (const std::exception &e) {
    report.sqlerrcode = ERRCODE_INTERNAL_ERROR;
    report.message = copy_text(std::string("migrate: internal error: ") + e.what(), "migrate: internal error");
  } catch (...) {
    report.sqlerrcode = ERRCODE_INTERNAL_ERROR;
    report.message = "migrate: internal error: unknown exception";
  }
  return report;
}

void raise_failure(const FailureReport &report) {
  if (report.pg_error)
    ReThrowError(report.pg_error);
  ereport(ERROR,
          (errcode(report.sqlerrcode), errmsg_internal("%s", report.message),
           report.detail ? errdetail_internal("%s", report.detail) : 0, report.hint ? errhint("%s", report.hint) : 0));
  pg_unreachable();
}

} // namespace migrate::pg
