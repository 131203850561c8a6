#include "core/revision_graph.hpp"

#include "test_support.hpp"

#include <gtest/gtest.h>

#include <map>

namespace migrate {
namespace {

using test::catch_error;
using test::id_set;
using test::IdSet;
using test::rev;
using test::vertex;
using test::vertices;
using Vertex = RevisionGraph::Vertex;

// a <- b <- c
RevisionGraph linear() {
  return RevisionGraph({rev("a"), rev("b", {"a"}), rev("c", {"b"})});
}

// a <- b, a <- c, d <- (b, c)
RevisionGraph diamond() {
  return RevisionGraph({rev("a"), rev("b", {"a"}), rev("c", {"a"}), rev("d", {"b", "c"})});
}

// a <- b, and a second base x that depends_on b.
RevisionGraph with_dependency() {
  return RevisionGraph({rev("a"), rev("b", {"a"}), rev("x", {}, {}, {"b"})});
}

TEST(RevisionGraph, EmptyGraph) {
  RevisionGraph g({});
  EXPECT_EQ(g.size(), 0u);
  EXPECT_TRUE(g.heads().empty());
  EXPECT_TRUE(g.real_heads().empty());
  EXPECT_TRUE(g.bases().empty());
  EXPECT_TRUE(g.newest_first().empty());
  EXPECT_FALSE(g.find("a"));
}

TEST(RevisionGraph, SingleRevisionIsHeadAndBase) {
  RevisionGraph g({rev("only")});
  EXPECT_EQ(id_set(g, g.heads()), IdSet({"only"}));
  EXPECT_EQ(id_set(g, g.real_heads()), IdSet({"only"}));
  EXPECT_EQ(id_set(g, g.bases()), IdSet({"only"}));
  EXPECT_TRUE(g.is_real_base(vertex(g, "only")));
}

TEST(RevisionGraph, FindAndInfo) {
  auto g = linear();
  ASSERT_TRUE(g.find("b"));
  EXPECT_EQ(g.id(*g.find("b")), "b");
  EXPECT_EQ(g.info(vertex(g, "c")).down_revisions, std::vector<std::string>({"b"}));
  EXPECT_FALSE(g.find("bb"));
  EXPECT_FALSE(g.find("B"));
  // Vertices follow registration order.
  EXPECT_EQ(vertex(g, "a"), 0u);
  EXPECT_EQ(vertex(g, "c"), 2u);
}

TEST(RevisionGraph, LinearShape) {
  auto g = linear();
  EXPECT_EQ(id_set(g, g.heads()), IdSet({"c"}));
  EXPECT_EQ(id_set(g, g.real_heads()), IdSet({"c"}));
  EXPECT_EQ(id_set(g, g.bases()), IdSet({"a"}));
  EXPECT_TRUE(g.branch_points().empty());
  EXPECT_TRUE(g.merge_points().empty());
  EXPECT_EQ(id_set(g, g.children(vertex(g, "a"))), IdSet({"b"}));
  EXPECT_EQ(id_set(g, g.down_revisions(vertex(g, "c"))), IdSet({"b"}));
  EXPECT_TRUE(g.down_revisions(vertex(g, "a")).empty());
}

TEST(RevisionGraph, BranchAndMergePoints) {
  auto g = diamond();
  EXPECT_EQ(id_set(g, g.heads()), IdSet({"d"}));
  EXPECT_EQ(id_set(g, g.bases()), IdSet({"a"}));
  EXPECT_EQ(id_set(g, g.branch_points()), IdSet({"a"}));
  EXPECT_EQ(id_set(g, g.merge_points()), IdSet({"d"}));
  EXPECT_TRUE(g.is_branch_point(vertex(g, "a")));
  EXPECT_FALSE(g.is_branch_point(vertex(g, "b")));
  EXPECT_TRUE(g.is_merge_point(vertex(g, "d")));
  EXPECT_FALSE(g.is_merge_point(vertex(g, "b")));
  EXPECT_EQ(id_set(g, g.children(vertex(g, "a"))), IdSet({"b", "c"}));
  EXPECT_EQ(id_set(g, g.down_revisions(vertex(g, "d"))), IdSet({"b", "c"}));
}

TEST(RevisionGraph, TwoHeadsAfterABranch) {
  RevisionGraph g({rev("a"), rev("b", {"a"}), rev("c", {"a"})});
  EXPECT_EQ(id_set(g, g.heads()), IdSet({"b", "c"}));
  EXPECT_EQ(id_set(g, g.real_heads()), IdSet({"b", "c"}));
  EXPECT_EQ(id_set(g, g.branch_points()), IdSet({"a"}));
}

TEST(RevisionGraph, SeveralBases) {
  RevisionGraph g({rev("a"), rev("x"), rev("m", {"a", "x"})});
  EXPECT_EQ(id_set(g, g.bases()), IdSet({"a", "x"}));
  EXPECT_EQ(id_set(g, g.heads()), IdSet({"m"}));
  EXPECT_EQ(id_set(g, g.merge_points()), IdSet({"m"}));
  EXPECT_TRUE(g.branch_points().empty());
}

// Alembic: a depends_on edge keeps the dependency a head (heads) but not a real head.
TEST(RevisionGraph, DependencyKeepsHeadButNotRealHead) {
  auto g = with_dependency();
  EXPECT_EQ(id_set(g, g.heads()), IdSet({"b", "x"}));
  EXPECT_EQ(id_set(g, g.real_heads()), IdSet({"x"}));
  EXPECT_TRUE(g.is_head(vertex(g, "b")));
  EXPECT_FALSE(g.is_real_head(vertex(g, "b")));
  // x has no down_revisions: a base, but not a real base since it depends on b.
  EXPECT_EQ(id_set(g, g.bases()), IdSet({"a", "x"}));
  EXPECT_TRUE(g.is_base(vertex(g, "x")));
  EXPECT_FALSE(g.is_real_base(vertex(g, "x")));
  EXPECT_TRUE(g.is_real_base(vertex(g, "a")));
  EXPECT_TRUE(g.children(vertex(g, "b")).empty());
  EXPECT_EQ(id_set(g, g.all_children(vertex(g, "b"))), IdSet({"x"}));
  EXPECT_EQ(id_set(g, g.dependencies(vertex(g, "x"))), IdSet({"b"}));
}

TEST(RevisionGraph, DependencyMakesRealBranchPoint) {
  // b has one child through down_revisions (c) and one dependent (x).
  RevisionGraph g({rev("a"), rev("b", {"a"}), rev("c", {"b"}), rev("x", {}, {}, {"b"})});
  EXPECT_FALSE(g.is_branch_point(vertex(g, "b")));
  EXPECT_TRUE(g.is_real_branch_point(vertex(g, "b")));
  EXPECT_TRUE(g.branch_points().empty());
}

TEST(RevisionGraph, AncestorsAndDescendantsIncludeStart) {
  auto g = linear();
  EXPECT_EQ(id_set(g, g.ancestors({vertex(g, "c")}, false)), IdSet({"a", "b", "c"}));
  EXPECT_EQ(id_set(g, g.ancestors({vertex(g, "b")}, false)), IdSet({"a", "b"}));
  EXPECT_EQ(id_set(g, g.ancestors({vertex(g, "a")}, false)), IdSet({"a"}));
  EXPECT_EQ(id_set(g, g.descendants({vertex(g, "a")}, false)), IdSet({"a", "b", "c"}));
  EXPECT_EQ(id_set(g, g.descendants({vertex(g, "b")}, false)), IdSet({"b", "c"}));
  EXPECT_EQ(id_set(g, g.descendants({vertex(g, "c")}, false)), IdSet({"c"}));
  EXPECT_TRUE(g.ancestors({}, true).none());
}

TEST(RevisionGraph, AncestorsOfSeveralStarts) {
  auto g = diamond();
  EXPECT_EQ(id_set(g, g.ancestors(vertices(g, {"b", "c"}), false)), IdSet({"a", "b", "c"}));
  EXPECT_EQ(id_set(g, g.ancestors({vertex(g, "d")}, false)), IdSet({"a", "b", "c", "d"}));
  EXPECT_EQ(id_set(g, g.descendants({vertex(g, "b")}, false)), IdSet({"b", "d"}));
  EXPECT_EQ(id_set(g, g.descendants(vertices(g, {"b", "c"}), false)), IdSet({"b", "c", "d"}));
}

TEST(RevisionGraph, AncestorsAndDescendantsWithDependencies) {
  // a <- b <- c ; x <- y, and y depends_on b.
  RevisionGraph g({rev("a"), rev("b", {"a"}), rev("c", {"b"}), rev("x"), rev("y", {"x"}, {}, {"b"})});
  EXPECT_EQ(id_set(g, g.ancestors({vertex(g, "y")}, false)), IdSet({"x", "y"}));
  EXPECT_EQ(id_set(g, g.ancestors({vertex(g, "y")}, true)), IdSet({"a", "b", "x", "y"}));
  EXPECT_EQ(id_set(g, g.descendants({vertex(g, "a")}, false)), IdSet({"a", "b", "c"}));
  EXPECT_EQ(id_set(g, g.descendants({vertex(g, "a")}, true)), IdSet({"a", "b", "c", "y"}));
  EXPECT_EQ(id_set(g, g.descendants({vertex(g, "c")}, true)), IdSet({"c"}));
  EXPECT_EQ(id_set(g, g.descendants({vertex(g, "x")}, true)), IdSet({"x", "y"}));
}

TEST(RevisionGraph, NormalizedDependenciesDropWhatAnAncestorAlreadyDependsOn) {
  // b depends on x; c (child of b) depends on x and y: x is already covered by b.
  RevisionGraph g({rev("x"), rev("y"), rev("a"), rev("b", {"a"}, {}, {"x"}), rev("c", {"b"}, {}, {"x", "y"})});
  EXPECT_EQ(id_set(g, g.dependencies(vertex(g, "c"))), IdSet({"x", "y"}));
  EXPECT_EQ(id_set(g, g.normalized_dependencies(vertex(g, "c"))), IdSet({"y"}));
  EXPECT_EQ(id_set(g, g.normalized_dependencies(vertex(g, "b"))), IdSet({"x"}));
  EXPECT_TRUE(g.normalized_dependencies(vertex(g, "a")).empty());
}

TEST(RevisionGraph, DependencyOnAParentIsNotADuplicateEdge) {
  // depends_on naming the down_revision too: one edge, still versioned.
  RevisionGraph g({rev("a"), rev("b", {"a"}, {}, {"a"})});
  EXPECT_EQ(id_set(g, g.children(vertex(g, "a"))), IdSet({"b"}));
  EXPECT_EQ(g.all_children(vertex(g, "a")).size(), 1u);
  EXPECT_EQ(id_set(g, g.heads()), IdSet({"b"}));
  EXPECT_EQ(id_set(g, g.real_heads()), IdSet({"b"}));
}

// Checks that `order` lists every revision once, each before its parents and dependencies.
void expect_newest_first(const RevisionGraph &g, const std::vector<Vertex> &order) {
  ASSERT_EQ(order.size(), g.size());
  std::map<Vertex, std::size_t> position;
  for (std::size_t i = 0; i < order.size(); ++i)
    EXPECT_TRUE(position.emplace(order[i], i).second) << g.id(order[i]) << " listed twice";
  for (Vertex v = 0; v < g.size(); ++v) {
    for (Vertex p : g.down_revisions(v))
      EXPECT_LT(position.at(v), position.at(p)) << g.id(v) << " must come before its parent " << g.id(p);
    for (Vertex d : g.dependencies(v))
      EXPECT_LT(position.at(v), position.at(d)) << g.id(v) << " must come before its dependency " << g.id(d);
  }
}

TEST(RevisionGraph, NewestFirstIsATopologicalOrder) {
  expect_newest_first(linear(), linear().newest_first());
  auto d = diamond();
  expect_newest_first(d, d.newest_first());
  // Registered in an order unrelated to the graph order, with dependencies across branches.
  RevisionGraph g({rev("m", {"k", "l"}), rev("k", {"j"}), rev("z", {}, {}, {"m"}), rev("l", {"j"}, {}, {"y"}), rev("j"),
                   rev("y"), rev("w", {"z"}, {}, {"k"}), rev("q", {"y"})});
  expect_newest_first(g, g.newest_first());
  EXPECT_EQ(id_set(g, g.bases()), IdSet({"j", "y", "z"}));
  EXPECT_EQ(id_set(g, g.heads()), IdSet({"m", "w", "q"}));
  EXPECT_EQ(id_set(g, g.real_heads()), IdSet({"w", "q"}));
}

TEST(RevisionGraph, NewestFirstOnALongChain) {
  std::vector<RevisionInfo> revs{rev("r0")};
  for (int i = 1; i < 500; ++i)
    revs.push_back(rev("r" + std::to_string(i), {"r" + std::to_string(i - 1)}));
  RevisionGraph g(revs);
  auto order = g.newest_first();
  expect_newest_first(g, order);
  EXPECT_EQ(g.id(order.front()), "r499");
  EXPECT_EQ(g.id(order.back()), "r0");
}

TEST(RevisionGraph, CycleIsRefusedNamingTheRevisions) {
  auto e = catch_error([] { RevisionGraph({rev("a", {"c"}), rev("b", {"a"}), rev("c", {"b"})}); });
  ASSERT_TRUE(e);
  EXPECT_STREQ(e->sqlstate(), "42P19");
  // Alembic's message for the same map.
  EXPECT_STREQ(e->what(), "Cycle is detected in revisions (a, b, c)");
  EXPECT_NE(e->detail().find(" -> "), std::string::npos) << e->detail();
}

TEST(RevisionGraph, CycleMessageNamesOnlyTheCycle) {
  auto e = catch_error([] {
    RevisionGraph({rev("r0"), rev("r1", {"r0"}), rev("a", {"c"}), rev("b", {"a"}), rev("c", {"b"})});
  });
  ASSERT_TRUE(e);
  EXPECT_STREQ(e->sqlstate(), "42P19");
  std::string message = e->what();
  EXPECT_EQ(message.rfind("Cycle is detected in revisions (", 0), 0u) << message;
  for (const char *id : {"a", "b", "c"})
    EXPECT_NE(message.find(id), std::string::npos) << id << " missing from " << message;
  EXPECT_EQ(message.find("r0"), std::string::npos) << message;
  EXPECT_EQ(message.find("r1"), std::string::npos) << message;
  // The detail walks the cycle and closes it.
  EXPECT_NE(e->detail().find("The cycle is "), std::string::npos);
}

TEST(RevisionGraph, TwoRevisionCycle) {
  auto e = catch_error([] { RevisionGraph({rev("base0"), rev("a", {"b", "base0"}), rev("b", {"a"})}); });
  ASSERT_TRUE(e);
  EXPECT_STREQ(e->sqlstate(), "42P19");
  std::string message = e->what();
  EXPECT_NE(message.find("a"), std::string::npos);
  EXPECT_NE(message.find("b"), std::string::npos);
  EXPECT_EQ(message.find("base0"), std::string::npos) << message;
}

TEST(RevisionGraph, DependencyCycleIsRefused) {
  auto e = catch_error([] { RevisionGraph({rev("a"), rev("b", {"a"}, {}, {"c"}), rev("c", {"a"}, {}, {"b"})}); });
  ASSERT_TRUE(e);
  EXPECT_STREQ(e->sqlstate(), "42P19");
  std::string message = e->what();
  EXPECT_EQ(message.rfind("Dependency cycle is detected in revisions (", 0), 0u) << message;
  EXPECT_NE(message.find("b"), std::string::npos);
  EXPECT_NE(message.find("c"), std::string::npos);
}

TEST(RevisionGraph, CycleThroughADownRevisionAndADependency) {
  // b descends from a, and a depends on b.
  auto e = catch_error([] { RevisionGraph({rev("a", {}, {}, {"b"}), rev("b", {"a"})}); });
  ASSERT_TRUE(e);
  EXPECT_STREQ(e->sqlstate(), "42P19");
  EXPECT_STREQ(e->what(), "Dependency cycle is detected in revisions (a, b)");
}

TEST(RevisionGraph, DependencyCycleThroughALabel) {
  // b depends on the label declared by c, and c descends from b.
  auto e = catch_error([] { RevisionGraph({rev("a"), rev("b", {"a"}, {}, {"lab"}), rev("c", {"b"}, {"lab"})}); });
  ASSERT_TRUE(e);
  EXPECT_STREQ(e->sqlstate(), "42P19");
  EXPECT_EQ(std::string(e->what()).rfind("Dependency cycle", 0), 0u) << e->what();
}

TEST(RevisionGraph, SelfLoop) {
  auto e = catch_error([] { RevisionGraph({rev("a", {"a"})}); });
  ASSERT_TRUE(e);
  EXPECT_STREQ(e->sqlstate(), "42P19");
  EXPECT_STREQ(e->what(), "Self-loop is detected in revisions (a)");
}

TEST(RevisionGraph, DependencySelfLoop) {
  auto e = catch_error([] { RevisionGraph({rev("z"), rev("a", {"z"}, {}, {"a"})}); });
  ASSERT_TRUE(e);
  EXPECT_STREQ(e->sqlstate(), "42P19");
  EXPECT_STREQ(e->what(), "Dependency self-loop is detected in revisions (a)");
}

TEST(RevisionGraph, UnknownParent) {
  auto e = catch_error([] { RevisionGraph({rev("a"), rev("b", {"nope"})}); });
  ASSERT_TRUE(e);
  EXPECT_STREQ(e->sqlstate(), "42704");
  EXPECT_STREQ(e->what(), "revision b has unknown parent \"nope\"");
  EXPECT_FALSE(e->hint().empty());
}

TEST(RevisionGraph, ParentRegisteredLaterIsFine) {
  // The graph is built from the whole list: order of registration does not matter for edges.
  RevisionGraph g({rev("b", {"a"}), rev("a")});
  EXPECT_EQ(id_set(g, g.heads()), IdSet({"b"}));
  EXPECT_EQ(id_set(g, g.bases()), IdSet({"a"}));
}

TEST(RevisionGraph, UnknownDependency) {
  auto e = catch_error([] { RevisionGraph({rev("a"), rev("b", {"a"}, {}, {"ghost"})}); });
  ASSERT_TRUE(e);
  EXPECT_STREQ(e->sqlstate(), "42704");
  EXPECT_STREQ(e->what(), "revision b depends on unknown revision or branch label \"ghost\"");
  EXPECT_FALSE(e->hint().empty());
}

TEST(RevisionGraph, DuplicateRevisionId) {
  auto e = catch_error([] { RevisionGraph({rev("a"), rev("a")}); });
  ASSERT_TRUE(e);
  EXPECT_STREQ(e->sqlstate(), sqlstate::data_corrupted);
}

TEST(RevisionGraph, DependsOnALabelResolvesToItsDeclaringRevision) {
  // The label is declared on b (not on the branch's head c).
  RevisionGraph g({rev("a"), rev("b", {"a"}, {"feature"}), rev("c", {"b"}), rev("x", {}, {}, {"feature"})});
  EXPECT_EQ(id_set(g, g.dependencies(vertex(g, "x"))), IdSet({"b"}));
  EXPECT_EQ(id_set(g, g.all_children(vertex(g, "b"))), IdSet({"c", "x"}));
  EXPECT_EQ(id_set(g, g.ancestors({vertex(g, "x")}, true)), IdSet({"a", "b", "x"}));
  EXPECT_EQ(id_set(g, g.heads()), IdSet({"c", "x"}));
  // The declared text is kept as it was.
  EXPECT_EQ(g.info(vertex(g, "x")).depends_on, std::vector<std::string>({"feature"}));
}

TEST(RevisionGraph, DependsOnBothALabelAndItsRevisionIsOneEdge) {
  RevisionGraph g({rev("a", {}, {"lab"}), rev("x", {}, {}, {"lab", "a"})});
  EXPECT_EQ(g.dependencies(vertex(g, "x")).size(), 1u);
  EXPECT_EQ(g.all_children(vertex(g, "a")).size(), 1u);
}

TEST(RevisionGraph, DuplicateLabel) {
  auto e = catch_error([] { RevisionGraph({rev("a", {}, {"x"}), rev("b", {"a"}, {"x"})}); });
  ASSERT_TRUE(e);
  EXPECT_STREQ(e->sqlstate(), "42710");
  EXPECT_STREQ(e->what(), "Branch name 'x' in revision b already used by revision a");
}

TEST(RevisionGraph, LabelEqualToARevisionId) {
  auto e = catch_error([] { RevisionGraph({rev("a"), rev("b", {"a"}, {"a"})}); });
  ASSERT_TRUE(e);
  EXPECT_STREQ(e->sqlstate(), "42710");
  EXPECT_NE(std::string(e->what()).find("\"a\""), std::string::npos) << e->what();
  // A label that is a later revision's id clashes too.
  auto later = catch_error([] { RevisionGraph({rev("a", {}, {"b"}), rev("b", {"a"})}); });
  ASSERT_TRUE(later);
  EXPECT_STREQ(later->sqlstate(), "42710");
}

TEST(RevisionGraph, LabelOwnerAndLookup) {
  RevisionGraph g({rev("ae1027a6acf", {}, {"core"}), rev("ae10ff", {"ae1027a6acf"}), rev("abc", {"ae10ff"})});
  ASSERT_TRUE(g.label_owner("core"));
  EXPECT_EQ(g.id(*g.label_owner("core")), "ae1027a6acf");
  EXPECT_FALSE(g.label_owner("ae10ff"));

  std::vector<std::string> keys;
  EXPECT_EQ(id_set(g, g.lookup("core", &keys)), IdSet({"ae1027a6acf"}));
  EXPECT_EQ(keys, std::vector<std::string>({"core"}));
  EXPECT_EQ(id_set(g, g.lookup("ae10", nullptr)), IdSet({"ae1027a6acf", "ae10ff"}));
  EXPECT_EQ(id_set(g, g.lookup("ae10f", nullptr)), IdSet({"ae10ff"}));
  EXPECT_EQ(id_set(g, g.lookup("cor", nullptr)), IdSet({"ae1027a6acf"}));
  // An exact match wins even though it is a prefix of nothing else and only three characters long.
  EXPECT_EQ(id_set(g, g.lookup("abc", nullptr)), IdSet({"abc"}));
  // Keys of three characters or fewer never match as a prefix (Alembic's partial identifiers).
  EXPECT_TRUE(g.lookup("ab", nullptr).empty());
  EXPECT_TRUE(g.lookup("zz", nullptr).empty());
}

// Alembic: a label covers its revision's descendants, and its ancestors down to
// (not including) the nearest branch or merge point.
TEST(RevisionGraph, LabelsOnALineCoverTheWholeLine) {
  RevisionGraph g({rev("a"), rev("b", {"a"}), rev("c", {"b"}), rev("d", {"c"}, {"lab"}), rev("e", {"d"})});
  for (const char *id : {"a", "b", "c", "d", "e"})
    EXPECT_EQ(g.labels(vertex(g, id)), std::set<std::string>({"lab"})) << id;
}

TEST(RevisionGraph, LabelsStopAtTheBranchPoint) {
  // b is a branch point (children c and d); the label is declared on d.
  RevisionGraph g({rev("a"), rev("b", {"a"}), rev("c", {"b"}), rev("d", {"b"}, {"lab"}), rev("e", {"d"})});
  EXPECT_EQ(g.labels(vertex(g, "d")), std::set<std::string>({"lab"}));
  EXPECT_EQ(g.labels(vertex(g, "e")), std::set<std::string>({"lab"}));
  for (const char *id : {"a", "b", "c"})
    EXPECT_TRUE(g.labels(vertex(g, id)).empty()) << id;
}

TEST(RevisionGraph, LabelOnABranchPointCoversBothBranches) {
  RevisionGraph g({rev("a"), rev("b", {"a"}, {"lab"}), rev("c", {"b"}), rev("d", {"b"})});
  for (const char *id : {"b", "c", "d"})
    EXPECT_EQ(g.labels(vertex(g, id)), std::set<std::string>({"lab"})) << id;
  EXPECT_TRUE(g.labels(vertex(g, "a")).empty());
}

TEST(RevisionGraph, LabelsStopAtADependencyBranchPoint) {
  // b has one child (c) and one dependent (x): a real branch point, so the label stops there.
  RevisionGraph g({rev("a"), rev("b", {"a"}), rev("c", {"b"}, {"lab"}), rev("x", {}, {}, {"b"})});
  EXPECT_EQ(g.labels(vertex(g, "c")), std::set<std::string>({"lab"}));
  EXPECT_TRUE(g.labels(vertex(g, "b")).empty());
  EXPECT_TRUE(g.labels(vertex(g, "a")).empty());
  EXPECT_TRUE(g.labels(vertex(g, "x")).empty());
}

TEST(RevisionGraph, LabelsDoNotFollowDependencies) {
  RevisionGraph g(
      {rev("a"), rev("b", {"a"}), rev("c", {"b"}, {"lab"}), rev("d", {"c"}), rev("x"), rev("y", {"x"}, {}, {"d"})});
  for (const char *id : {"a", "b", "c", "d"})
    EXPECT_EQ(g.labels(vertex(g, id)), std::set<std::string>({"lab"})) << id;
  EXPECT_TRUE(g.labels(vertex(g, "x")).empty());
  EXPECT_TRUE(g.labels(vertex(g, "y")).empty());
}

TEST(RevisionGraph, LabelsStopAtAMergePoint) {
  // The label on c reaches the merge m, and the walk down from m stops at once.
  RevisionGraph g({rev("a"), rev("b", {"a"}), rev("c", {"a"}, {"lab"}), rev("m", {"b", "c"})});
  EXPECT_EQ(g.labels(vertex(g, "c")), std::set<std::string>({"lab"}));
  EXPECT_EQ(g.labels(vertex(g, "m")), std::set<std::string>({"lab"}));
  EXPECT_TRUE(g.labels(vertex(g, "a")).empty());
  EXPECT_TRUE(g.labels(vertex(g, "b")).empty());
}

TEST(RevisionGraph, SeveralLabelsOnOneRevision) {
  RevisionGraph g({rev("a"), rev("b", {"a"}, {"x", "y"}), rev("c", {"a"}, {"z"})});
  EXPECT_EQ(g.labels(vertex(g, "b")), std::set<std::string>({"x", "y"}));
  EXPECT_EQ(g.labels(vertex(g, "c")), std::set<std::string>({"z"}));
  EXPECT_TRUE(g.labels(vertex(g, "a")).empty());
  EXPECT_EQ(g.id(*g.label_owner("y")), "b");
}

TEST(RevisionGraph, IdsAndMembers) {
  auto g = diamond();
  EXPECT_EQ(g.ids(vertices(g, {"d", "a"})), std::vector<std::string>({"d", "a"}));
  VertexSet s = g.empty_set();
  EXPECT_EQ(s.size(), 4u);
  s.set(vertex(g, "c"));
  s.set(vertex(g, "a"));
  EXPECT_EQ(g.ids(g.members(s)), std::vector<std::string>({"a", "c"}));
}

} // namespace
} // namespace migrate
