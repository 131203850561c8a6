#include "core/backfill.hpp"

#include <gtest/gtest.h>

namespace migrate {
namespace {

BackfillSpec spec(BackfillLimits limits = {}) {
  return BackfillSpec{"fill_x", "e1", "UPDATE t SET x = 1 WHERE x IS NULL", limits};
}

std::optional<Error> refusal(const BackfillSpec &s) {
  try {
    check_backfill_spec(s);
  } catch (const Error &e) {
    return e;
  }
  return std::nullopt;
}

TEST(BackfillSpec, ValidSpecsPass) {
  EXPECT_FALSE(refusal(spec()));
  EXPECT_FALSE(refusal(spec({1000, 5, 60'000'000})));
}

TEST(BackfillSpec, RefusesBadNamesSqlAndLimits) {
  auto bad_name = spec();
  bad_name.name = "fill x";
  auto reserved = spec();
  reserved.name = "heads";
  auto bad_revision = spec();
  bad_revision.revision = "";
  auto blank = spec();
  blank.batch_sql = " \n\t";
  for (const auto &s : {bad_name, reserved, bad_revision, blank, spec({-1, {}, {}}), spec({0, 0, {}}), spec({0, {}, 0}),
                        spec({0, {}, -5})}) {
    auto e = refusal(s);
    ASSERT_TRUE(e) << s.name << " / " << s.batch_sql;
    EXPECT_STREQ(e->sqlstate(), "22023") << e->what();
  }
}

TEST(BackfillCanonicalForm, CoversWhatItDoesNotHowFast) {
  auto a = spec();
  auto tuned = spec({500, 3, 1'000'000});
  EXPECT_EQ(backfill_canonical_form(a), backfill_canonical_form(tuned));
  auto other_sql = spec();
  other_sql.batch_sql += " ";
  auto other_revision = spec();
  other_revision.revision = "e2";
  EXPECT_NE(backfill_canonical_form(a), backfill_canonical_form(other_sql));
  EXPECT_NE(backfill_canonical_form(a), backfill_canonical_form(other_revision));
  // Length-prefixed: moving characters between fields changes the form.
  BackfillSpec x{"ab", "c", "d", {}}, y{"a", "bc", "d", {}};
  EXPECT_NE(backfill_canonical_form(x), backfill_canonical_form(y));
}

TEST(BackfillGate, UnregisteredBackfill) {
  Error e = gate_refusal("c1", "fill_y", std::nullopt, BackfillReach::not_reached);
  EXPECT_STREQ(e.sqlstate(), "42704");
  EXPECT_EQ(std::string(e.what()), "revision c1 requires backfill fill_y, which is not registered");
}

TEST(BackfillGate, NamesStateAndProgress) {
  BackfillProgress p{"fill_y", "e1", "running", 1, 10000, std::nullopt};
  Error e = gate_refusal("c1", "fill_y", p, BackfillReach::applied);
  EXPECT_STREQ(e.sqlstate(), "55000");
  EXPECT_EQ(std::string(e.what()),
            "revision c1 requires backfill fill_y to be done; it is running (1 batch, 10000 rows)");
  EXPECT_EQ(e.detail(), "Nothing was run. Backfill fill_y belongs to revision e1.");
  EXPECT_NE(e.hint().find("CALL migrate.run_backfills()"), std::string::npos);
}

TEST(BackfillGate, FailedBackfillShowsItsError) {
  BackfillProgress p{"fill_y", "e1", "failed", 2, 20, std::string("22012: division by zero")};
  Error e = gate_refusal("c1", "fill_y", p, BackfillReach::applied);
  EXPECT_NE(e.detail().find("Its last batch failed: 22012: division by zero"), std::string::npos);
}

TEST(BackfillGate, RevisionNotAppliedSaysUpgradeFirst) {
  BackfillProgress p{"fill_y", "e1", "pending", 0, 0, std::nullopt};
  Error e = gate_refusal("c1", "fill_y", p, BackfillReach::not_reached);
  EXPECT_EQ(e.hint(), "Upgrade to e1 first, run CALL migrate.run_backfills(), then upgrade to c1.");
}

TEST(RunBudget, NoLimitsNeverStops) {
  RunBudget b({}, 0, std::nullopt);
  EXPECT_FALSE(b.exhausted(1'000'000, 1'000'000'000'000));
}

TEST(RunBudget, MaxBatchesPerCall) {
  RunBudget b({0, 3, {}}, 0, std::nullopt);
  EXPECT_FALSE(b.exhausted(2, 0));
  auto why = b.exhausted(3, 0);
  ASSERT_TRUE(why);
  EXPECT_EQ(*why, "its max_batches (3) for one call");
}

TEST(RunBudget, MaxDurationCountsFromTheBackfillsStart) {
  RunBudget b({0, {}, 1'500'000}, 10'000'000, std::nullopt);
  EXPECT_FALSE(b.exhausted(5, 11'499'999));
  auto why = b.exhausted(5, 11'500'000);
  ASSERT_TRUE(why);
  EXPECT_EQ(*why, "its max_duration (1.500 s) for one call");
}

TEST(RunBudget, CallDeadlineStopsEveryBackfill) {
  RunBudget b({0, 100, 60'000'000}, 0, 2'000'000);
  EXPECT_FALSE(b.exhausted(1, 1'999'999));
  auto why = b.exhausted(1, 2'000'000);
  ASSERT_TRUE(why);
  EXPECT_EQ(*why, "the call's max_duration");
}

} // namespace
} // namespace migrate
