// Alembic 1.8.1's tests/test_version_traversal.py, transcribed: the same
// graphs, start states and commands, and the steps and version rows Alembic's
// tests expect. Each test names the Alembic test it comes from
// (class.method). Alembic's random ids (util.rev_id()) are replaced by
// readable ones; revisions are registered in the order Alembic's tests
// generate them. What has no counterpart here: test/alembic_conformance.md.
#include "alembic_support.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace migrate {
namespace {

using namespace alembic_test;

// ------------------------------------------------------------ RevisionPathTest
// a -> b -> c -> d -> e, with Alembic's own ids (prefixes are tested).
const std::string a_ = "e6239818bb3a", b_ = "548bbb905360", c_ = "b7ea43dc85e4", d_ = "1bbe33445780",
                  e_ = "3975fb1a0125";

class RevisionPathTest : public ::testing::Test {
protected:
  RevisionGraph g{{R(a_), R(b_, {a_}), R(c_, {b_}), R(d_, {c_}), R(e_, {d_})}};
  std::string up(const std::string &id) { return "+" + id; }
  std::string down(const std::string &id) { return "-" + id; }
};

// RevisionPathTest.test_downgrade_base_no_version
TEST_F(RevisionPathTest, DowngradeBaseNoVersion) {
  auto m = downgrade(g, "base", {});
  EXPECT_EQ(m.steps, Strings{});
  EXPECT_EQ(m.heads, IdSet{});
}

// RevisionPathTest.test_downgrade_to_existing
TEST_F(RevisionPathTest, DowngradeToExisting) {
  auto m = downgrade(g, a_, {a_});
  EXPECT_EQ(m.steps, Strings{});
  EXPECT_EQ(m.heads, IdSet{a_});
}

// RevisionPathTest.test_downgrade_to_existing_head
TEST_F(RevisionPathTest, DowngradeToExistingHead) {
  auto m = downgrade(g, e_, {e_});
  EXPECT_EQ(m.steps, Strings{});
  EXPECT_EQ(m.heads, IdSet{e_});
}

// RevisionPathTest.test_upgrade_path
TEST_F(RevisionPathTest, UpgradePath) {
  auto m = upgrade(g, e_, {c_});
  EXPECT_EQ(m.steps, (Strings{up(d_), up(e_)}));
  EXPECT_EQ(m.heads, IdSet{e_});
  m = upgrade(g, c_, {});
  EXPECT_EQ(m.steps, (Strings{up(a_), up(b_), up(c_)}));
  EXPECT_EQ(m.heads, IdSet{c_});
}

// RevisionPathTest.test_relative_upgrade_path
TEST_F(RevisionPathTest, RelativeUpgradePath) {
  auto m = upgrade(g, "+2", {a_});
  EXPECT_EQ(m.steps, (Strings{up(b_), up(c_)}));
  EXPECT_EQ(m.heads, IdSet{c_});
  m = upgrade(g, "+1", {a_});
  EXPECT_EQ(m.steps, (Strings{up(b_)}));
  EXPECT_EQ(m.heads, IdSet{b_});
  m = upgrade(g, "+3", {b_});
  EXPECT_EQ(m.steps, (Strings{up(c_), up(d_), up(e_)}));
  EXPECT_EQ(m.heads, IdSet{e_});
  m = upgrade(g, b_ + "+2", {a_});
  EXPECT_EQ(m.steps, (Strings{up(b_), up(c_), up(d_)}));
  EXPECT_EQ(m.heads, IdSet{d_});
  m = upgrade(g, d_ + "-2", {a_});
  EXPECT_EQ(m.steps, (Strings{up(b_)}));
  EXPECT_EQ(m.heads, IdSet{b_});
}

// RevisionPathTest.test_invalid_relative_upgrade_path
TEST_F(RevisionPathTest, InvalidRelativeUpgradePath) {
  expect_refusal([&] { Planner(g).upgrade({b_}, "-2"); }, "Relative revision -2 didn't produce 2 migrations");
  expect_refusal([&] { Planner(g).upgrade({b_}, "+5"); }, "Relative revision +5 didn't produce 5 migrations");
}

// RevisionPathTest.test_downgrade_path
TEST_F(RevisionPathTest, DowngradePath) {
  auto m = downgrade(g, c_, {e_});
  EXPECT_EQ(m.steps, (Strings{down(e_), down(d_)}));
  EXPECT_EQ(m.heads, IdSet{c_});
  m = downgrade(g, "base", {c_}); // Alembic: destination None
  EXPECT_EQ(m.steps, (Strings{down(c_), down(b_), down(a_)}));
  EXPECT_EQ(m.heads, IdSet{});
}

// RevisionPathTest.test_relative_downgrade_path
TEST_F(RevisionPathTest, RelativeDowngradePath) {
  auto m = downgrade(g, "-1", {c_});
  EXPECT_EQ(m.steps, (Strings{down(c_)}));
  EXPECT_EQ(m.heads, IdSet{b_});
  m = downgrade(g, "-3", {e_});
  EXPECT_EQ(m.steps, (Strings{down(e_), down(d_), down(c_)}));
  EXPECT_EQ(m.heads, IdSet{b_});
  m = downgrade(g, a_ + "+2", {d_});
  EXPECT_EQ(m.steps, (Strings{down(d_)}));
  EXPECT_EQ(m.heads, IdSet{c_});
  m = downgrade(g, c_ + "-2", {d_});
  EXPECT_EQ(m.steps, (Strings{down(d_), down(c_), down(b_)}));
  EXPECT_EQ(m.heads, IdSet{a_});
}

// RevisionPathTest.test_invalid_relative_downgrade_path
TEST_F(RevisionPathTest, InvalidRelativeDowngradePath) {
  expect_refusal([&] { Planner(g).downgrade({b_}, "-5"); }, "Relative revision -5 didn't produce 5 migrations");
  expect_refusal([&] { Planner(g).downgrade({b_}, "+2"); }, "Relative revision +2 didn't produce 2 migrations");
}

// RevisionPathTest.test_invalid_move_rev_to_none
TEST_F(RevisionPathTest, InvalidMoveRevToNone) {
  const std::string target = b_.substr(0, 3);
  expect_refusal([&] { Planner(g).downgrade({}, target); },
                 "Destination " + target + " is not a valid downgrade target from current head(s)");
}

// RevisionPathTest.test_invalid_move_higher_to_lower
TEST_F(RevisionPathTest, InvalidMoveHigherToLower) {
  const std::string target = c_.substr(0, 4);
  expect_refusal([&] { Planner(g).downgrade({b_}, target); },
                 "Destination " + target + " is not a valid downgrade target from current head(s)");
}

// RevisionPathTest.test_stamp_to_base
TEST_F(RevisionPathTest, StampToBase) {
  auto s = stamp(g, {"base"}, {d_});
  ASSERT_EQ(s.steps.size(), 1u);
  EXPECT_TRUE(s.steps[0].branch_move && !s.steps[0].upgrade); // should_delete_branch
  EXPECT_EQ(s.changes[0].deleted, Strings{d_});               // delete_version_num
  EXPECT_EQ(s.heads, IdSet{});
}

// ------------------------------------------------------------ BranchedPathTest
// a -> b -> c1 (c1branch) -> d1
//        -> c2 (c2branch) -> d2
class BranchedPathTest : public ::testing::Test {
protected:
  RevisionGraph g{{R("a"), R("b", {"a"}), R("c1", {"b"}, {}, {"c1branch"}), R("d1", {"c1"}),
                   R("c2", {"b"}, {}, {"c2branch"}), R("d2", {"c2"})}};
};

// BranchedPathTest.test_stamp_down_across_multiple_branch_to_branchpoint
TEST_F(BranchedPathTest, StampDownAcrossMultipleBranchToBranchpoint) {
  auto s = stamp(g, {"b"}, {"d1", "c2"});
  ASSERT_EQ(s.steps.size(), 1u);
  EXPECT_EQ(idents(s.changes[0]), (Idents{{"d1"}, "c2", "b"})); // DELETE d1, UPDATE c2 to b
}

// BranchedPathTest.test_stamp_to_labeled_base_multiple_heads
TEST_F(BranchedPathTest, StampToLabeledBaseMultipleHeads) {
  auto s = stamp(g, {"c1branch@base"}, {"d1", "c2"});
  ASSERT_EQ(s.steps.size(), 1u);
  EXPECT_TRUE(s.steps[0].branch_move && !s.steps[0].upgrade);
  EXPECT_EQ(s.changes[0].deleted, Strings{"d1"});
}

// BranchedPathTest.test_stamp_to_labeled_head_multiple_heads
TEST_F(BranchedPathTest, StampToLabeledHeadMultipleHeads) {
  auto s = stamp(g, {"c2branch@head"}, {"d1", "c2"});
  ASSERT_EQ(s.steps.size(), 1u);
  EXPECT_EQ(idents(s.changes[0]), (Idents{{}, "c2", "d2"})); // c1branch unchanged
}

// BranchedPathTest.test_upgrade_single_branch
TEST_F(BranchedPathTest, UpgradeSingleBranch) {
  auto m = upgrade(g, "d1", {"b"});
  EXPECT_EQ(m.steps, (Strings{"+c1", "+d1"}));
  EXPECT_EQ(m.heads, IdSet{"d1"});
}

// BranchedPathTest.test_upgrade_multiple_branch
TEST_F(BranchedPathTest, UpgradeMultipleBranch) {
  auto m = upgrade(g, Strings{"d1", "d2"}, {"a"});
  EXPECT_EQ(m.steps, (Strings{"+b", "+c2", "+d2", "+c1", "+d1"}));
  EXPECT_EQ(m.heads, (IdSet{"d1", "d2"}));
}

// BranchedPathTest.test_downgrade_multiple_branch
TEST_F(BranchedPathTest, DowngradeMultipleBranch) {
  auto m = downgrade(g, "a", {"d1", "d2"});
  EXPECT_EQ(m.steps, (Strings{"-d1", "-c1", "-d2", "-c2", "-b"}));
  EXPECT_EQ(m.heads, IdSet{"a"});
}

// BranchedPathTest.test_relative_upgrade
TEST_F(BranchedPathTest, RelativeUpgrade) {
  auto m = upgrade(g, "c2branch@head-1", {"b"});
  EXPECT_EQ(m.steps, (Strings{"+c2"}));
  EXPECT_EQ(m.heads, IdSet{"c2"});
}

// BranchedPathTest.test_relative_downgrade_baseplus2
TEST_F(BranchedPathTest, RelativeDowngradeBasePlus2) {
  auto m = downgrade(g, "base+2", {"d2", "d1"});
  EXPECT_EQ(m.steps, (Strings{"-d1", "-c1", "-d2", "-c2"}));
  EXPECT_EQ(m.heads, IdSet{"b"});
}

// BranchedPathTest.test_relative_downgrade_branchplus2
TEST_F(BranchedPathTest, RelativeDowngradeBranchPlus2) {
  auto m = downgrade(g, "c2branch@base+2", {"d2", "d1"});
  EXPECT_EQ(m.steps, (Strings{"-d2", "-c2"}));
  EXPECT_EQ(m.heads, IdSet{"d1"});
}

// BranchedPathTest.test_relative_downgrade_branchplus3
TEST_F(BranchedPathTest, RelativeDowngradeBranchPlus3) {
  auto m = downgrade(g, "c2", {"d2", "d1"});
  EXPECT_EQ(m.steps, (Strings{"-d2"}));
  EXPECT_EQ(m.heads, (IdSet{"d1", "c2"}));
  m = downgrade(g, "c2branch@base+3", {"d2", "d1"});
  EXPECT_EQ(m.steps, (Strings{"-d2"}));
  EXPECT_EQ(m.heads, (IdSet{"d1", "c2"}));
}

// BranchedPathTest.test_downgrade_once_order_right (Alembic also warns:
// downgrade -1 from multiple heads is ambiguous; it takes the first row)
TEST_F(BranchedPathTest, DowngradeOnceOrderRight) {
  auto m = downgrade(g, "-1", {"d2", "d1"});
  EXPECT_EQ(m.steps, (Strings{"-d2"}));
  EXPECT_EQ(m.heads, (IdSet{"d1", "c2"}));
}

// BranchedPathTest.test_downgrade_once_order_right_unbalanced
TEST_F(BranchedPathTest, DowngradeOnceOrderRightUnbalanced) {
  auto m = downgrade(g, "-1", {"c2", "d1"});
  EXPECT_EQ(m.steps, (Strings{"-c2"}));
  EXPECT_EQ(m.heads, IdSet{"d1"});
}

// BranchedPathTest.test_downgrade_once_order_left
TEST_F(BranchedPathTest, DowngradeOnceOrderLeft) {
  auto m = downgrade(g, "-1", {"d1", "d2"});
  EXPECT_EQ(m.steps, (Strings{"-d1"}));
  EXPECT_EQ(m.heads, (IdSet{"d2", "c1"}));
}

// BranchedPathTest.test_downgrade_once_order_left_unbalanced
TEST_F(BranchedPathTest, DowngradeOnceOrderLeftUnbalanced) {
  auto m = downgrade(g, "-1", {"c1", "d2"});
  EXPECT_EQ(m.steps, (Strings{"-c1"}));
  EXPECT_EQ(m.heads, IdSet{"d2"});
}

// BranchedPathTest.test_downgrade_once_order_left_unbalanced_labelled
TEST_F(BranchedPathTest, DowngradeOnceOrderLeftUnbalancedLabelled) {
  auto m = downgrade(g, "c1branch@-1", {"d1", "d2"});
  EXPECT_EQ(m.steps, (Strings{"-d1"}));
  EXPECT_EQ(m.heads, (IdSet{"c1", "d2"}));
}

// BranchedPathTest.test_downgrade_relative_order_right
TEST_F(BranchedPathTest, DowngradeRelativeOrderRight) {
  auto m = downgrade(g, "d2-1", {"d2", "c1"});
  EXPECT_EQ(m.steps, (Strings{"-d2"}));
  EXPECT_EQ(m.heads, (IdSet{"c1", "c2"}));
}

// BranchedPathTest.test_downgrade_relative_order_left
TEST_F(BranchedPathTest, DowngradeRelativeOrderLeft) {
  auto m = downgrade(g, "d2-1", {"c1", "d2"});
  EXPECT_EQ(m.steps, (Strings{"-d2"}));
  EXPECT_EQ(m.heads, (IdSet{"c1", "c2"}));
}

// BranchedPathTest.test_downgrade_single_branch_c1branch
TEST_F(BranchedPathTest, DowngradeSingleBranchC1branch) {
  auto m = downgrade(g, "c1branch@b", {"c1", "d2"});
  EXPECT_EQ(m.steps, (Strings{"-c1"}));
  EXPECT_EQ(m.heads, IdSet{"d2"});
}

// BranchedPathTest.test_downgrade_single_branch_c1branch_from_d1_head
TEST_F(BranchedPathTest, DowngradeSingleBranchC1branchFromD1Head) {
  auto m = downgrade(g, "c2branch@b", {"c1", "d2"});
  EXPECT_EQ(m.steps, (Strings{"-d2", "-c2"}));
  EXPECT_EQ(m.heads, IdSet{"c1"});
}

// BranchedPathTest.test_downgrade_single_branch_c2
TEST_F(BranchedPathTest, DowngradeSingleBranchC2) {
  auto m = downgrade(g, "c2@b", {"d1", "d2"});
  EXPECT_EQ(m.steps, (Strings{"-d2", "-c2"}));
  EXPECT_EQ(m.heads, IdSet{"d1"});
}

// BranchedPathTest.test_downgrade_single_branch_d1
TEST_F(BranchedPathTest, DowngradeSingleBranchD1) {
  auto m = downgrade(g, "d1@b", {"d1", "d2"});
  EXPECT_EQ(m.steps, (Strings{"-d1", "-c1"}));
  EXPECT_EQ(m.heads, IdSet{"d2"});
}

// BranchedPathTest.test_downgrade_relative_to_branch_head
TEST_F(BranchedPathTest, DowngradeRelativeToBranchHead) {
  auto m = downgrade(g, "c1branch@head-1", {"d1", "d2"});
  EXPECT_EQ(m.steps, (Strings{"-d1"}));
  EXPECT_EQ(m.heads, (IdSet{"c1", "d2"}));
}

// BranchedPathTest.test_upgrade_other_branch_from_mergepoint
TEST_F(BranchedPathTest, UpgradeOtherBranchFromMergepoint) {
  auto m = upgrade(g, "c2branch@+1", {"c1"});
  EXPECT_EQ(m.steps, (Strings{"+c2"}));
  EXPECT_EQ(m.heads, (IdSet{"c1", "c2"}));
}

// BranchedPathTest.test_upgrade_one_branch_of_heads
TEST_F(BranchedPathTest, UpgradeOneBranchOfHeads) {
  auto m = upgrade(g, "c2branch@+1", {"c1", "c2"});
  EXPECT_EQ(m.steps, (Strings{"+d2"}));
  EXPECT_EQ(m.heads, (IdSet{"c1", "d2"}));
}

// BranchedPathTest.test_ambiguous_upgrade
TEST_F(BranchedPathTest, AmbiguousUpgrade) {
  expect_refusal([&] { Planner(g).upgrade({"c1", "c2"}, "+1"); }, "Ambiguous upgrade from multiple current revisions");
}

// BranchedPathTest.test_upgrade_from_base
TEST_F(BranchedPathTest, UpgradeFromBase) {
  auto m = upgrade(g, "base+1", {});
  EXPECT_EQ(m.steps, (Strings{"+a"}));
  EXPECT_EQ(m.heads, IdSet{"a"});
}

// BranchedPathTest.test_upgrade_from_base_implicit
TEST_F(BranchedPathTest, UpgradeFromBaseImplicit) {
  auto m = upgrade(g, "+1", {});
  EXPECT_EQ(m.steps, (Strings{"+a"}));
  EXPECT_EQ(m.heads, IdSet{"a"});
}

// BranchedPathTest.test_downgrade_minus1_to_base
TEST_F(BranchedPathTest, DowngradeMinus1ToBase) {
  auto m = downgrade(g, "-1", {"a"});
  EXPECT_EQ(m.steps, (Strings{"-a"}));
  EXPECT_EQ(m.heads, IdSet{});
}

// BranchedPathTest.test_downgrade_minus1_from_base
TEST_F(BranchedPathTest, DowngradeMinus1FromBase) {
  expect_refusal([&] { Planner(g).downgrade({}, "-1"); }, "Relative revision -1 didn't produce 1 migrations");
}

// BranchedPathTest.test_downgrade_no_effect_branched
TEST_F(BranchedPathTest, DowngradeNoEffectBranched) {
  auto m = downgrade(g, "c2", {"d1", "c2"});
  EXPECT_EQ(m.steps, Strings{});
  EXPECT_EQ(m.heads, (IdSet{"d1", "c2"}));
  m = downgrade(g, "d1", {"d1", "c2"});
  EXPECT_EQ(m.steps, Strings{});
  EXPECT_EQ(m.heads, (IdSet{"d1", "c2"}));
}

// --------------------------------------------------- BranchFromMergepointTest
// a1 -> b1 -> c1 -+-> d1 (merge of c1, c2)
// a2 -> b2 -> c2 -+-> d2
RevisionGraph branch_from_mergepoint() {
  return RevisionGraph({R("a1"), R("b1", {"a1"}), R("c1", {"b1"}), R("a2"), R("b2", {"a2"}), R("c2", {"b2"}),
                        R("d1", {"c1", "c2"}), R("d2", {"c2"})});
}

// BranchFromMergepointTest.test_mergepoint_to_only_one_side_upgrade
TEST(BranchFromMergepointTest, MergepointToOnlyOneSideUpgrade) {
  auto g = branch_from_mergepoint();
  auto m = upgrade(g, "d1", {"d2", "b1"});
  EXPECT_EQ(m.steps, (Strings{"+c1", "+d1"}));
  EXPECT_EQ(m.heads, (IdSet{"d2", "d1"}));
}

// BranchFromMergepointTest.test_mergepoint_to_only_one_side_downgrade
TEST(BranchFromMergepointTest, MergepointToOnlyOneSideDowngrade) {
  auto g = branch_from_mergepoint();
  auto m = downgrade(g, "b1", {"d2", "d1"});
  EXPECT_EQ(m.steps, (Strings{"-d1", "-c1"}));
  EXPECT_EQ(m.heads, (IdSet{"d2", "b1"}));
}

// ----------------------------------------------- BranchFrom3WayMergepointTest
// three lines a*-b*-c*, d1 merges c1, c2, c3; c2 goes on to d2, c3 to d3.
RevisionGraph branch_from_3way_mergepoint() {
  return RevisionGraph({R("a1"), R("b1", {"a1"}), R("c1", {"b1"}), R("a2"), R("b2", {"a2"}), R("c2", {"b2"}), R("a3"),
                        R("b3", {"a3"}), R("c3", {"b3"}), R("d1", {"c1", "c2", "c3"}), R("d2", {"c2"}),
                        R("d3", {"c3"})});
}

// BranchFrom3WayMergepointTest.test_mergepoint_to_only_one_side_upgrade
TEST(BranchFrom3WayMergepointTest, MergepointToOnlyOneSideUpgrade) {
  auto g = branch_from_3way_mergepoint();
  auto m = upgrade(g, "d1", {"d3", "d2", "b1"});
  EXPECT_EQ(m.steps, (Strings{"+c1", "+d1"}));
  EXPECT_EQ(m.heads, (IdSet{"d3", "d2", "d1"}));
}

// BranchFrom3WayMergepointTest.test_mergepoint_to_only_one_side_downgrade
TEST(BranchFrom3WayMergepointTest, MergepointToOnlyOneSideDowngrade) {
  auto g = branch_from_3way_mergepoint();
  auto m = downgrade(g, "b1", {"d3", "d2", "d1"});
  EXPECT_EQ(m.steps, (Strings{"-d1", "-c1"}));
  EXPECT_EQ(m.heads, (IdSet{"d3", "d2", "b1"}));
}

// BranchFrom3WayMergepointTest.test_mergepoint_to_two_sides_upgrade
TEST(BranchFrom3WayMergepointTest, MergepointToTwoSidesUpgrade) {
  auto g = branch_from_3way_mergepoint();
  auto m = upgrade(g, "d1", {"d3", "b2", "b1"});
  EXPECT_EQ(m.steps, (Strings{"+c2", "+c1", "+d1"}));
  EXPECT_EQ(m.heads, (IdSet{"d3", "d1"})); // b2 and b1 merge into d1
  m = upgrade(g, "d2", {"d3", "d1"});      // and b2's line breaks out again
  EXPECT_EQ(m.steps, (Strings{"+d2"}));
  EXPECT_EQ(m.heads, (IdSet{"d3", "d2", "d1"}));
}

// HeadMaintainer fed one step at a time, from `start`: the rows after each.
std::vector<IdSet> rows_per_step(const RevisionGraph &g, const Strings &start, const Strings &upgrades) {
  VersionRows rows(g, start);
  std::vector<IdSet> out;
  for (const auto &id : upgrades) {
    rows.apply(RevisionStep{test::vertex(g, id), true});
    auto r = rows.rows();
    out.emplace_back(r.begin(), r.end());
  }
  return out;
}

// ------------------------------------------------------------- TwinMergeTest
// a -> b1, b2, b3; c1 and c2 both merge b1, b2, b3; c1 -> d1, c2 -> d2.
// TwinMergeTest.test_upgrade
TEST(TwinMergeTest, Upgrade) {
  RevisionGraph g({R("a"), R("b1", {"a"}), R("b2", {"a"}), R("b3", {"a"}), R("c1", {"b1", "b2", "b3"}),
                   R("c2", {"b1", "b2", "b3"}), R("d1", {"c1"}), R("d2", {"c2"})});
  auto rows = rows_per_step(g, {"a"}, {"b3", "b1", "b2", "c2", "d2", "c1", "d1"});
  std::vector<IdSet> expected{{"b3"}, {"b1", "b3"}, {"b1", "b2", "b3"}, {"c2"}, {"d2"}, {"c1", "d2"}, {"d1", "d2"}};
  EXPECT_EQ(rows, expected);
}

// ------------------------------------------------------ NotQuiteTwinMergeTest
// a -> b1, b2, b3; c1 merges b1, b2; c2 merges b2, b3; c1 -> d1, c2 -> d2.
// NotQuiteTwinMergeTest.test_upgrade
TEST(NotQuiteTwinMergeTest, Upgrade) {
  RevisionGraph g({R("a"), R("b1", {"a"}), R("b2", {"a"}), R("b3", {"a"}), R("c1", {"b1", "b2"}), R("c2", {"b2", "b3"}),
                   R("d1", {"c1"}), R("d2", {"c2"})});
  auto rows = rows_per_step(g, {"a"}, {"b2", "b3", "c2", "d2", "b1", "c1", "d1"});
  std::vector<IdSet> expected{{"b2"}, {"b2", "b3"}, {"c2"}, {"d2"}, {"b1", "d2"}, {"c1", "d2"}, {"d1", "d2"}};
  EXPECT_EQ(rows, expected);
}

// ---------------------------------------------------- DependsOnBranchTestOne
// a1 (lib1) -> b1 -> c1 -> d1 -> e1 -> f1; a2 -> b2 -> c2, c2 depends on c1.
RevisionGraph depends_on_branch_one() {
  return RevisionGraph({R("a1", {}, {}, {"lib1"}), R("b1", {"a1"}), R("c1", {"b1"}), R("a2"), R("b2", {"a2"}),
                        R("c2", {"b2"}, {"c1"}), R("d1", {"c1"}), R("e1", {"d1"}), R("f1", {"e1"})});
}

// DependsOnBranchTestOne.test_downgrade_to_dependency
TEST(DependsOnBranchTestOne, DowngradeToDependency) {
  auto g = depends_on_branch_one();
  VersionRows rows(g, {"c2", "d1"});
  rows.apply(RevisionStep{test::vertex(g, "d1"), false});
  EXPECT_EQ(rows.rows(), Strings{"c2"});
}

// DependsOnBranchTestOne.test_stamp_across_dependency
TEST(DependsOnBranchTestOne, StampAcrossDependency) {
  auto g = depends_on_branch_one();
  EXPECT_EQ(stamp(g, {"b1"}, {"e1", "c2"}).heads, IdSet{"b1"});
}

// ---------------------------------------------------- DependsOnBranchTestTwo
// a1, a2, a3 -> amerge; b1, b2 -> bmerge; c1, c2, c3 -> cmerge; d1 (a base)
// depends on a3, b2, c1.
// DependsOnBranchTestTwo.test_kaboom
TEST(DependsOnBranchTestTwo, Kaboom) {
  RevisionGraph g({R("a1"), R("a2"), R("a3"), R("amerge", {"a1", "a2", "a3"}), R("b1"), R("b2"),
                   R("bmerge", {"b1", "b2"}), R("c1"), R("c2"), R("c3"), R("cmerge", {"c1", "c2", "c3"}),
                   R("d1", {}, {"a3", "b2", "c1"})});
  auto m = downgrade(g, "b2", {"amerge", "bmerge", "cmerge", "d1"});
  EXPECT_EQ(m.steps, (Strings{"-bmerge"}));
  EXPECT_EQ(m.heads, (IdSet{"amerge", "b1", "cmerge", "d1"})); // d1 implies b2

  m = downgrade(g, "d1@base", {"amerge", "d1", "b1", "cmerge"});
  EXPECT_EQ(m.steps, (Strings{"-d1"}));
  EXPECT_EQ(m.heads, (IdSet{"amerge", "b1", "b2", "cmerge"})); // b2 inserted: d1 implied it

  m = downgrade(g, "base", {"amerge", "b1", "b2", "cmerge"});
  EXPECT_EQ(m.steps, (Strings{"-amerge", "-a1", "-b1", "-b2", "-cmerge", "-c1", "-a2", "-a3", "-c2", "-c3"}));
  EXPECT_EQ(m.heads, IdSet{});
}

// -------------------------------------------------- DependsOnBranchTestThree
// a1 -> a2 -> a3 (a3 depends on b1); b1 -> b2 -> b3 (b2 depends on a2).
// DependsOnBranchTestThree.test_downgrade_over_crisscross
TEST(DependsOnBranchTestThree, DowngradeOverCrisscross) {
  RevisionGraph g(
      {R("a1"), R("a2", {"a1"}), R("b1"), R("b2", {"b1"}, {"a2"}), R("b3", {"b2"}), R("a3", {"a2"}, {"b1"})});
  auto m = downgrade(g, "b1", {"a3", "b2"});
  EXPECT_EQ(m.steps, (Strings{"-b2"}));
  EXPECT_EQ(m.heads, IdSet{"a3"}); // b1 is implied by a3
}

// --------------------------------------------------- DependsOnOwnDownrevTest
// a1 -> a2, which also depends on a1.
RevisionGraph depends_on_own_downrev() {
  return RevisionGraph({R("a1"), R("a2", {"a1"}, {"a1"})});
}

// DependsOnOwnDownrevTest.test_traverse
TEST(DependsOnOwnDownrevTest, Traverse) {
  auto m = upgrade(depends_on_own_downrev(), "a2", {});
  EXPECT_EQ(m.steps, (Strings{"+a1", "+a2"}));
  EXPECT_EQ(m.heads, IdSet{"a2"});
}

// DependsOnOwnDownrevTest.test_traverse_down
TEST(DependsOnOwnDownrevTest, TraverseDown) {
  auto m = downgrade(depends_on_own_downrev(), "a1", {"a2"});
  EXPECT_EQ(m.steps, (Strings{"-a2"}));
  EXPECT_EQ(m.heads, IdSet{"a1"});
}

// --------------------------------------------------- DependsOnBranchTestFour
// a1 -> a2 -> a3; b1 -> b2 (depends a3) -> b3 -> b4 (depends a3).
// DependsOnBranchTestFour.test_dependencies_are_normalized
TEST(DependsOnBranchTestFour, DependenciesAreNormalized) {
  RevisionGraph g({R("a1"), R("a2", {"a1"}), R("a3", {"a2"}), R("b1"), R("b2", {"b1"}, {"a3"}), R("b3", {"b2"}),
                   R("b4", {"b3"}, {"a3"})});
  auto m = downgrade(g, "b3", {"b4"});
  EXPECT_EQ(m.steps, (Strings{"-b4"}));
  EXPECT_EQ(m.heads, IdSet{"b3"}); // not a3: b3 still implies it
}

// --------------------------------------------------- DependsOnBranchLabelTest
// a1 (lib1) -> b1 -> c1 (c1lib) -> d1 -> e1 -> f1; a2 -> b2 -> c2, which
// depends on the label c1lib.
// DependsOnBranchLabelTest.test_upgrade_path
TEST(DependsOnBranchLabelTest, UpgradePath) {
  RevisionGraph g({R("a1", {}, {}, {"lib1"}), R("b1", {"a1"}), R("c1", {"b1"}, {}, {"c1lib"}), R("a2"), R("b2", {"a2"}),
                   R("c2", {"b2"}, {"c1lib"}), R("d1", {"c1"}), R("e1", {"d1"}), R("f1", {"e1"})});
  auto m = upgrade(g, "c2", {"a2"});
  EXPECT_EQ(m.steps, (Strings{"+a1", "+b1", "+c1", "+b2", "+c2"}));
  EXPECT_EQ(m.heads, IdSet{"c2"});
}

// ----------------------------------------------------------------- ForestTest
// a1 -> b1; a2 -> b2.
RevisionGraph forest() {
  return RevisionGraph({R("a1"), R("b1", {"a1"}), R("a2"), R("b2", {"a2"})});
}

// ForestTest.test_base_to_heads
TEST(ForestTest, BaseToHeads) {
  EXPECT_EQ(upgrade(forest(), "heads", {}).steps, (Strings{"+a2", "+b2", "+a1", "+b1"}));
}

// ForestTest.test_stamp_to_heads
TEST(ForestTest, StampToHeads) {
  auto s = stamp(forest(), {"heads"}, {});
  ASSERT_EQ(s.steps.size(), 2u);
  std::set<Strings> to;
  for (const auto &step : s.steps)
    to.insert(step.to);
  EXPECT_EQ(to, (std::set<Strings>{{"b1"}, {"b2"}}));
}

// ForestTest.test_stamp_to_heads_no_moves_needed
TEST(ForestTest, StampToHeadsNoMovesNeeded) {
  EXPECT_EQ(stamp(forest(), {"heads"}, {"b1", "b2"}).steps.size(), 0u);
}

// ------------------------------------------------------------- MergedPathTest
// a -> b -> c1 -> d1 -+-> e (merge) -> f
//        -> c2 (c2branch) -> d2 -+
class MergedPathTest : public ::testing::Test {
protected:
  RevisionGraph g{{R("a"), R("b", {"a"}), R("c1", {"b"}), R("d1", {"c1"}), R("c2", {"b"}, {}, {"c2branch"}),
                   R("d2", {"c2"}), R("e", {"d1", "d2"}), R("f", {"e"})}};
  Idents one_stamp(const Strings &targets, const Strings &heads) {
    auto s = stamp(g, targets, heads);
    EXPECT_EQ(s.steps.size(), 1u);
    return s.changes.empty() ? Idents{} : idents(s.changes.front());
  }
};

// MergedPathTest.test_stamp_down_across_merge_point_branch
TEST_F(MergedPathTest, StampDownAcrossMergePointBranch) {
  EXPECT_EQ(one_stamp({"c2"}, {"e"}), (Idents{{}, "e", "c2"}));
}

// MergedPathTest.test_stamp_down_across_merge_prior_branching
TEST_F(MergedPathTest, StampDownAcrossMergePriorBranching) {
  EXPECT_EQ(one_stamp({"a"}, {"e"}), (Idents{{}, "e", "a"}));
}

// MergedPathTest.test_stamp_up_across_merge_from_single_branch
TEST_F(MergedPathTest, StampUpAcrossMergeFromSingleBranch) {
  EXPECT_EQ(one_stamp({"e"}, {"c2"}), (Idents{{}, "c2", "e"}));
}

// MergedPathTest.test_stamp_labled_head_across_merge_from_multiple_branch
TEST_F(MergedPathTest, StampLabledHeadAcrossMergeFromMultipleBranch) {
  EXPECT_EQ(one_stamp({"c2branch@head"}, {"d1", "c2"}), (Idents{{"d1"}, "c2", "f"}));
}

// MergedPathTest.test_stamp_up_across_merge_from_multiple_branch
TEST_F(MergedPathTest, StampUpAcrossMergeFromMultipleBranch) {
  EXPECT_EQ(one_stamp({"e"}, {"d1", "c2"}), (Idents{{"d1"}, "c2", "e"}));
}

// MergedPathTest.test_stamp_up_across_merge_prior_branching
TEST_F(MergedPathTest, StampUpAcrossMergePriorBranching) {
  EXPECT_EQ(one_stamp({"e"}, {"b"}), (Idents{{}, "b", "e"}));
}

// MergedPathTest.test_upgrade_across_merge_point
TEST_F(MergedPathTest, UpgradeAcrossMergePoint) {
  EXPECT_EQ(upgrade(g, "f", {"b"}).steps, (Strings{"+c2", "+d2", "+c1", "+d1", "+e", "+f"}));
}

// MergedPathTest.test_downgrade_across_merge_point
TEST_F(MergedPathTest, DowngradeAcrossMergePoint) {
  EXPECT_EQ(downgrade(g, "b", {"f"}).steps, (Strings{"-f", "-e", "-d1", "-c1", "-d2", "-c2"}));
}

// ------------------------------------------- BranchedPathTestCrossDependencies
// a -> b -> c1 (c1branch) -> d1
//        -> c2 (c2branch) -> d2, which depends on c1
class BranchedPathTestCrossDependencies : public ::testing::Test {
protected:
  RevisionGraph g{{R("a"), R("b", {"a"}), R("c1", {"b"}, {}, {"c1branch"}), R("d1", {"c1"}),
                   R("c2", {"b"}, {}, {"c2branch"}), R("d2", {"c2"}, {"c1"})}};
};

// BranchedPathTestCrossDependencies.test_downgrade_independent_branch
TEST_F(BranchedPathTestCrossDependencies, DowngradeIndependentBranch) {
  auto m = downgrade(g, "c2branch@b", {"d1", "d2"});
  EXPECT_EQ(m.steps, (Strings{"-d2", "-c2"}));
  EXPECT_EQ(m.heads, IdSet{"d1"});
}

// BranchedPathTestCrossDependencies.test_downgrade_branch_dependency
TEST_F(BranchedPathTestCrossDependencies, DowngradeBranchDependency) {
  auto m = downgrade(g, "c1branch@b", {"d1", "d2"});
  EXPECT_EQ(IdSet(m.steps.begin(), m.steps.end()), (IdSet{"-c1", "-d1", "-d2"}));
  auto at = [&](const std::string &s) { return std::find(m.steps.begin(), m.steps.end(), s) - m.steps.begin(); };
  EXPECT_LT(at("-d1"), at("-c1"));
  EXPECT_LT(at("-d2"), at("-c1"));
  EXPECT_EQ(m.heads, IdSet{"c2"});
}

} // namespace
} // namespace migrate
