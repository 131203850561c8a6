#include "core/lock_retry.hpp"

#include <gtest/gtest.h>

namespace migrate {
namespace {

TEST(LockRetry, DelaysDoubleUpToTheCap) {
  LockRetryPolicy p{1000, 6, 250, 1500};
  EXPECT_EQ(retry_delay_ms(p, 1), 250);
  EXPECT_EQ(retry_delay_ms(p, 2), 500);
  EXPECT_EQ(retry_delay_ms(p, 3), 1000);
  EXPECT_EQ(retry_delay_ms(p, 4), 1500);
  EXPECT_EQ(retry_delay_ms(p, 50), 1500);
}

TEST(LockRetry, ZeroDelayStaysZero) {
  LockRetryPolicy p{1000, 3, 0, 60000};
  EXPECT_EQ(retry_delay_ms(p, 3), 0);
}

TEST(LockRetry, RefusalNamesLockObjectAndHolders) {
  LockRetryPolicy p{500, 3, 100, 1000};
  Error e =
      lock_not_granted("migrate: upgrade a1 -> b2 (revision b2)", "AccessExclusiveLock", "table public.t", p,
                       {{4242, "AccessShareLock", "idle in transaction", "LOCK t IN ACCESS SHARE MODE", "00:00:07"}});
  EXPECT_STREQ(e.sqlstate(), "55P03");
  EXPECT_EQ(std::string(e.what()), "migrate: upgrade a1 -> b2 (revision b2): AccessExclusiveLock on table public.t was "
                                   "not granted within lock_timeout (500 ms), 4 attempts");
  EXPECT_EQ(e.detail(), "Held by pid 4242 (AccessShareLock, idle in transaction, transaction open for 00:00:07, last "
                        "query: LOCK t IN ACCESS SHARE MODE).");
  EXPECT_NE(e.hint().find("migrate.lock_timeout"), std::string::npos);
}

TEST(LockRetry, RefusalWithoutHolders) {
  Error e = lock_not_granted("step", "RowExclusiveLock", "table t", LockRetryPolicy{100, 0, 0, 0}, {});
  EXPECT_NE(std::string(e.what()).find("1 attempt"), std::string::npos);
  EXPECT_NE(e.detail().find("No backend holds"), std::string::npos);
}

} // namespace
} // namespace migrate
