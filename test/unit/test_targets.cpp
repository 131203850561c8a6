// Target resolution against Alembic 1.8.1 (alembic.script.revision.RevisionMap):
// every expectation below was checked against RevisionMap on the same graph.
#include "core/targets.hpp"

#include "test_support.hpp"

#include <gtest/gtest.h>

namespace migrate {
namespace {

using test::catch_error;
using test::id_set;
using test::IdSet;
using test::rev;
using test::Strings;
using test::vertex;
using Vertex = RevisionGraph::Vertex;

const std::string A = "ae1027a6acf", B = "27c6a30d7c24", C = "1975ea83b712", D = "3cd5b1a1e2f0", E = "4f2e8b0d9a11",
                  F = "5a6b7c8d9e0f";

std::string name(const RevisionGraph &g, const Position &n) {
  switch (n.kind) {
  case Position::revision:
    return g.id(n.vertex);
  case Position::base:
    return "<base>";
  case Position::nowhere:
    break;
  }
  return "<none>";
}

Strings names(const RevisionGraph &g, const std::vector<Position> &nodes) {
  Strings out;
  for (const auto &n : nodes)
    out.push_back(name(g, n));
  return out;
}

std::string name(const RevisionGraph &g, const std::optional<Vertex> &v) {
  return v ? g.id(*v) : "<none>";
}

// A <- B <- C <- D
class LinearTargets : public ::testing::Test {
protected:
  RevisionGraph g{{rev(A), rev(B, {A}), rev(C, {B}), rev(D, {C})}};
  TargetResolver r{g};

  std::string up(const Spec &current, const std::string &target, bool assert_length = true) {
    auto nodes = r.parse_upgrade_target(current, target, assert_length);
    EXPECT_EQ(nodes.size(), 1u);
    return nodes.empty() ? "<empty>" : name(g, nodes.front());
  }
  std::pair<std::string, std::string> down(const Spec &current, const std::string &target, bool assert_length = true) {
    auto [branch, node] = r.parse_downgrade_target(current, target, assert_length);
    return {branch.value_or("<no branch>"), name(g, node)};
  }
};

// A <- B, then two branches: B <- C (label left) <- D and B <- E (label right) <- F.
class BranchedTargets : public ::testing::Test {
protected:
  RevisionGraph g{{rev(A), rev(B, {A}), rev(C, {B}, {"left"}), rev(D, {C}), rev(E, {B}, {"right"}), rev(F, {E})}};
  TargetResolver r{g};

