#include "pg/procedure.hpp"

#include "core/error.hpp"
#include "pg/guard.hpp"

#include <chrono>
#include <string>

namespace migrate::pg {

void require_nonatomic(FunctionCallInfo fcinfo, const char *procedure, const char *what) {
  const bool nonatomic =
      fcinfo->context && IsA(fcinfo->context, CallContext) && !castNode(CallContext, fcinfo->context)->atomic;
  if (!nonatomic)
    throw Error(sqlstate::invalid_transaction_termination,
                std::string(procedure) + " " + what + " and cannot run inside a transaction block",
                "It was called inside BEGIN ... COMMIT, or from a function or a procedure that cannot commit.",
                std::string("Run it as a statement of its own: CALL ") + procedure + ";");
}

void Subtransaction::begin() {
  pg_call([&] {
    context_ = CurrentMemoryContext;
    owner_ = CurrentResourceOwner;
    BeginInternalSubTransaction(nullptr);
    MemoryContextSwitchTo(context_);
  });
}

void Subtransaction::release() {
  pg_call([&] {
    ReleaseCurrentSubTransaction();
    MemoryContextSwitchTo(context_);
    CurrentResourceOwner = owner_;
  });
}

void Subtransaction::rollback() {
  pg_call([&] {
    RollbackAndReleaseCurrentSubTransaction();
    MemoryContextSwitchTo(context_);
    CurrentResourceOwner = owner_;
  });
}

bool try_session_lock(std::int32_t space, std::int32_t key) {
  return pg_call([&] {
    return DatumGetBool(DirectFunctionCall2(pg_try_advisory_lock_int4, Int32GetDatum(space), Int32GetDatum(key)));
  });
}

void session_lock(std::int32_t space, std::int32_t key) {
  pg_call([&] { (void)DirectFunctionCall2(pg_advisory_lock_int4, Int32GetDatum(space), Int32GetDatum(key)); });
}

void session_lock(std::int64_t key) {
  pg_call([&] { (void)DirectFunctionCall1(pg_advisory_lock_int8, Int64GetDatum(key)); });
}

void session_unlock(std::int32_t space, std::int32_t key) {
  pg_call([&] { (void)DirectFunctionCall2(pg_advisory_unlock_int4, Int32GetDatum(space), Int32GetDatum(key)); });
}

void session_unlock(std::int64_t key) {
  pg_call([&] { (void)DirectFunctionCall1(pg_advisory_unlock_int8, Int64GetDatum(key)); });
}

void sleep_interruptibly(std::int64_t us) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(us);
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now()).count();
    if (left <= 0)
      return;
    long wait = static_cast<long>(left);
    pg_call([&] {
      (void)WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, wait, PG_WAIT_EXTENSION);
      ResetLatch(MyLatch);
      CHECK_FOR_INTERRUPTS();
    });
  }
}

bool is_interrupt(const ErrorData *e) {
  return e->sqlerrcode == ERRCODE_QUERY_CANCELED || e->sqlerrcode == ERRCODE_ADMIN_SHUTDOWN ||
         e->sqlerrcode == ERRCODE_CRASH_SHUTDOWN;
}

} // namespace migrate::pg
