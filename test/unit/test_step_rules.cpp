// The graph rules that moved from src/pg into the core with the step runner:
// a plan's backfill gates, merge parents, replacing a pending revision, the
// applied set, and how steps are named.
#include "core/applied.hpp"
#include "core/backfill.hpp"
#include "core/merge.hpp"
#include "core/planner.hpp"
#include "core/registration.hpp"
#include "core/step_text.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

namespace migrate {
namespace {

using test::catch_error;
using test::rev;
using test::Strings;

// e1 -> e2 (expand) -> c1 (contract, gated); o1 another base.
RevisionGraph gated_graph() {
  return RevisionGraph({rev("e1"), rev("e2", {"e1"}), rev("c1", {"e2"}), rev("o1")});
}

BackfillProgress progress(std::string name, std::string revision, std::string state) {
  return BackfillProgress{std::move(name), std::move(revision), std::move(state), 2, 200, std::nullopt};
}

std::vector<std::vector<std::string>> gates(const RevisionGraph &g, const std::vector<std::string> &rows,
                                            const std::string &target, const std::map<std::string, BackfillProgress> &p,
                                            bool open, const std::string &gated = "c1",
                                            const std::vector<std::string> &required = {"fill"}) {
  auto steps = Planner(g).upgrade(rows, target);
  std::vector<std::vector<std::string>> req;
  for (const auto &s : steps)
    req.push_back(g.id(s.revision) == gated ? required : std::vector<std::string>{});
  return plan_gates(g, steps, req, p, applied_set(g, rows), open);
}

TEST(PlanGates, OpenGatesListTheBackfillsNotDoneAtTheirStep) {
  auto g = gated_graph();
  auto out = gates(g, {"e2"}, "c1", {{"fill", progress("fill", "e2", "pending")}}, true);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0], Strings{"fill"});
}

TEST(PlanGates, ABackfillDoneIsNoGate) {
  auto g = gated_graph();
  auto out = gates(g, {"e2"}, "c1", {{"fill", progress("fill", "e2", "done")}}, false);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_TRUE(out[0].empty());
}

TEST(PlanGates, TheBackfillsRevisionMayComeEarlierInThePlan) {
  auto g = gated_graph();
  auto out = gates(g, {}, "c1", {{"fill", progress("fill", "e2", "failed")}}, true);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_TRUE(out[0].empty());
  EXPECT_TRUE(out[1].empty());
  EXPECT_EQ(out[2], Strings{"fill"});
}

TEST(PlanGates, OneTransactionRefusesAnyGateNotOpen) {
  auto g = gated_graph();
  auto e = catch_error([&] { gates(g, {}, "c1", {{"fill", progress("fill", "e2", "running")}}, false); });
  ASSERT_TRUE(e);
  EXPECT_STREQ(e->sqlstate(), "55000");
  EXPECT_EQ(std::string(e->what()),
            "revision c1 requires backfill fill to be done; it is running (2 batches, 200 rows)");
  EXPECT_EQ(e->hint().rfind("Upgrade to e2 first", 0), 0u) << e->hint();
  EXPECT_NE(e->hint().find("CALL migrate.run()"), std::string::npos);
}