  std::pair<IdSet, IdSet> upgrade(const Spec &upper, const Spec &lower, bool inclusive = false,
                                  bool implicit_base = false) {
    auto set = r.upgrade_set(upper, lower, inclusive, implicit_base, true);
    return {id_set(g, set.needed), id_set(g, set.targets)};
  }
};

TEST_F(LinearTargets, HeadAndBase) {
  EXPECT_EQ(name(g, r.revision("head")), D);
  EXPECT_EQ(name(g, r.current_head(std::nullopt)), D);
  EXPECT_EQ(names(g, r.revisions(Spec{"heads"})), Strings({D}));
  EXPECT_FALSE(r.revision("base"));
  EXPECT_TRUE(r.revisions(Spec{"base"}).empty());
}

TEST_F(LinearTargets, FullIdAndPrefixes) {
  EXPECT_EQ(name(g, r.revision(C)), C);
  EXPECT_EQ(name(g, r.revision("1975")), C);
  EXPECT_EQ(name(g, r.revision("ae10")), A);
  // The prefix itself may be short: it is the keys that must be longer than three characters.
  EXPECT_EQ(name(g, r.revision("ae1")), A);
  EXPECT_EQ(name(g, r.revision("3")), D);
}

TEST_F(LinearTargets, UnknownRevision) {
  auto e = catch_error<ResolutionFailure>([&] { r.revision("zzzz"); });
  ASSERT_TRUE(e);
  EXPECT_STREQ(e->sqlstate(), "42704");
  EXPECT_STREQ(e->what(), "Can't locate revision identified by 'zzzz'");
  EXPECT_EQ(e->argument, "zzzz");
  EXPECT_EQ(e->detail(), "No such revision or branch 'zzzz'");
}

TEST_F(LinearTargets, UnknownShortRevisionAsksForFourCharacters) {
  auto e = catch_error<ResolutionFailure>([&] { r.revision("abc@head"); });
  ASSERT_TRUE(e);
  EXPECT_STREQ(e->what(), "Can't locate revision identified by 'abc'");
  EXPECT_EQ(e->detail(), "No such revision or branch 'abc'; please ensure at least four characters are present "
                         "for partial revision identifier matches");
}

TEST_F(LinearTargets, EmptyIdNamesNothing) {
  // An empty string is a prefix of every id; it must not pick one.
  RevisionGraph single({rev(A)});
  TargetResolver one(single);
  auto e = catch_error<ResolutionFailure>([&] { one.revision(""); });
  ASSERT_TRUE(e);
  EXPECT_STREQ(e->what(), "Can't locate revision identified by ''");
  EXPECT_TRUE(catch_error<ResolutionFailure>([&] { one.revisions(Spec{""}); }));
  EXPECT_TRUE(catch_error<ResolutionFailure>([&] { r.revision(""); }));
}

TEST_F(LinearTargets, EmptyBranchIsNoBranch) {
  // Alembic: `@head` splits into an empty branch label, which counts as none.
  EXPECT_EQ(name(g, r.revision("@head")), D);
  EXPECT_EQ(name(g, r.revision("@" + B)), B);
  EXPECT_EQ(names(g, r.revisions(Spec{"@heads"})), Strings({D}));
}

TEST_F(LinearTargets, ListOfIds) {
  EXPECT_EQ(names(g, r.revisions(Spec{Strings{A, "1975"}})), Strings({A, C}));
  EXPECT_TRUE(r.revisions(Spec{Strings{}}).empty());
}

TEST_F(LinearTargets, RevisionAsBranchName) {
  // Without labels, rev@x checks that x shares rev's lineage.
  EXPECT_EQ(name(g, r.revision(A + "@head")), D);
  EXPECT_EQ(name(g, r.revision("ae10@head")), D);
  EXPECT_EQ(name(g, r.revision("ae10@1975")), C);
}

TEST_F(LinearTargets, RelativeUpgradeFromCurrent) {
  EXPECT_EQ(up(Strings{A}, "+2"), C);
  EXPECT_EQ(up(Strings{A}, "+1"), B);
  // From nothing applied, +1 is the base revision.
  EXPECT_EQ(up(Strings{}, "+1"), A);
  EXPECT_EQ(up(Strings{}, "+2"), B);
  EXPECT_EQ(up(Strings{}, "+4"), D);
}

TEST_F(LinearTargets, RelativeUpgradePastTheEnd) {
  auto e = catch_error([&] { r.parse_upgrade_target(Strings{D}, "+1", true); });
  ASSERT_TRUE(e);
  EXPECT_STREQ(e->what(), "Relative revision +1 didn't produce 1 migrations");
  auto five = catch_error([&] { r.parse_upgrade_target(Strings{}, "+5", true); });
  ASSERT_TRUE(five);
  EXPECT_STREQ(five->what(), "Relative revision +5 didn't produce 5 migrations");
  // Without assert_relative_length the walk stops at the last revision.
  EXPECT_EQ(up(Strings{D}, "+1", false), D);
  EXPECT_EQ(up(Strings{}, "+5", false), D);
}

TEST_F(LinearTargets, RelativeUpgradeFromASymbol) {
  EXPECT_EQ(up(Strings{}, "ae10+2"), C);
  EXPECT_EQ(up(Strings{D}, "ae10+2"), C);
  EXPECT_EQ(up(Strings{}, "head-1"), C);
  EXPECT_EQ(up(Strings{}, "heads-1"), C);
  EXPECT_EQ(up(Strings{}, "3cd5-1"), C);
  EXPECT_EQ(up(Strings{}, "3cd5-4"), "<base>");
  // Past either end with a symbol: no revision, and no error at this level.
  EXPECT_EQ(up(Strings{}, "ae10+4"), "<none>");
  EXPECT_EQ(up(Strings{}, "3cd5-5"), "<none>");
}

TEST_F(LinearTargets, UpgradeToMinusNFromCurrentIsRefused) {
  auto e = catch_error([&] { r.parse_upgrade_target(Strings{D}, "-1", true); });
  ASSERT_TRUE(e);
  EXPECT_STREQ(e->what(), "Relative revision -1 didn't produce 1 migrations");
}

TEST_F(LinearTargets, RelativeDowngradeFromCurrent) {
  EXPECT_EQ(down(Strings{D}, "-1"), std::make_pair(D, C));
  EXPECT_EQ(down(Strings{D}, "-3"), std::make_pair(D, A));
  EXPECT_EQ(down(Strings{D}, "-4"), std::make_pair(D, std::string("<base>")));
  auto e = catch_error([&] { r.parse_downgrade_target(Strings{D}, "-5", true); });
  ASSERT_TRUE(e);
  EXPECT_STREQ(e->what(), "Relative revision -5 didn't produce 5 migrations");
  EXPECT_EQ(down(Strings{D}, "-5", false), std::make_pair(D, std::string("<base>")));
  auto nothing = catch_error([&] { r.parse_downgrade_target(Strings{}, "-1", true); });
  ASSERT_TRUE(nothing);
  EXPECT_STREQ(nothing->what(), "Relative revision -1 didn't produce 1 migrations");
}

TEST_F(LinearTargets, RelativeDowngradeFromASymbol) {
  EXPECT_EQ(down(Strings{D}, "1975-1"), std::make_pair(std::string("<no branch>"), B));
  EXPECT_EQ(down(Strings{D}, "1975+1"), std::make_pair(std::string("<no branch>"), D));
  auto e = catch_error([&] { r.parse_downgrade_target(Strings{D}, "1975+2", true); });
  ASSERT_TRUE(e);
  EXPECT_STREQ(e->what(), "Walked too far");
  auto below = catch_error([&] { r.parse_downgrade_target(Strings{D}, "1975-4", true); });
  ASSERT_TRUE(below);
  EXPECT_STREQ(below->what(), "Walked too far");
  auto plus = catch_error([&] { r.parse_downgrade_target(Strings{D}, "+1", true); });
  ASSERT_TRUE(plus);
  EXPECT_STREQ(plus->what(), "Relative revision +1 didn't produce 1 migrations");
}

TEST_F(LinearTargets, AbsoluteDowngradeTargets) {
  EXPECT_EQ(down(Strings{D}, "base"), std::make_pair(std::string("<no branch>"), std::string("<none>")));
  EXPECT_EQ(down(Strings{D}, "27c6"), std::make_pair(std::string("<no branch>"), B));
  auto [branch, node] = r.parse_downgrade_target(Strings{D}, std::nullopt, true);
  EXPECT_FALSE(branch);
  EXPECT_EQ(node.kind, Position::nowhere);
}

TEST_F(LinearTargets, MinusNWalksDownFromTheHeads) {
  EXPECT_EQ(names(g, r.revisions(Spec{"-1"})), Strings({C}));
  EXPECT_EQ(names(g, r.revisions(Spec{"-2"})), Strings({B}));
}

TEST_F(LinearTargets, Walk) {
  Position a = Position::at(vertex(g, A));
  EXPECT_EQ(name(g, r.walk(a, 3, std::nullopt, true)), D);
  EXPECT_EQ(name(g, r.walk(a, 4, std::nullopt, true)), "<none>");
  EXPECT_EQ(name(g, r.walk(a, 4, std::nullopt, false)), D);
  EXPECT_EQ(name(g, r.walk(a, -1, std::nullopt, true)), "<base>");
  EXPECT_EQ(name(g, r.walk(a, -2, std::nullopt, true)), "<none>");
  EXPECT_EQ(name(g, r.walk(a, -2, std::nullopt, false)), "<base>");
  EXPECT_EQ(name(g, r.walk(a, 0, std::nullopt, true)), A);
  // From nowhere: up starts at the bases, down at the heads.
  EXPECT_EQ(name(g, r.walk(Position::none(), 1, std::nullopt, true)), A);
  EXPECT_EQ(name(g, r.walk(Position::none(), -1, std::nullopt, true)), D);
}

TEST_F(LinearTargets, UpgradeSetFromCurrent) {
  auto set = r.upgrade_set(Spec{"head"}, Spec{Strings{B}}, false, false, true);
  EXPECT_EQ(id_set(g, set.needed), IdSet({C, D}));
  EXPECT_EQ(id_set(g, set.targets), IdSet({D}));
  auto from_base = r.upgrade_set(Spec{"heads"}, Spec{Strings{}}, false, false, true);
  EXPECT_EQ(id_set(g, from_base.needed), IdSet({A, B, C, D}));
  auto inclusive = r.upgrade_set(Spec{C}, Spec{A}, true, false, true);
  EXPECT_EQ(id_set(g, inclusive.needed), IdSet({A, B, C}));
  auto exclusive = r.upgrade_set(Spec{C}, Spec{A}, false, false, true);
  EXPECT_EQ(id_set(g, exclusive.needed), IdSet({B, C}));
  auto nothing = r.upgrade_set(Spec{"head"}, Spec{Strings{D}}, false, false, true);
  EXPECT_TRUE(nothing.needed.none());
  auto relative = r.upgrade_set(Spec{"+2"}, Spec{Strings{A}}, false, false, true);
  EXPECT_EQ(id_set(g, relative.needed), IdSet({B, C}));
}

TEST_F(LinearTargets, UpgradeSetBelowCurrentIsNotARange) {
  auto e = catch_error<RangeNotAncestor>([&] { r.upgrade_set(Spec{B}, Spec{Strings{D}}, false, false, true); });
  ASSERT_TRUE(e);
  EXPECT_EQ(std::string(e->what()).rfind("Requested range", 0), 0u) << e->what();
}

TEST_F(BranchedTargets, HeadWithSeveralHeads) {
  auto e = catch_error<MultipleHeads>([&] { r.revision("head"); });
  ASSERT_TRUE(e);
  EXPECT_STREQ(e->sqlstate(), "21000");
  EXPECT_STREQ(e->what(), "Multiple head revisions are present for given argument 'head'; please specify a specific "
                          "target revision, '<branchname>@head' to narrow to a specific head, or 'heads' for all "
                          "heads");
  EXPECT_EQ(e->heads, Strings({D, F}));
  EXPECT_EQ(e->argument, "head");
  EXPECT_NE(e->detail().find(D), std::string::npos);
  EXPECT_NE(e->detail().find(F), std::string::npos);
  EXPECT_FALSE(e->hint().empty());

  auto current = catch_error<MultipleHeads>([&] { r.current_head(std::nullopt); });
  ASSERT_TRUE(current);
  EXPECT_EQ(current->argument, "head");
  EXPECT_TRUE(catch_error<MultipleHeads>([&] { r.revisions(Spec{"head"}); }));
}

TEST_F(BranchedTargets, HeadsAndBase) {
  EXPECT_EQ(names(g, r.revisions(Spec{"heads"})), Strings({D, F}));
  EXPECT_TRUE(r.revisions(Spec{"base"}).empty());
  EXPECT_FALSE(r.revision("base"));
  // `heads` through revision() is several revisions: refused like head.
  auto e = catch_error<MultipleHeads>([&] { r.revision("heads"); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->argument, "heads");
}

TEST_F(BranchedTargets, LabelAtHead) {
  EXPECT_EQ(name(g, r.revision("left@head")), D);
  EXPECT_EQ(name(g, r.revision("right@head")), F);
  EXPECT_EQ(name(g, r.current_head(std::string("left"))), D);
  EXPECT_EQ(names(g, r.revisions(Spec{"left@heads"})), Strings({D}));
  // A revision id can stand for its branch.
  EXPECT_EQ(name(g, r.revision(E + "@head")), F);
}

TEST_F(BranchedTargets, BranchPointAtHeadIsAmbiguous) {
  auto e = catch_error<MultipleHeads>([&] { r.revision("27c6@head"); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->argument, "27c6@head");
  EXPECT_EQ(std::string(e->what()), multiple_heads_message("27c6@head"));
}

TEST_F(BranchedTargets, EmptyBranchAtHeadIsHead) {
  auto e = catch_error<MultipleHeads>([&] { r.revision("@head"); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->argument, "head");
}

TEST_F(BranchedTargets, LabelAtBase) {
  EXPECT_FALSE(r.revision("left@base"));
  EXPECT_TRUE(r.revisions(Spec{"left@base"}).empty());
  auto [branch, node] = r.parse_downgrade_target(Strings{D, F}, std::string("left@base"), true);
  EXPECT_EQ(branch, std::optional<std::string>("left"));
  EXPECT_EQ(node.kind, Position::nowhere);
}

TEST_F(BranchedTargets, UnknownLabel) {
  auto e = catch_error<ResolutionFailure>([&] { r.revision("nobranch@head"); });
  ASSERT_TRUE(e);
  EXPECT_STREQ(e->what(), "Can't locate revision identified by 'nobranch'");
  EXPECT_EQ(e->argument, "nobranch");
  auto at_base = catch_error<ResolutionFailure>([&] { r.revision("nobranch@base"); });
  ASSERT_TRUE(at_base);
  EXPECT_EQ(at_base->detail(), "No such branch: 'nobranch'");
}

TEST_F(BranchedTargets, LabelAtRevision) {
  EXPECT_EQ(name(g, r.revision("left@" + C)), C);
  EXPECT_EQ(name(g, r.revision("left@3cd5")), D);
  // B is below the branch point: an ancestor of left, so a member of its lineage.
  EXPECT_EQ(name(g, r.revision("left@27c6")), B);
}

TEST_F(BranchedTargets, LabelAtRevisionOffTheBranch) {
  auto e = catch_error<ResolutionFailure>([&] { r.revision("left@" + E); });
  ASSERT_TRUE(e);
  EXPECT_STREQ(e->sqlstate(), "42704");
  EXPECT_EQ(std::string(e->what()), "Can't locate revision identified by '" + E + "'");
  EXPECT_EQ(e->detail(), "Revision " + E + " is not a member of branch 'left'");
  EXPECT_NE(e->detail().find("is not a member of branch"), std::string::npos);
  // A prefix is first narrowed to the branch, so it does not match at all.
  auto prefix = catch_error<ResolutionFailure>([&] { r.revision("left@4f2e"); });
  ASSERT_TRUE(prefix);
  EXPECT_EQ(prefix->detail(), "No such revision or branch '4f2e'");
}

TEST_F(BranchedTargets, LabelsAreLookupKeys) {
  EXPECT_EQ(name(g, r.revision("left")), C);
  EXPECT_EQ(name(g, r.revision("right")), E);
  // Label prefixes match as revision prefixes do.
  EXPECT_EQ(name(g, r.revision("lef")), C);
  EXPECT_EQ(name(g, r.revision("righ")), E);
}

TEST_F(BranchedTargets, RelativeUpgrade) {
  auto one = r.parse_upgrade_target(Strings{A}, std::string("+1"), true);
  EXPECT_EQ(names(g, one), Strings({B}));
  auto e = catch_error([&] { r.parse_upgrade_target(Strings{A}, std::string("+2"), true); });
  ASSERT_TRUE(e);
  EXPECT_STREQ(e->what(), "Ambiguous walk");
  EXPECT_EQ(names(g, r.parse_upgrade_target(Strings{}, std::string("+1"), true)), Strings({A}));
}

TEST_F(BranchedTargets, RelativeUpgradeOnABranch) {
  EXPECT_EQ(names(g, r.parse_upgrade_target(Strings{B}, std::string("left@+1"), true)), Strings({C}));
  EXPECT_EQ(names(g, r.parse_upgrade_target(Strings{B}, std::string("right@+2"), true)), Strings({F}));
  auto e = catch_error([&] { r.parse_upgrade_target(Strings{B}, std::string("right@+3"), true); });
  ASSERT_TRUE(e);
  EXPECT_STREQ(e->what(), "Relative revision +3 didn't produce 3 migrations");
  // The right branch is not at a current head: it starts below, at the branch point.
  EXPECT_EQ(names(g, r.parse_upgrade_target(Strings{D}, std::string("right@+1"), true)), Strings({E}));
  EXPECT_EQ(names(g, r.parse_upgrade_target(Strings{}, std::string("left@27c6+1"), true)), Strings({C}));
}

TEST_F(BranchedTargets, RelativeUpgradeFromSeveralCurrentHeads) {
  auto e = catch_error([&] { r.parse_upgrade_target(Strings{D, F}, std::string("+1"), true); });
  ASSERT_TRUE(e);
  EXPECT_STREQ(e->what(), "Ambiguous upgrade from multiple current revisions");
}

TEST_F(BranchedTargets, RelativeDowngrade) {
  auto [branch, node] = r.parse_downgrade_target(Strings{D}, std::string("-1"), true);
  EXPECT_EQ(branch, std::optional<std::string>(D));
  EXPECT_EQ(name(g, node), C);
  auto [left, left_node] = r.parse_downgrade_target(Strings{D, F}, std::string("left@-1"), true);
  EXPECT_EQ(left, std::optional<std::string>("left"));
  EXPECT_EQ(name(g, left_node), C);
  auto [right, right_node] = r.parse_downgrade_target(Strings{D, F}, std::string("right@-2"), true);
  EXPECT_EQ(right, std::optional<std::string>("right"));
  EXPECT_EQ(name(g, right_node), B);
  auto [none, absolute] = r.parse_downgrade_target(Strings{D, F}, std::string("3cd5-1"), true);
  EXPECT_FALSE(none);
  EXPECT_EQ(name(g, absolute), C);
  auto [on_left, walked] = r.parse_downgrade_target(Strings{D, F}, std::string("left@27c6+1"), true);
  EXPECT_EQ(on_left, std::optional<std::string>("left"));
  EXPECT_EQ(name(g, walked), C);
  auto e = catch_error([&] { r.parse_downgrade_target(Strings{D, F}, std::string("27c6+1"), true); });
  ASSERT_TRUE(e);
  EXPECT_STREQ(e->what(), "Ambiguous walk");
}

TEST_F(BranchedTargets, LabelMinusNWalksDownFromThatBranchsHead) {
  EXPECT_EQ(names(g, r.revisions(Spec{"left@-1"})), Strings({C}));
  EXPECT_EQ(names(g, r.revisions(Spec{"-1"})), Strings({C, E}));
}

TEST_F(BranchedTargets, WalkDownFromABranchPointIsAmbiguousOnlyUpward) {
  Position b = Position::at(vertex(g, B));
  EXPECT_THROW(r.walk(b, 1, std::nullopt, true), Error);
  EXPECT_EQ(name(g, r.walk(b, 1, std::string("right"), true)), E);
  EXPECT_EQ(name(g, r.walk(b, -1, std::nullopt, true)), A);
  // Down from nowhere starts at the heads, which are two.
  EXPECT_THROW(r.walk(Position::none(), -1, std::nullopt, true), Error);
}

TEST_F(BranchedTargets, FilterForLineage) {
  std::vector<Vertex> all;
  for (Vertex v = 0; v < g.size(); ++v)
    all.push_back(v);
  EXPECT_EQ(id_set(g, r.filter_for_lineage(all, "left")), IdSet({A, B, C, D}));
  EXPECT_EQ(id_set(g, r.filter_for_lineage(all, "right")), IdSet({A, B, E, F}));
  EXPECT_EQ(id_set(g, r.filter_for_lineage(all, B)), IdSet({A, B, C, D, E, F}));
  EXPECT_EQ(id_set(g, r.filter_for_lineage(g.heads(), "left")), IdSet({D}));
}

TEST_F(BranchedTargets, UpgradeSetFromCurrentToHeads) {
  EXPECT_EQ(upgrade(Spec{"heads"}, Spec{Strings{B}}), std::make_pair(IdSet({C, D, E, F}), IdSet({D, F})));
  EXPECT_EQ(upgrade(Spec{"left@head"}, Spec{Strings{B}}), std::make_pair(IdSet({C, D}), IdSet({D})));
  EXPECT_EQ(upgrade(Spec{"heads"}, Spec{Strings{}}), std::make_pair(IdSet({A, B, C, D, E, F}), IdSet({D, F})));
  EXPECT_EQ(upgrade(Spec{D}, Spec{"base"}), std::make_pair(IdSet({A, B, C, D}), IdSet({D})));
  EXPECT_EQ(upgrade(Spec{D}, Spec{A}, true), std::make_pair(IdSet({A, B, C, D}), IdSet({D})));
  EXPECT_EQ(upgrade(Spec{"left@+1"}, Spec{Strings{B}}), std::make_pair(IdSet({C}), IdSet({C})));
}

TEST_F(BranchedTargets, UpgradeSetFromOneBranchHead) {
  // Without implicit_base only what descends from the current revisions counts.
  EXPECT_EQ(upgrade(Spec{"heads"}, Spec{Strings{D}}), std::make_pair(IdSet{}, IdSet({D, F})));
  EXPECT_EQ(upgrade(Spec{"heads"}, Spec{Strings{D}}, false, true), std::make_pair(IdSet({E, F}), IdSet({D, F})));
  EXPECT_EQ(upgrade(Spec{D}, Spec{Strings{E}}, false, true), std::make_pair(IdSet({C, D}), IdSet({D})));
}

TEST_F(BranchedTargets, UpgradeSetLowerOnALabelKeepsThatBranchsTargets) {
  EXPECT_EQ(upgrade(Spec{"heads"}, Spec{"left@" + B}), std::make_pair(IdSet({C, D}), IdSet({D})));
}

TEST_F(BranchedTargets, UpgradeSetRefusals) {
  auto heads = catch_error<MultipleHeads>([&] { upgrade(Spec{"head"}, Spec{Strings{B}}); });
  ASSERT_TRUE(heads);
  auto off = catch_error<RangeNotAncestor>([&] { upgrade(Spec{D}, Spec{Strings{E}}); });
  ASSERT_TRUE(off);
  EXPECT_EQ(off->lower, E);
  EXPECT_EQ(off->upper, D);
  auto overlap = catch_error([&] { upgrade(Spec{Strings{D, C}}, Spec{Strings{}}); });
  ASSERT_TRUE(overlap);
  EXPECT_EQ(std::string(overlap->what()), "Requested revision " + D + " overlaps with other requested revisions " + C);
  // Every overlapping revision is named, as Alembic does.
  auto several = catch_error([&] { upgrade(Spec{Strings{D, C, B}}, Spec{Strings{}}); });
  ASSERT_TRUE(several);
  EXPECT_EQ(std::string(several->what()),
            "Requested revision " + D + " overlaps with other requested revisions " + C + ", " + B);
  auto ambiguous = catch_error([&] { upgrade(Spec{"+1"}, Spec{Strings{B}}); });
  ASSERT_TRUE(ambiguous);
  EXPECT_STREQ(ambiguous->what(), "Ambiguous walk");
}

// Prefixes that match several ids or labels.
TEST(Targets, AmbiguousPrefix) {
  RevisionGraph g({rev("abcd1111"), rev("abcd2222", {"abcd1111"}), rev("abcf", {"abcd2222"})});
  TargetResolver r(g);
  auto e = catch_error([&] { r.revision("abcd"); });
  ASSERT_TRUE(e);
  EXPECT_STREQ(e->sqlstate(), "21000");
  // Alembic shows the command user "Can't locate revision ..."; the cause is kept in the detail.
  EXPECT_STREQ(e->what(), "Can't locate revision identified by 'abcd'");
  EXPECT_EQ(e->detail(), "Multiple revisions start with 'abcd': 'abcd1111', 'abcd2222'...");
  EXPECT_FALSE(e->hint().empty());
  EXPECT_THROW(r.revision("abc"), Error);
  EXPECT_EQ(g.id(*r.revision("abcd1")), "abcd1111");
  EXPECT_EQ(g.id(*r.revision("abcf")), "abcf");
}

TEST(Targets, ShortKeysNeverMatchAsPrefixes) {
  RevisionGraph g({rev("abc"), rev("abd", {"abc"})});
  TargetResolver r(g);
  EXPECT_EQ(g.id(*r.revision("abc")), "abc");
  auto e = catch_error<ResolutionFailure>([&] { r.revision("ab"); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->detail(), "No such revision or branch 'ab'; please ensure at least four characters are present for "
                         "partial revision identifier matches");
}

TEST(Targets, EmptyGraph) {
  RevisionGraph g({});
  TargetResolver r(g);
  EXPECT_FALSE(r.revision("head"));
  EXPECT_TRUE(r.revisions(Spec{"heads"}).empty());
  EXPECT_FALSE(r.current_head(std::nullopt));
  EXPECT_TRUE(catch_error<ResolutionFailure>([&] { r.revision("ae10"); }));
}

TEST(Targets, DescribeSpec) {
  EXPECT_EQ(describe(Spec{"head"}), "head");
  EXPECT_EQ(describe(Spec{Strings{}}), "base");
  EXPECT_EQ(describe(Spec{Strings{"a", "b"}}), "a,b");
}

TEST(Targets, UpgradeSetFollowsDependencies) {
  // a <- b ; x <- y, y depends on b: upgrading to y needs a and b too.
  RevisionGraph g({rev("aaaa"), rev("bbbb", {"aaaa"}), rev("xxxx"), rev("yyyy", {"xxxx"}, {}, {"bbbb"})});
  TargetResolver r(g);
  auto set = r.upgrade_set(Spec{"yyyy"}, Spec{Strings{}}, false, false, true);
  EXPECT_EQ(id_set(g, set.needed), IdSet({"aaaa", "bbbb", "xxxx", "yyyy"}));
  auto from_x = r.upgrade_set(Spec{"yyyy"}, Spec{Strings{"xxxx"}}, false, true, true);
  EXPECT_EQ(id_set(g, from_x.needed), IdSet({"aaaa", "bbbb", "yyyy"}));
  auto strict = r.upgrade_set(Spec{"yyyy"}, Spec{Strings{"xxxx"}}, false, false, true);
  EXPECT_EQ(id_set(g, strict.needed), IdSet({"yyyy"}));
  // heads are the real heads: bbbb has a dependent, so it is not one of them.
  EXPECT_EQ(id_set(g, std::vector<Vertex>{r.revisions(Spec{"heads"}).front().vertex}), IdSet({"yyyy"}));
  EXPECT_EQ(r.revisions(Spec{"heads"}).size(), 1u);
  // ... but `head` counts both heads (Alembic's get_current_head uses heads, not real heads).
  EXPECT_TRUE(catch_error<MultipleHeads>([&] { r.revision("head"); }));
}

} // namespace
} // namespace migrate
