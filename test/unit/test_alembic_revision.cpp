// Alembic 1.8.1's tests/test_revision.py, transcribed: RevisionMap's graph
// queries, target resolution and iterate_revisions (the order history() lists
// a range in), on the same graphs with the same expectations. Each test names
// the Alembic test it comes from (class.method). iterate_revisions with
// select_for_downgrade=True is what a downgrade runs: those cases go through
// Planner::downgrade. What has no counterpart here:
// test/alembic_conformance.md.
#include "alembic_support.hpp"

#include "core/history.hpp"

#include <gtest/gtest.h>

#include <map>
#include <random>

namespace migrate {
namespace {

using namespace alembic_test;
using test::catch_error;
using test::id_set;

std::string one(const RevisionGraph &g, const std::string &spec) {
  auto v = TargetResolver(g).revision(spec);
  return v ? g.id(*v) : "<none>";
}

Strings many(const RevisionGraph &g, const std::string &spec) {
  Strings out;
  for (const Node &n : TargetResolver(g).revisions(Spec{spec}))
    out.push_back(n.is_revision() ? g.id(n.vertex) : "<none>");
  return out;
}

// A downgrade from `upper` to `lower`: iterate_revisions(upper, lower,
// select_for_downgrade=True), which _downgrade_revs runs.
Strings downgrade_steps(const RevisionGraph &g, const Spec &upper, const std::string &lower) {
  Strings rows;
  for (const Node &n : TargetResolver(g).revisions(upper))
    rows.push_back(g.id(n.vertex));
  Strings out;
  for (const auto &s : Planner(g).downgrade(rows, lower))
    out.push_back(g.id(s.revision));
  return out;
}

// -------------------------------------------------------------------- APITest
RevisionGraph abc() {
  return RevisionGraph({R("a"), R("b", {"a"}), R("c", {"b"})});
}
RevisionGraph two_heads() {
  return RevisionGraph({R("a"), R("b", {"a"}), R("c1", {"b"}), R("c2", {"b"})});
}

// APITest.test_add_revision_one_head
TEST(APITest, AddRevisionOneHead) {
  auto g = abc();
  EXPECT_EQ(g.ids(g.heads()), Strings{"c"});
  RevisionGraph more({R("a"), R("b", {"a"}), R("c", {"b"}), R("d", {"c"})});
  EXPECT_EQ(more.ids(more.heads()), Strings{"d"});
}

// APITest.test_add_revision_two_head
TEST(APITest, AddRevisionTwoHead) {
  auto g = two_heads();
  EXPECT_EQ(g.ids(g.heads()), (Strings{"c1", "c2"}));
  RevisionGraph more({R("a"), R("b", {"a"}), R("c1", {"b"}), R("c2", {"b"}), R("d1", {"c1"})});
  EXPECT_EQ(more.ids(more.heads()), (Strings{"c2", "d1"}));
}

// APITest.test_get_revision_head_single
TEST(APITest, GetRevisionHeadSingle) {
  EXPECT_EQ(one(abc(), "head"), "c");
}

// APITest.test_get_revision_base_single
TEST(APITest, GetRevisionBaseSingle) {
  EXPECT_EQ(one(abc(), "base"), "<none>");
}

// APITest.test_get_revision_head_multiple
TEST(APITest, GetRevisionHeadMultiple) {
  auto g = two_heads();
  auto e = catch_error<MultipleHeads>([&] { one(g, "head"); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->heads, (Strings{"c1", "c2"}));
  EXPECT_NE(std::string(e->what()).find("Multiple head revisions are present"), std::string::npos);
}

// APITest.test_get_revision_heads_multiple
TEST(APITest, GetRevisionHeadsMultiple) {
  auto g = two_heads();
  EXPECT_TRUE(catch_error<MultipleHeads>([&] { one(g, "heads"); }));
}

// APITest.test_get_revisions_head_multiple
TEST(APITest, GetRevisionsHeadMultiple) {
  auto g = two_heads();
  EXPECT_TRUE(catch_error<MultipleHeads>([&] { many(g, "head"); }));
}

// APITest.test_get_revisions_heads_multiple
TEST(APITest, GetRevisionsHeadsMultiple) {
  EXPECT_EQ(many(two_heads(), "heads"), (Strings{"c1", "c2"}));
}

// APITest.test_get_revision_base_multiple
TEST(APITest, GetRevisionBaseMultiple) {
  RevisionGraph g({R("a"), R("b", {"a"}), R("c"), R("d", {"c"})});
  EXPECT_EQ(one(g, "base"), "<none>");
}

// APITest.test_iterate_tolerates_dupe_targets
TEST(APITest, IterateToleratesDupeTargets) {
  EXPECT_EQ(iterate(abc(), Strings{"c", "c"}, std::string("a"), false), (Strings{"c", "b"}));
}

// ---------------------------------------------------------------- DiamondTest
// DiamondTest.test_iterate_simple_diamond
TEST(DiamondTest, IterateSimpleDiamond) {
  RevisionGraph g({R("a"), R("b1", {"a"}), R("b2", {"a"}), R("c", {"b1", "b2"}), R("d", {"c"})});
  EXPECT_EQ(iterate(g, std::string("d"), std::string("a")), (Strings{"d", "c", "b1", "b2", "a"}));
}

// --------------------------------------------------------------- EmptyMapTest
// EmptyMapTest.test_iterate
TEST(EmptyMapTest, Iterate) {
  RevisionGraph g({});
  EXPECT_EQ(iterate(g, std::string("head"), std::string("base")), Strings{});
  EXPECT_EQ(g.ids(history(g, std::nullopt, {})), Strings{});
}

// ---------------------------------------------------------- LabeledBranchTest
// a (abranch) -> b -> somelongername -> c
// d -> e (ebranch) -> someothername -> f
class LabeledBranchTest : public ::testing::Test {
protected:
  RevisionGraph g{{R("a", {}, {}, {"abranch"}), R("b", {"a"}), R("somelongername", {"b"}), R("c", {"somelongername"}),
                   R("d"), R("e", {"d"}, {}, {"ebranch"}), R("someothername", {"e"}), R("f", {"someothername"})}};
};

// LabeledBranchTest.test_dupe_branch_collection
TEST(LabeledBranchTestDupe, DupeBranchCollection) {
  auto e = catch_error([] {
    RevisionGraph(
        {R("a"), R("b", {"a"}), R("c", {"b"}, {}, {"xy1"}), R("d"), R("e", {"d"}, {}, {"xy1"}), R("f", {"e"})});
  });
  ASSERT_TRUE(e);
  EXPECT_EQ(std::string(e->what()), "Branch name 'xy1' in revision e already used by revision c");
}

// LabeledBranchTest.test_filter_for_lineage_labeled_head_across_merge
TEST(LabeledBranchTestMerge, FilterForLineageLabeledHeadAcrossMerge) {
  RevisionGraph g({R("a"), R("b", {"a"}), R("c1", {"b"}, {}, {"c1branch"}), R("c2", {"b"}), R("d", {"c1", "c2"})});
  auto kept = TargetResolver(g).filter_for_lineage(test::vertices(g, {"c1", "c2", "d"}), "c1branch@head");
  EXPECT_EQ(g.ids(kept), (Strings{"c1", "c2", "d"}));
}

// LabeledBranchTest.test_filter_for_lineage_heads
TEST_F(LabeledBranchTest, FilterForLineageHeads) {
  EXPECT_EQ(g.ids(TargetResolver(g).filter_for_lineage(test::vertices(g, {"f"}), "heads")), Strings{"f"});
}

// LabeledBranchTest.test_get_current_named_rev
TEST_F(LabeledBranchTest, GetCurrentNamedRev) {
  EXPECT_EQ(one(g, "ebranch@head"), "f");
}

// LabeledBranchTest.test_get_base_revisions_labeled (RevisionMap.
// _get_base_revisions is filter_for_lineage(bases, identifier))
TEST_F(LabeledBranchTest, GetBaseRevisionsLabeled) {
  EXPECT_EQ(g.ids(TargetResolver(g).filter_for_lineage(g.bases(), "somelongername@base")), Strings{"a"});
}

// LabeledBranchTest.test_get_base_revisions
TEST_F(LabeledBranchTest, GetBaseRevisions) {
  EXPECT_EQ(g.ids(TargetResolver(g).filter_for_lineage(g.bases(), "base")), (Strings{"a", "d"}));
  EXPECT_EQ(g.ids(g.bases()), (Strings{"a", "d"}));
}

// LabeledBranchTest.test_iterate_head_to_named_base
TEST_F(LabeledBranchTest, IterateHeadToNamedBase) {
  EXPECT_EQ(iterate(g, std::string("heads"), std::string("ebranch@base")), (Strings{"f", "someothername", "e", "d"}));
  EXPECT_EQ(iterate(g, std::string("heads"), std::string("abranch@base")), (Strings{"c", "somelongername", "b", "a"}));
}

// LabeledBranchTest.test_iterate_named_head_to_base
TEST_F(LabeledBranchTest, IterateNamedHeadToBase) {
  EXPECT_EQ(iterate(g, std::string("ebranch@head"), std::string("base")), (Strings{"f", "someothername", "e", "d"}));
  EXPECT_EQ(iterate(g, std::string("abranch@head"), std::string("base")), (Strings{"c", "somelongername", "b", "a"}));
}

// LabeledBranchTest.test_iterate_named_head_to_heads
TEST_F(LabeledBranchTest, IterateNamedHeadToHeads) {
  EXPECT_EQ(iterate(g, std::string("heads"), std::string("ebranch@head")), Strings{"f"});
}

// LabeledBranchTest.test_iterate_named_rev_to_heads
TEST_F(LabeledBranchTest, IterateNamedRevToHeads) {
  EXPECT_EQ(iterate(g, std::string("heads"), std::string("ebranch@d")), (Strings{"f", "someothername", "e", "d"}));
}

// LabeledBranchTest.test_iterate_head_to_version_specific_base: `c@base`,
// where c only inherits abranch from a, names abranch's base.
TEST_F(LabeledBranchTest, IterateHeadToVersionSpecificBase) {
  EXPECT_EQ(iterate(g, std::string("heads"), std::string("e@base")), (Strings{"f", "someothername", "e", "d"}));
  EXPECT_EQ(iterate(g, std::string("heads"), std::string("c@base")), (Strings{"c", "somelongername", "b", "a"}));
  // history() is the same walk.
  EXPECT_EQ(g.ids(history(g, "c@base:heads", {})), (Strings{"c", "somelongername", "b", "a"}));
}

// LabeledBranchTest.test_iterate_to_branch_at_rev
TEST_F(LabeledBranchTest, IterateToBranchAtRev) {
  EXPECT_EQ(iterate(g, std::string("heads"), std::string("ebranch@d")), (Strings{"f", "someothername", "e", "d"}));
}

// LabeledBranchTest.test_branch_w_down_relative
TEST_F(LabeledBranchTest, BranchWDownRelative) {
  EXPECT_EQ(iterate(g, std::string("heads"), std::string("ebranch@-2")), (Strings{"f", "someothername", "e"}));
}

// LabeledBranchTest.test_branch_w_up_relative
TEST_F(LabeledBranchTest, BranchWUpRelative) {
  EXPECT_EQ(iterate(g, std::string("ebranch@+2"), std::string("base")), (Strings{"e", "d"}));
}

// LabeledBranchTest.test_partial_id_resolve
TEST_F(LabeledBranchTest, PartialIdResolve) {
  EXPECT_EQ(one(g, "ebranch@some"), "someothername");
  EXPECT_EQ(one(g, "abranch@some"), "somelongername");
}

// LabeledBranchTest.test_partial_id_resolve_too_short
TEST_F(LabeledBranchTest, PartialIdResolveTooShort) {
  auto e = catch_error<ResolutionFailure>([&] { one(g, "ebranch@sos"); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->detail(), "No such revision or branch 'sos'; please ensure at least four characters are present for "
                         "partial revision identifier matches");
}

// LabeledBranchTest.test_branch_at_heads
TEST_F(LabeledBranchTest, BranchAtHeads) {
  EXPECT_EQ(one(g, "abranch@heads"), "c");
}

// LabeledBranchTest.test_branch_at_syntax
TEST_F(LabeledBranchTest, BranchAtSyntax) {
  EXPECT_EQ(one(g, "abranch@head"), "c");
  EXPECT_EQ(one(g, "abranch@base"), "<none>");
  EXPECT_EQ(one(g, "ebranch@head"), "f");
  EXPECT_EQ(one(g, "abranch@base"), "<none>");
  EXPECT_EQ(one(g, "ebranch@d"), "d");
}

// LabeledBranchTest.test_branch_at_self
TEST_F(LabeledBranchTest, BranchAtSelf) {
  EXPECT_EQ(one(g, "ebranch@ebranch"), "e");
}

// LabeledBranchTest.test_retrieve_branch_revision
TEST_F(LabeledBranchTest, RetrieveBranchRevision) {
  EXPECT_EQ(one(g, "abranch"), "a");
  EXPECT_EQ(one(g, "ebranch"), "e");
}

// LabeledBranchTest.test_rev_not_in_branch
TEST_F(LabeledBranchTest, RevNotInBranch) {
  auto e = catch_error<ResolutionFailure>([&] { one(g, "ebranch@b"); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->detail(), "Revision b is not a member of branch 'ebranch'");
  e = catch_error<ResolutionFailure>([&] { one(g, "abranch@d"); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->detail(), "Revision d is not a member of branch 'abranch'");
}

// LabeledBranchTest.test_actually_short_rev_name
TEST_F(LabeledBranchTest, ActuallyShortRevName) {
  EXPECT_EQ(one(g, "e"), "e");
}

// LabeledBranchTest.test_no_revision_exists
TEST_F(LabeledBranchTest, NoRevisionExists) {
  auto e = catch_error<ResolutionFailure>([&] { one(g, "abranch@qprstuv"); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->detail(), "No such revision or branch 'qprstuv'");
  e = catch_error<ResolutionFailure>([&] { one(g, "abranch@qpr"); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->detail(), "No such revision or branch 'qpr'; please ensure at least four characters are present for "
                         "partial revision identifier matches");
}

// LabeledBranchTest.test_not_actually_a_branch
TEST_F(LabeledBranchTest, NotActuallyABranch) {
  EXPECT_EQ(one(g, "e@d"), "d");
}

// LabeledBranchTest.test_not_actually_a_branch_partial_resolution
TEST_F(LabeledBranchTest, NotActuallyABranchPartialResolution) {
  EXPECT_EQ(one(g, "someoth@d"), "d");
}

// LabeledBranchTest.test_no_such_branch
TEST_F(LabeledBranchTest, NoSuchBranch) {
  auto e = catch_error<ResolutionFailure>([&] { one(g, "x@d"); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->detail(), "No such branch: 'x'");
}

// -------------------------------------------------------- LongShortBranchTest
// LongShortBranchTest.test_iterate_full
TEST(LongShortBranchTest, IterateFull) {
  RevisionGraph g({R("a"), R("b1", {"a"}), R("b2", {"a"}), R("c1", {"b1"}), R("d11", {"c1"}), R("d12", {"c1"})});
  const Strings expected{"b2", "d11", "d12", "c1", "b1", "a"};
  EXPECT_EQ(iterate(g, std::string("heads"), std::string("base")), expected);
  EXPECT_EQ(g.ids(history(g, std::nullopt, {})), expected); // what `alembic history` lists
}

// --------------------------------------------------------- MultipleBranchTest
class MultipleBranchTest : public ::testing::Test {
protected:
  RevisionGraph g{{R("a"), R("b1", {"a"}), R("b2", {"a"}), R("cb1", {"b1"}), R("cb2", {"b2"}), R("d1cb1", {"cb1"}),
                   R("d2cb1", {"cb1"}), R("d1cb2", {"cb2"}), R("d2cb2", {"cb2"}), R("d3cb2", {"cb2"}),
                   R("d1d2cb2", {"d1cb2", "d2cb2"})}};
};

// MultipleBranchTest.test_iterate_from_merge_point
TEST_F(MultipleBranchTest, IterateFromMergePoint) {
  EXPECT_EQ(iterate(g, std::string("d1d2cb2"), std::string("a")),
            (Strings{"d1d2cb2", "d1cb2", "d2cb2", "cb2", "b2", "a"}));
}

// MultipleBranchTest.test_iterate_multiple_heads
TEST_F(MultipleBranchTest, IterateMultipleHeads) {
  EXPECT_EQ(iterate(g, Strings{"d2cb2", "d3cb2"}, std::string("a")), (Strings{"d2cb2", "d3cb2", "cb2", "b2", "a"}));
}

// MultipleBranchTest.test_iterate_single_branch
TEST_F(MultipleBranchTest, IterateSingleBranch) {
  EXPECT_EQ(iterate(g, std::string("d3cb2"), std::string("a")), (Strings{"d3cb2", "cb2", "b2", "a"}));
}

// MultipleBranchTest.test_iterate_single_branch_to_base
TEST_F(MultipleBranchTest, IterateSingleBranchToBase) {
  EXPECT_EQ(iterate(g, std::string("d3cb2"), std::string("base")), (Strings{"d3cb2", "cb2", "b2", "a"}));
}

// MultipleBranchTest.test_iterate_multiple_branch_to_base
TEST_F(MultipleBranchTest, IterateMultipleBranchToBase) {
  EXPECT_EQ(iterate(g, Strings{"d3cb2", "cb1"}, std::string("base")),
            (Strings{"cb1", "b1", "d3cb2", "cb2", "b2", "a"}));
}

// MultipleBranchTest.test_iterate_multiple_heads_single_base
TEST_F(MultipleBranchTest, IterateMultipleHeadsSingleBase) {
  EXPECT_EQ(iterate(g, Strings{"d1cb1", "d2cb2", "d3cb2"}, std::string("b2")),
            (Strings{"d2cb2", "d3cb2", "cb2", "b2"}));
}

// MultipleBranchTest.test_same_branch_wrong_direction
TEST_F(MultipleBranchTest, SameBranchWrongDirection) {
  auto e = catch_error<RangeNotAncestor>([&] { iterate(g, std::string("b1"), std::string("d1cb1")); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->detail(), "Revision d1cb1 is not an ancestor of revision b1.");
}

// MultipleBranchTest.test_distinct_branches
TEST_F(MultipleBranchTest, DistinctBranches) {
  auto e = catch_error<RangeNotAncestor>([&] { iterate(g, std::string("d2cb2"), std::string("b1")); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->detail(), "Revision b1 is not an ancestor of revision d2cb2.");
}

// MultipleBranchTest.test_wrong_direction_to_base_as_none and
// MultipleBranchTest.test_wrong_direction_to_base_as_empty (upper None / ())
TEST_F(MultipleBranchTest, WrongDirectionToBase) {
  auto e = catch_error<RangeNotAncestor>([&] { iterate(g, Strings{}, std::string("d1cb1")); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->detail(), "Revision d1cb1 is not an ancestor of revision base.");
}

// ------------------------------------------------ MultipleBranchEffectiveHead
// y1 (y) -> y2, which depends on x1; x1 (x) -> x2.
class MultipleBranchEffectiveHead : public ::testing::Test {
protected:
  RevisionGraph g{{R("y1", {}, {}, {"y"}), R("x1", {}, {}, {"x"}), R("y2", {"y1"}, {"x1"}), R("x2", {"x1"})}};
};

// MultipleBranchEffectiveHead.test_other_downgrade
TEST_F(MultipleBranchEffectiveHead, OtherDowngrade) {
  EXPECT_EQ(downgrade_steps(g, Strings{"x2", "y2"}, "x@-1"), Strings{"x2"});
}

// MultipleBranchEffectiveHead.test_use_all_current
TEST_F(MultipleBranchEffectiveHead, UseAllCurrent) {
  EXPECT_EQ(downgrade_steps(g, Strings{"x1", "y2"}, "x@-1"), (Strings{"y2", "x1"}));
}

// MultipleBranchEffectiveHead.test_effective_head
TEST_F(MultipleBranchEffectiveHead, EffectiveHead) {
  EXPECT_EQ(downgrade_steps(g, Strings{"y2"}, "x@-1"), (Strings{"y2", "x1"}));
}

// ------------------------------------------------------- BranchTravellingTest
class BranchTravellingTest : public ::testing::Test {
protected:
  RevisionGraph g{{R("a1"), R("a2", {"a1"}), R("a3", {"a2"}), R("b1", {"a3"}), R("b2", {"a3"}), R("cb1", {"b1"}),
                   R("cb2", {"b2"}), R("db1", {"cb1"}), R("db2", {"cb2"}), R("e1b1", {"db1"}), R("fe1b1", {"e1b1"}),
                   R("e2b1", {"db1"}), R("e2b2", {"db2"}), R("merge", {"e2b1", "e2b2"})}};
};

// BranchTravellingTest.test_iterate_one_branch_both_to_merge
TEST_F(BranchTravellingTest, IterateOneBranchBothToMerge) {
  EXPECT_EQ(iterate(g, std::string("merge"), std::string("db1"), true, true),
            (Strings{"merge", "e2b1", "db1", "e2b2", "db2", "cb2", "b2"}));
}

// BranchTravellingTest.test_three_branches_end_in_single_branch
TEST_F(BranchTravellingTest, ThreeBranchesEndInSingleBranch) {
  EXPECT_EQ(iterate(g, Strings{"merge", "fe1b1"}, std::string("a3")),
            (Strings{"fe1b1", "e1b1", "merge", "e2b1", "db1", "cb1", "b1", "e2b2", "db2", "cb2", "b2", "a3"}));
}

// BranchTravellingTest.test_two_branches_to_root
TEST_F(BranchTravellingTest, TwoBranchesToRoot) {
  EXPECT_EQ(iterate(g, std::string("merge"), std::string("a1")),
            (Strings{"merge", "e2b1", "db1", "cb1", "b1", "e2b2", "db2", "cb2", "b2", "a3", "a2", "a1"}));
}

// BranchTravellingTest.test_two_branches_end_in_branch
TEST_F(BranchTravellingTest, TwoBranchesEndInBranch) {
  EXPECT_EQ(iterate(g, std::string("merge"), std::string("b1")), (Strings{"merge", "e2b1", "db1", "cb1", "b1"}));
}

// BranchTravellingTest.test_two_branches_end_behind_branch
TEST_F(BranchTravellingTest, TwoBranchesEndBehindBranch) {
  EXPECT_EQ(iterate(g, std::string("merge"), std::string("a2")),
            (Strings{"merge", "e2b1", "db1", "cb1", "b1", "e2b2", "db2", "cb2", "b2", "a3", "a2"}));
}

// BranchTravellingTest.test_three_branches_to_root
TEST_F(BranchTravellingTest, ThreeBranchesToRoot) {
  EXPECT_EQ(
      iterate(g, Strings{"merge", "fe1b1"}, std::string("a1")),
      (Strings{"fe1b1", "e1b1", "merge", "e2b1", "db1", "cb1", "b1", "e2b2", "db2", "cb2", "b2", "a3", "a2", "a1"}));
}

// BranchTravellingTest.test_three_branches_end_multiple_bases
TEST_F(BranchTravellingTest, ThreeBranchesEndMultipleBases) {
  EXPECT_EQ(iterate(g, Strings{"merge", "fe1b1"}, Strings{"cb1", "cb2"}),
            (Strings{"fe1b1", "e1b1", "merge", "e2b1", "db1", "cb1", "e2b2", "db2", "cb2"}));
}

// BranchTravellingTest.test_three_branches_end_multiple_bases_exclusive
TEST_F(BranchTravellingTest, ThreeBranchesEndMultipleBasesExclusive) {
  EXPECT_EQ(iterate(g, Strings{"merge", "fe1b1"}, Strings{"cb1", "cb2"}, false),
            (Strings{"fe1b1", "e1b1", "merge", "e2b1", "db1", "e2b2", "db2"}));
}

// BranchTravellingTest.test_detect_invalid_head_selection
TEST_F(BranchTravellingTest, DetectInvalidHeadSelection) {
  expect_refusal(
      [&] {
        iterate(g, Strings{"db1", "b2", "fe1b1"}, Strings{});
      },
      "Requested revision fe1b1 overlaps with other requested revisions");
}

// BranchTravellingTest.test_three_branches_end_multiple_bases_exclusive_blank
TEST_F(BranchTravellingTest, ThreeBranchesEndMultipleBasesExclusiveBlank) {
  EXPECT_EQ(iterate(g, Strings{"e2b1", "b2", "fe1b1"}, Strings{}, false),
            (Strings{"b2", "fe1b1", "e1b1", "e2b1", "db1", "cb1", "b1", "a3", "a2", "a1"}));
}

// BranchTravellingTest.test_iterate_to_symbolic_base
TEST_F(BranchTravellingTest, IterateToSymbolicBase) {
  EXPECT_EQ(iterate(g, Strings{"fe1b1"}, std::string("base"), false),
            (Strings{"fe1b1", "e1b1", "db1", "cb1", "b1", "a3", "a2", "a1"}));
}

// BranchTravellingTest.test_ancestor_nodes
TEST_F(BranchTravellingTest, AncestorNodes) {
  EXPECT_EQ(id_set(g, g.ancestors(test::vertices(g, {"merge"}), true)),
            (IdSet{"a1", "e2b2", "e2b1", "cb2", "merge", "a3", "a2", "b1", "b2", "db1", "db2", "cb1"}));
}

// ----------------------------------------------------------- MultipleBaseTest
class MultipleBaseTest : public ::testing::Test {
protected:
  RevisionGraph g{{R("base1"), R("base2"), R("base3"), R("a1a", {"base1"}), R("a1b", {"base1"}), R("a2", {"base2"}),
                   R("a3", {"base3"}), R("b1a", {"a1a"}), R("b1b", {"a1b"}), R("b2", {"a2"}), R("b3", {"a3"}),
                   R("c2", {"b2"}), R("d2", {"c2"}), R("mergeb3d2", {"b3", "d2"})}};
  const Strings everything{"b1a", "a1a",   "b1b", "a1b", "base1", "mergeb3d2", "b3",
                           "a3",  "base3", "d2",  "c2",  "b2",    "a2",        "base2"};
};

// MultipleBaseTest.test_heads_to_base
TEST_F(MultipleBaseTest, HeadsToBase) {
  EXPECT_EQ(iterate(g, std::string("heads"), std::string("base")), everything);
  EXPECT_EQ(g.ids(history(g, "base:heads", {})), everything);
  EXPECT_EQ(g.ids(history(g, std::nullopt, {})), everything);
}

// MultipleBaseTest.test_heads_to_base_exclusive
TEST_F(MultipleBaseTest, HeadsToBaseExclusive) {
  EXPECT_EQ(iterate(g, std::string("heads"), std::string("base"), false), everything);
}

// MultipleBaseTest.test_heads_to_blank
TEST_F(MultipleBaseTest, HeadsToBlank) {
  EXPECT_EQ(iterate(g, std::string("heads"), Strings{}), everything);
}

// MultipleBaseTest.test_detect_invalid_base_selection
TEST_F(MultipleBaseTest, DetectInvalidBaseSelection) {
  expect_refusal([&] { iterate(g, Strings{"c2"}, Strings{"a2", "b2"}); }, "overlaps with other requested revisions");
}

// MultipleBaseTest.test_heads_to_revs_plus_implicit_base_exclusive
TEST_F(MultipleBaseTest, HeadsToRevsPlusImplicitBaseExclusive) {
  EXPECT_EQ(iterate(g, std::string("heads"), Strings{"c2"}, false, true),
            (Strings{"b1a", "a1a", "b1b", "a1b", "base1", "mergeb3d2", "b3", "a3", "base3", "d2"}));
}

// MultipleBaseTest.test_heads_to_revs_base_exclusive
TEST_F(MultipleBaseTest, HeadsToRevsBaseExclusive) {
  EXPECT_EQ(iterate(g, std::string("heads"), Strings{"c2"}, false), (Strings{"mergeb3d2", "d2"}));
}

// MultipleBaseTest.test_heads_to_revs_plus_implicit_base_inclusive
TEST_F(MultipleBaseTest, HeadsToRevsPlusImplicitBaseInclusive) {
  EXPECT_EQ(iterate(g, std::string("heads"), Strings{"c2"}, true, true),
            (Strings{"b1a", "a1a", "b1b", "a1b", "base1", "mergeb3d2", "b3", "a3", "base3", "d2", "c2"}));
}

// MultipleBaseTest.test_specific_path_one
TEST_F(MultipleBaseTest, SpecificPathOne) {
  EXPECT_EQ(iterate(g, std::string("b3"), std::string("base3")), (Strings{"b3", "a3", "base3"}));
}

// MultipleBaseTest.test_specific_path_two_implicit_base
TEST_F(MultipleBaseTest, SpecificPathTwoImplicitBase) {
  EXPECT_EQ(iterate(g, Strings{"b3", "b2"}, std::string("base3"), false, true),
            (Strings{"b2", "a2", "base2", "b3", "a3"}));
}

// ----------------------------------------- MultipleBaseCrossDependencyTestOne
// base1 (b_1) -> a1a -> b1a; base1 -> a1b -> b1b, which depends on a3;
// base2 (b_2) -> a2 -> b2 -> c2 (depends on a3) -> d2; base3 (b_3) -> a3 -> b3.
class MultipleBaseCrossDependencyTestOne : public ::testing::Test {
protected:
  RevisionGraph g{{R("base1", {}, {}, {"b_1"}), R("a1a", {"base1"}), R("a1b", {"base1"}), R("b1a", {"a1a"}),
                   R("b1b", {"a1b"}, {"a3"}), R("base2", {}, {}, {"b_2"}), R("a2", {"base2"}), R("b2", {"a2"}),
                   R("c2", {"b2"}, {"a3"}), R("d2", {"c2"}), R("base3", {}, {}, {"b_3"}), R("a3", {"base3"}),
                   R("b3", {"a3"})}};
  const Strings everything{"b1a", "a1a", "b1b", "a1b", "base1", "d2", "c2", "b2", "a2", "base2", "b3", "a3", "base3"};
};

// MultipleBaseCrossDependencyTestOne.test_what_are_the_heads
TEST_F(MultipleBaseCrossDependencyTestOne, WhatAreTheHeads) {
  EXPECT_EQ(g.ids(g.heads()), (Strings{"b1a", "b1b", "d2", "b3"}));
}

// MultipleBaseCrossDependencyTestOne.test_heads_to_base
TEST_F(MultipleBaseCrossDependencyTestOne, HeadsToBase) {
  EXPECT_EQ(iterate(g, std::string("heads"), std::string("base")), everything);
  EXPECT_EQ(g.ids(history(g, std::nullopt, {})), everything);
}

// MultipleBaseCrossDependencyTestOne.test_heads_to_base_downgrade
TEST_F(MultipleBaseCrossDependencyTestOne, HeadsToBaseDowngrade) {
  EXPECT_EQ(downgrade_steps(g, std::string("heads"), "base"), everything);
}

// MultipleBaseCrossDependencyTestOne.test_same_branch_wrong_direction
TEST_F(MultipleBaseCrossDependencyTestOne, SameBranchWrongDirection) {
  auto e = catch_error<RangeNotAncestor>([&] { iterate(g, std::string("b2"), std::string("d2")); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->detail(), "Revision d2 is not an ancestor of revision b2.");
}

// MultipleBaseCrossDependencyTestOne.test_different_branch_not_wrong_direction
TEST_F(MultipleBaseCrossDependencyTestOne, DifferentBranchNotWrongDirection) {
  auto e = catch_error<RangeNotAncestor>([&] { iterate(g, std::string("b3"), std::string("d2")); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->detail(), "Revision d2 is not an ancestor of revision b3.");
}

// MultipleBaseCrossDependencyTestOne.test_we_need_head2_upgrade
TEST_F(MultipleBaseCrossDependencyTestOne, WeNeedHead2Upgrade) {
  EXPECT_EQ(iterate(g, std::string("b_2@head"), std::string("base")),
            (Strings{"d2", "c2", "b2", "a2", "base2", "a3", "base3"}));
}

// MultipleBaseCrossDependencyTestOne.test_we_need_head2_downgrade
TEST_F(MultipleBaseCrossDependencyTestOne, WeNeedHead2Downgrade) {
  EXPECT_EQ(downgrade_steps(g, std::string("b_2@head"), "b_2@base"), (Strings{"d2", "c2", "b2", "a2", "base2"}));
}

// MultipleBaseCrossDependencyTestOne.test_we_need_head3_upgrade
TEST_F(MultipleBaseCrossDependencyTestOne, WeNeedHead3Upgrade) {
  EXPECT_EQ(iterate(g, std::string("b_3@head"), std::string("base")), (Strings{"b3", "a3", "base3"}));
}

// MultipleBaseCrossDependencyTestOne.test_we_need_head3_downgrade
TEST_F(MultipleBaseCrossDependencyTestOne, WeNeedHead3Downgrade) {
  EXPECT_EQ(downgrade_steps(g, std::string("b_3@head"), "base"), (Strings{"b3", "a3", "base3"}));
}

// MultipleBaseCrossDependencyTestOne.test_we_need_head1_upgrade
TEST_F(MultipleBaseCrossDependencyTestOne, WeNeedHead1Upgrade) {
  EXPECT_EQ(iterate(g, std::string("b1b@head"), std::string("base")), (Strings{"b1b", "a1b", "base1", "a3", "base3"}));
}

// MultipleBaseCrossDependencyTestOne.test_we_need_head1_downgrade
TEST_F(MultipleBaseCrossDependencyTestOne, WeNeedHead1Downgrade) {
  EXPECT_EQ(downgrade_steps(g, std::string("b1b@head"), "b1b@base"), (Strings{"b1b", "a1b", "base1"}));
}

// MultipleBaseCrossDependencyTestOne.test_we_need_base2_upgrade
TEST_F(MultipleBaseCrossDependencyTestOne, WeNeedBase2Upgrade) {
  EXPECT_EQ(iterate(g, std::string("heads"), std::string("b_2@base")),
            (Strings{"d2", "c2", "b2", "a2", "base2", "a3", "base3"}));
}

// MultipleBaseCrossDependencyTestOne.test_we_need_base2_downgrade
TEST_F(MultipleBaseCrossDependencyTestOne, WeNeedBase2Downgrade) {
  EXPECT_EQ(downgrade_steps(g, std::string("heads"), "b_2@base"), (Strings{"d2", "c2", "b2", "a2", "base2"}));
}

// MultipleBaseCrossDependencyTestOne.test_we_need_base3_upgrade
TEST_F(MultipleBaseCrossDependencyTestOne, WeNeedBase3Upgrade) {
  EXPECT_EQ(iterate(g, std::string("heads"), std::string("b_3@base")), (Strings{"b3", "a3", "base3"}));
}

// MultipleBaseCrossDependencyTestOne.test_we_need_base3_downgrade
TEST_F(MultipleBaseCrossDependencyTestOne, WeNeedBase3Downgrade) {
  EXPECT_EQ(downgrade_steps(g, std::string("heads"), "b_3@base"), (Strings{"b1b", "d2", "c2", "b3", "a3", "base3"}));
}

// ----------------------------------------- MultipleBaseCrossDependencyTestTwo
// base1 (b_1) -> a1 -> b1 -> c1; base2 (b_2, depends on b_1) -> a2 -> b2 ->
// c2 -> d2; base3 (b_3) -> a3 -> b3 -> c3 (depends on b2) -> d3.
class MultipleBaseCrossDependencyTestTwo : public ::testing::Test {
protected:
  RevisionGraph g{{R("base1", {}, {}, {"b_1"}), R("a1", {"base1"}), R("b1", {"a1"}), R("c1", {"b1"}),
                   R("base2", {}, {"b_1"}, {"b_2"}), R("a2", {"base2"}), R("b2", {"a2"}), R("c2", {"b2"}),
                   R("d2", {"c2"}), R("base3", {}, {}, {"b_3"}), R("a3", {"base3"}), R("b3", {"a3"}),
                   R("c3", {"b3"}, {"b2"}), R("d3", {"c3"})}};
};

// MultipleBaseCrossDependencyTestTwo.test_what_are_the_heads
TEST_F(MultipleBaseCrossDependencyTestTwo, WhatAreTheHeads) {
  EXPECT_EQ(g.ids(g.heads()), (Strings{"c1", "d2", "d3"}));
}

// MultipleBaseCrossDependencyTestTwo.test_heads_to_base
TEST_F(MultipleBaseCrossDependencyTestTwo, HeadsToBase) {
  const Strings expected{"c1", "b1", "a1", "d2", "c2", "d3", "c3", "b3", "a3", "base3", "b2", "a2", "base2", "base1"};
  EXPECT_EQ(iterate(g, std::string("heads"), std::string("base")), expected);
  EXPECT_EQ(g.ids(history(g, std::nullopt, {})), expected);
}

// MultipleBaseCrossDependencyTestTwo.test_we_need_head2
TEST_F(MultipleBaseCrossDependencyTestTwo, WeNeedHead2) {
  EXPECT_EQ(iterate(g, std::string("b_2@head"), std::string("base")),
            (Strings{"d2", "c2", "b2", "a2", "base2", "base1"}));
}

// MultipleBaseCrossDependencyTestTwo.test_we_need_head3
TEST_F(MultipleBaseCrossDependencyTestTwo, WeNeedHead3) {
  EXPECT_EQ(iterate(g, std::string("b_3@head"), std::string("base")),
            (Strings{"d3", "c3", "b3", "a3", "base3", "b2", "a2", "base2", "base1"}));
}

// MultipleBaseCrossDependencyTestTwo.test_we_need_head1
TEST_F(MultipleBaseCrossDependencyTestTwo, WeNeedHead1) {
  EXPECT_EQ(iterate(g, std::string("b_1@head"), std::string("base")), (Strings{"c1", "b1", "a1", "base1"}));
}

// MultipleBaseCrossDependencyTestTwo.test_we_need_base1
TEST_F(MultipleBaseCrossDependencyTestTwo, WeNeedBase1) {
  EXPECT_EQ(iterate(g, std::string("heads"), std::string("b_1@base")), (Strings{"c1", "b1", "a1", "base1"}));
}

// MultipleBaseCrossDependencyTestTwo.test_we_need_base2
TEST_F(MultipleBaseCrossDependencyTestTwo, WeNeedBase2) {
  EXPECT_EQ(iterate(g, std::string("heads"), std::string("b_2@base")),
            (Strings{"d2", "c2", "b2", "a2", "base2", "base1"}));
}

// MultipleBaseCrossDependencyTestTwo.test_we_need_base3
TEST_F(MultipleBaseCrossDependencyTestTwo, WeNeedBase3) {
  EXPECT_EQ(iterate(g, std::string("heads"), std::string("b_3@base")),
            (Strings{"d3", "c3", "b3", "a3", "base3", "b2", "a2", "base2", "base1"}));
}

// ---------------------------------------- MultipleBaseCrossDependencyTestThree
// MultipleBaseCrossDependencyTestThree.test_traverse_no_parent_but_a_dep
TEST(MultipleBaseCrossDependencyTestThree, TraverseNoParentButADep) {
  RevisionGraph g({R("base1"), R("a1", {"base1"}), R("b1", {"a1"}), R("c2", {}, {"a1"}), R("c3", {"c2"})});
  EXPECT_EQ(iterate(g, std::string("heads"), std::string("base")), (Strings{"b1", "c3", "c2", "a1", "base1"}));
}

// --------------------------------------------------------------- LargeMapTest
// LargeMapTest.test_all, on a generated map (Alembic's tests/_large_map.py is
// not part of the reference): every revision is listed once, none is listed
// after one of its ancestors, and while revisions remain, one of them is an
// ancestor of the one just listed.
TEST(LargeMapTest, All) {
  std::mt19937 rng(20220801);
  std::vector<RevisionInfo> revs{R("r0")};
  for (int i = 1; i < 300; ++i) {
    std::uniform_int_distribution<int> pick(0, i - 1);
    Strings down{"r" + std::to_string(pick(rng))};
    if (i % 7 == 0)
      down.push_back("r" + std::to_string(pick(rng)));
    if (down.size() == 2 && down[0] == down[1])
      down.pop_back();
    Strings deps;
    if (i % 11 == 0)
      deps.push_back("r" + std::to_string(pick(rng)));
    revs.push_back(R("r" + std::to_string(i), down, deps));
  }
  RevisionGraph g(revs);
  auto listed = iterate(g, std::string("heads"), std::string("base"));
  ASSERT_EQ(IdSet(listed.begin(), listed.end()).size(), g.size());
  ASSERT_EQ(listed.size(), g.size());
  for (std::size_t i = 0; i < listed.size(); ++i) {
    auto v = test::vertex(g, listed[i]);
    VertexSet ancestors = g.ancestors({v}, true), descendants = g.descendants({v}, true);
    ancestors.reset(v);
    descendants.reset(v);
    EXPECT_FALSE(ancestors.intersects(descendants));
    bool remaining = false, remaining_ancestor = false;
    for (std::size_t k = i + 1; k < listed.size(); ++k) {
      remaining = true;
      remaining_ancestor = remaining_ancestor || ancestors.test(test::vertex(g, listed[k]));
      EXPECT_FALSE(descendants.test(test::vertex(g, listed[k]))) << listed[k] << " listed after its ancestor";
    }
    if (remaining) {
      EXPECT_TRUE(remaining_ancestor) << listed[i];
    }
  }
}

// ---------------------------------------------------------- GraphWithLoopTest
std::string refusal(std::vector<RevisionInfo> revs) {
  auto e = catch_error([&] { RevisionGraph g(std::move(revs)); });
  return e ? e->what() : "<accepted>";
}

// GraphWithLoopTest.test_revision_map_solitary_loop
TEST(GraphWithLoopTest, RevisionMapSolitaryLoop) {
  EXPECT_EQ(refusal({R("a", {"a"})}), "Self-loop is detected in revisions (a)");
}

// GraphWithLoopTest.test_revision_dupe_head
TEST(GraphWithLoopTest, RevisionDupeHead) {
  RevisionGraph g({R("user_foo"), R("user", {"user_foo"}, {"user_foo"})});
  EXPECT_EQ(iterate(g, std::string("heads"), Strings{}), (Strings{"user", "user_foo"}));
  VertexSet all = g.empty_set();
  all.set();
  EXPECT_EQ(g.ids(topological_order(g, all, test::vertices(g, {"user"}))), (Strings{"user", "user_foo"}));
}

// GraphWithLoopTest.test_revision_map_no_loop_w_overlapping_substrings
TEST(GraphWithLoopTest, RevisionMapNoLoopWOverlappingSubstrings) {
  RevisionGraph g({R("user_foo"), R("user", {"user_foo"})});
  EXPECT_EQ(iterate(g, std::string("heads"), Strings{}), (Strings{"user", "user_foo"}));
}

// GraphWithLoopTest.test_revision_map_no_loop_w_overlapping_substrings_dependencies
TEST(GraphWithLoopTest, RevisionMapNoLoopWOverlappingSubstringsDependencies) {
  RevisionGraph g({R("user_foo"), R("user", {}, {"user_foo"})});
  EXPECT_EQ(iterate(g, std::string("heads"), Strings{}), (Strings{"user", "user_foo"}));
}

// GraphWithLoopTest.test_revision_map_base_loop
TEST(GraphWithLoopTest, RevisionMapBaseLoop) {
  EXPECT_EQ(refusal({R("a", {"a"}), R("b", {"a"}), R("c", {"b"})}), "Self-loop is detected in revisions (a)");
}

// GraphWithLoopTest.test_revision_map_head_loop
TEST(GraphWithLoopTest, RevisionMapHeadLoop) {
  EXPECT_EQ(refusal({R("a"), R("b", {"a"}), R("c", {"b", "c"})}), "Self-loop is detected in revisions (c)");
}

// GraphWithLoopTest.test_revision_map_branch_point_loop
TEST(GraphWithLoopTest, RevisionMapBranchPointLoop) {
  EXPECT_EQ(refusal({R("a"), R("b", {"a", "b"}), R("c1", {"b"}), R("c2", {"b"})}),
            "Self-loop is detected in revisions (b)");
}

// GraphWithLoopTest.test_revision_map_merge_point_loop
TEST(GraphWithLoopTest, RevisionMapMergePointLoop) {
  EXPECT_EQ(refusal({R("a"), R("b1", {"a"}), R("b2", {"a"}), R("c", {"b1", "b2", "c"})}),
            "Self-loop is detected in revisions (c)");
}

// GraphWithLoopTest.test_revision_map_solitary_dependency_loop
TEST(GraphWithLoopTest, RevisionMapSolitaryDependencyLoop) {
  EXPECT_EQ(refusal({R("a", {}, {"a"})}), "Dependency self-loop is detected in revisions (a)");
}

// GraphWithLoopTest.test_revision_map_base_dependency_loop
TEST(GraphWithLoopTest, RevisionMapBaseDependencyLoop) {
  EXPECT_EQ(refusal({R("a", {}, {"a"}), R("b", {"a"}), R("c", {"b"})}),
            "Dependency self-loop is detected in revisions (a)");
}

// GraphWithLoopTest.test_revision_map_head_dep_loop
TEST(GraphWithLoopTest, RevisionMapHeadDepLoop) {
  EXPECT_EQ(refusal({R("a"), R("b", {"a"}), R("c", {"b"}, {"c"})}),
            "Dependency self-loop is detected in revisions (c)");
}

// GraphWithLoopTest.test_revision_map_branch_point_dep_loop
TEST(GraphWithLoopTest, RevisionMapBranchPointDepLoop) {
  EXPECT_EQ(refusal({R("a"), R("b", {"a"}, {"b"}), R("c1", {"b"}), R("c2", {"b"})}),
            "Dependency self-loop is detected in revisions (b)");
}

// GraphWithLoopTest.test_revision_map_merge_point_dep_loop
TEST(GraphWithLoopTest, RevisionMapMergePointDepLoop) {
  EXPECT_EQ(refusal({R("a"), R("b1", {"a"}), R("b2", {"a"}), R("c", {"b1", "b2"}, {"c"})}),
            "Dependency self-loop is detected in revisions (c)");
}

// --------------------------------------------------------- GraphWithCycleTest
// Alembic's message lists revisions of the cycle (its test accepts any of
// the given ones, in any order): "Cycle is detected in revisions (...)".
void expect_cycle(const std::string &message, const std::string &kind, const IdSet &allowed) {
  const std::string prefix = kind + " is detected in revisions (";
  ASSERT_EQ(message.rfind(prefix, 0), 0u) << message;
  ASSERT_EQ(message.back(), ')') << message;
  std::string inner = message.substr(prefix.size(), message.size() - prefix.size() - 1);
  std::size_t start = 0;
  while (start <= inner.size()) {
    auto comma = inner.find(", ", start);
    std::string id = inner.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    EXPECT_TRUE(allowed.count(id)) << id << " in " << message;
    if (comma == std::string::npos)
      break;
    start = comma + 2;
  }
}

// GraphWithCycleTest.test_revision_map_simple_cycle
TEST(GraphWithCycleTest, RevisionMapSimpleCycle) {
  expect_cycle(refusal({R("a", {"c"}), R("b", {"a"}), R("c", {"b"})}), "Cycle", {"a", "b", "c"});
}

// GraphWithCycleTest.test_revision_map_extra_simple_cycle
TEST(GraphWithCycleTest, RevisionMapExtraSimpleCycle) {
  expect_cycle(refusal({R("a", {"c"}), R("b", {"a"}), R("c", {"b"}), R("d"), R("e", {"d"})}), "Cycle", {"a", "b", "c"});
}

// GraphWithCycleTest.test_revision_map_lower_simple_cycle
TEST(GraphWithCycleTest, RevisionMapLowerSimpleCycle) {
  expect_cycle(refusal({R("a", {"c"}), R("b", {"a"}), R("c", {"b"}), R("d", {"c"}), R("e", {"d"})}), "Cycle",
               {"a", "b", "c", "d", "e"});
}

// GraphWithCycleTest.test_revision_map_upper_simple_cycle
TEST(GraphWithCycleTest, RevisionMapUpperSimpleCycle) {
  expect_cycle(refusal({R("a"), R("b", {"a"}), R("c", {"b", "e"}), R("d", {"c"}), R("e", {"d"})}), "Cycle",
               {"a", "b", "c", "d", "e"});
}

// GraphWithCycleTest.test_revision_map_simple_dep_cycle
TEST(GraphWithCycleTest, RevisionMapSimpleDepCycle) {
  expect_cycle(refusal({R("a", {}, {"c"}), R("b", {"a"}), R("c", {"b"})}), "Dependency cycle", {"a", "b", "c"});
}

// GraphWithCycleTest.test_revision_map_extra_simple_dep_cycle
TEST(GraphWithCycleTest, RevisionMapExtraSimpleDepCycle) {
  expect_cycle(refusal({R("a", {}, {"c"}), R("b", {"a"}), R("c", {"b"}), R("d"), R("e", {"d"})}), "Dependency cycle",
               {"a", "b", "c"});
}

// GraphWithCycleTest.test_revision_map_lower_simple_dep_cycle
TEST(GraphWithCycleTest, RevisionMapLowerSimpleDepCycle) {
  expect_cycle(refusal({R("a", {}, {"c"}), R("b", {"a"}), R("c", {"b"}), R("d", {"c"}), R("e", {"d"})}),
               "Dependency cycle", {"a", "b", "c", "d", "e"});
}

// GraphWithCycleTest.test_revision_map_upper_simple_dep_cycle
TEST(GraphWithCycleTest, RevisionMapUpperSimpleDepCycle) {
  expect_cycle(refusal({R("a"), R("b", {"a"}), R("c", {"b"}, {"e"}), R("d", {"c"}), R("e", {"d"})}), "Dependency cycle",
               {"a", "b", "c", "d", "e"});
}

// ------------------------------------------------------- NormalizedDownRevTest
// a1 -> a2 -> a3; b1 -> b2 (depends a3) -> b3 -> b4 (depends a3) -> b5 (depends b4)
class NormalizedDownRevTest : public ::testing::Test {
protected:
  RevisionGraph g{{R("a1"), R("a2", {"a1"}), R("a3", {"a2"}), R("b1"), R("b2", {"b1"}, {"a3"}), R("b3", {"b2"}),
                   R("b4", {"b3"}, {"a3"}), R("b5", {"b4"}, {"b4"})}};
  Strings all_down(const std::string &id) {
    auto v = test::vertex(g, id);
    Strings out = g.info(v).down_revisions;
    for (auto d : g.dependencies(v))
      if (std::find(out.begin(), out.end(), g.id(d)) == out.end())
        out.push_back(g.id(d));
    return out;
  }
};

// NormalizedDownRevTest.test_normalized_down_revisions
TEST_F(NormalizedDownRevTest, NormalizedDownRevisions) {
  EXPECT_EQ(all_down("b4"), (Strings{"b3", "a3"}));
  // a3 left out: ancestor b2 already depends on it
  EXPECT_EQ(g.ids(g.normalized_down(test::vertex(g, "b4"))), Strings{"b3"});
}

// NormalizedDownRevTest.test_dupe_dependency
TEST_F(NormalizedDownRevTest, DupeDependency) {
  EXPECT_EQ(all_down("b5"), Strings{"b4"});
  EXPECT_EQ(g.ids(g.normalized_down(test::vertex(g, "b5"))), Strings{"b4"});
}

// NormalizedDownRevTest.test_branch_traversal
TEST_F(NormalizedDownRevTest, BranchTraversal) {
  EXPECT_EQ(downgrade_steps(g, std::string("b4"), "b1@base"), (Strings{"b4", "b3", "b2", "b1"}));
}

// NormalizedDownRevTest.test_all_traversal
TEST_F(NormalizedDownRevTest, AllTraversal) {
  EXPECT_EQ(downgrade_steps(g, std::string("heads"), "base"),
            (Strings{"b5", "b4", "b3", "b2", "b1", "a3", "a2", "a1"}));
}

// NormalizedDownRevTest.test_partial_traversal: Alembic's iteration is
// inclusive (it lists a2 too); a downgrade to a2 runs the others.
TEST_F(NormalizedDownRevTest, PartialTraversal) {
  EXPECT_EQ(downgrade_steps(g, std::string("heads"), "a2"), (Strings{"b5", "b4", "b3", "b2", "a3"}));
}

// NormalizedDownRevTest.test_partial_traversal_implicit_base_two
TEST_F(NormalizedDownRevTest, PartialTraversalImplicitBaseTwo) {
  EXPECT_EQ(iterate(g, std::string("b5"), Strings{"b1"}, true, true),
            (Strings{"b5", "b4", "b3", "b2", "b1", "a3", "a2", "a1"}));
}

// NormalizedDownRevTest.test_partial_traversal_implicit_base_three
TEST(NormalizedDownRevTestThree, PartialTraversalImplicitBaseThree) {
  RevisionGraph g({R("c1"), R("a1"), R("a2", {"a1"}, {"c1"}), R("a3", {"a2"}, {"c1"}), R("b1"), R("b2", {"b1"}, {"a3"}),
                   R("b3", {"b2"}), R("b4", {"b3"}, {"a3"}), R("b5", {"b4"})});
  EXPECT_EQ(iterate(g, std::string("b5"), Strings{"b1"}, true, true),
            (Strings{"b5", "b4", "b3", "b2", "b1", "a3", "a2", "a1", "c1"}));
}

} // namespace
} // namespace migrate