TEST(PlanGates, NoRunnerOpensAGateWhoseBackfillIsNotReached) {
  // fill belongs to o1, which no step before c1 applies.
  auto g = gated_graph();
  auto e = catch_error([&] { gates(g, {}, "c1", {{"fill", progress("fill", "o1", "pending")}}, true); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->hint(), "Upgrade to o1 first, run CALL migrate.run_backfills(), then upgrade to c1.");
}

TEST(PlanGates, NoRunnerOpensAGateWhoseBackfillIsNotRegistered) {
  auto g = gated_graph();
  auto e = catch_error([&] { gates(g, {"e2"}, "c1", {}, true); });
  ASSERT_TRUE(e);
  EXPECT_STREQ(e->sqlstate(), "42704");
}

TEST(PlanGates, DowngradesHaveNoGates) {
  auto g = gated_graph();
  auto steps = Planner(g).downgrade({"c1"}, "e1");
  std::vector<std::vector<std::string>> req(steps.size(), Strings{"fill"});
  auto out = plan_gates(g, steps, req, {}, applied_set(g, {"c1"}), false);
  for (const auto &gate : out)
    EXPECT_TRUE(gate.empty());
}

TEST(GateText, NamesEachBackfillWithItsProgress) {
  EXPECT_EQ(describe_gate({progress("a", "e1", "pending")}), "backfill a (pending, 2 batches, 200 rows)");
  EXPECT_EQ(describe_gate({progress("a", "e1", "pending"), progress("b", "e1", "failed")}),
            "backfills a (pending, 2 batches, 200 rows), b (failed, 2 batches, 200 rows)");
  BackfillProgress failed = progress("a", "e1", "failed");
  failed.last_error = "22012: division by zero";
  Error e = gate_not_opened("c1", failed);
  EXPECT_STREQ(e.sqlstate(), "55000");
  EXPECT_NE(e.detail().find("Its last batch failed: 22012: division by zero"), std::string::npos);
}

TEST(MergeRules, HeadsOnlyNoDuplicatesAtLeastTwo) {
  RevisionGraph g({rev("a1"), rev("b1", {"a1"}), rev("c1", {"a1"}), rev("d1")});
  auto parents = merge_parents(g, {"heads"});
  EXPECT_EQ(g.ids(parents), (Strings{"b1", "c1", "d1"}));
  EXPECT_NO_THROW(check_merge_parents(g, parents));
  auto dup = catch_error([&] { merge_parents(g, {"b1", "heads"}); });
  ASSERT_TRUE(dup);
  EXPECT_EQ(std::string(dup->what()), "Duplicate head revisions specified");
  EXPECT_TRUE(merge_parents(g, {"base"}).empty()); // base names no revision: "got 0" below
  auto not_head = catch_error([&] { check_merge_parents(g, merge_parents(g, {"a1", "b1"})); });
  ASSERT_TRUE(not_head);
  EXPECT_EQ(std::string(not_head->what()), "Revision a1 is not a head revision");
  auto one = catch_error([&] { check_merge_parents(g, merge_parents(g, {"b1"})); });
  ASSERT_TRUE(one);
  EXPECT_EQ(std::string(one->what()), "a merge needs two or more heads, got 1");
}

TEST(ReplacementRules, AnAppliedRevisionCannotChange) {
  std::vector<RevisionInfo> registered{rev("a1"), rev("b1", {"a1"})};
  auto e = catch_error([&] { check_replacement(registered, {"b1"}, rev("a1", {}, {}, {}, "new"), "old", "new"); });
  ASSERT_TRUE(e);
  EXPECT_STREQ(e->sqlstate(), "55000");
  EXPECT_EQ(e->detail(), "Stored checksum old, new checksum new.");
  EXPECT_NO_THROW(check_replacement(registered, {"a1"}, rev("b1", {"a1"}, {}, {}, "new"), "old", "new"));
}

TEST(ReplacementRules, TheNewVersionMayNotCloseACycle) {
  std::vector<RevisionInfo> registered{rev("a1"), rev("b1", {"a1"})};
  auto e = catch_error([&] { check_replacement(registered, {}, rev("a1", {"b1"}), "old", "new"); });
  ASSERT_TRUE(e);
  EXPECT_STREQ(e->sqlstate(), "42P19");
}

class OneLabel : public CatalogLookup {
public:
  bool revision_exists(const std::string &id) const override { return id == "a1" || id == "b1"; }
  std::optional<std::string> label_owner(const std::string &label) const override {
    return label == "main" ? std::optional<std::string>("a1") : std::nullopt;
  }
};

TEST(ReplacementRules, LabelsFreeOrItsOwn) {
  EXPECT_NO_THROW(check_replacement_labels(rev("a1", {}, {"main"}), OneLabel{}));
  auto taken = catch_error([&] { check_replacement_labels(rev("b1", {"a1"}, {"main"}), OneLabel{}); });
  ASSERT_TRUE(taken);
  EXPECT_STREQ(taken->sqlstate(), "42710");
  auto is_revision = catch_error([&] { check_replacement_labels(rev("b1", {"a1"}, {"a1"}), OneLabel{}); });
  ASSERT_TRUE(is_revision);
  EXPECT_STREQ(is_revision->sqlstate(), "42710");
}

TEST(AppliedSet, RowsAndWhatTheyStandOnDependenciesIncluded) {
  RevisionGraph g({rev("a1"), rev("a2", {"a1"}), rev("b1"), rev("b2", {"b1"}, {}, {"a2"})});
  EXPECT_EQ(test::id_set(g, applied_set(g, {"b2"})), (test::IdSet{"a1", "a2", "b1", "b2"}));
  EXPECT_TRUE(applied_set(g, {}).none());
  auto e = catch_error([&] { applied_set(g, {"zz"}); });
  ASSERT_TRUE(e);
  EXPECT_STREQ(e->sqlstate(), "XX001");
}

TEST(StepText, AlembicsLogLines) {
  RevisionGraph g(
      {rev("a1", {}, {}, {}, "first"), rev("b2", {"a1"}), rev("c3"), rev("m4", {"b2", "c3"}, {}, {}, "join")});
  EXPECT_EQ(describe_step(g, {test::vertex(g, "a1"), true}), "upgrade  -> a1, first");
  EXPECT_EQ(describe_step(g, {test::vertex(g, "m4"), false}), "downgrade m4 -> b2, c3, join");
  EXPECT_EQ(describe_stamp(StampStep{{"a1", "c3"}, {"m4"}, true, false}), "stamp_revision a1, c3 -> m4");
  EXPECT_EQ(describe_stamp(StampStep{{"a1"}, {}, false, true}), "stamp_revision a1 ->");
  EXPECT_EQ(describe_rows({}), "base");
  EXPECT_EQ(describe_rows({"a1", "b2"}), "a1, b2");
}

} // namespace
} // namespace migrate
