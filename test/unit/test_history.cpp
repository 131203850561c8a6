// Alembic's `history -r [start]:[end]`: expectations checked with Alembic 1.8.1's
// ScriptDirectory.walk_revisions (iterate_revisions(end, start, inclusive=True,
// assert_relative_length=False)) on the same graphs.
#include "core/history.hpp"

#include "core/targets.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>

namespace migrate {
namespace {

using test::catch_error;
using test::id_set;
using test::IdSet;
using test::rev;
using test::Strings;
using Vertex = RevisionGraph::Vertex;

Strings run(const RevisionGraph &g, const std::optional<std::string> &range, const Strings &current = {}) {
  return g.ids(history(g, range, current));
}

IdSet run_set(const RevisionGraph &g, const std::optional<std::string> &range, const Strings &current = {}) {
  return id_set(g, history(g, range, current));
}

// Every listed revision before the listed revisions it descends from or depends on.
void expect_newest_first(const RevisionGraph &g, const std::vector<Vertex> &listed) {
  std::map<Vertex, std::size_t> position;
  for (std::size_t i = 0; i < listed.size(); ++i)
    position[listed[i]] = i;
  for (Vertex v : listed)
    for (Vertex a : g.members(g.ancestors({v}, true)))
      if (a != v && position.count(a)) {
        EXPECT_LT(position[v], position[a]) << g.id(v) << " listed after its ancestor " << g.id(a);
      }
}

// a <- b <- c <- d
RevisionGraph linear() {
  return RevisionGraph({rev("a"), rev("b", {"a"}), rev("c", {"b"}), rev("d", {"c"})});
}

// a <- b, b <- c (left) <- d, b <- e (right) <- f
RevisionGraph branched() {
  return RevisionGraph({rev("a"), rev("b", {"a"}), rev("c", {"b"}, {"left"}), rev("d", {"c"}),
                        rev("e", {"b"}, {"right"}), rev("f", {"e"})});
}

TEST(History, NoRangeIsEverythingNewestFirst) {
  EXPECT_EQ(run(linear(), std::nullopt), Strings({"d", "c", "b", "a"}));
  auto g = branched();
  auto all = history(g, std::nullopt, {});
  EXPECT_EQ(id_set(g, all), IdSet({"a", "b", "c", "d", "e", "f"}));
  EXPECT_EQ(all.size(), 6u);
  expect_newest_first(g, all);
}

TEST(History, ClosedRange) {
  auto g = linear();
  EXPECT_EQ(run(g, "a:c"), Strings({"c", "b", "a"}));
  EXPECT_EQ(run(g, "a:d"), Strings({"d", "c", "b", "a"}));
  EXPECT_EQ(run(g, "d:d"), Strings({"d"}));
  EXPECT_EQ(run(g, "base:c"), Strings({"c", "b", "a"}));
  EXPECT_EQ(run(g, "b:heads"), Strings({"d", "c", "b"}));
}

TEST(History, OpenRanges) {
  auto g = linear();
  EXPECT_EQ(run(g, "b:"), Strings({"d", "c", "b"}));
  EXPECT_EQ(run(g, ":b"), Strings({"b", "a"}));
  EXPECT_EQ(run(g, ":"), Strings({"d", "c", "b", "a"}));
}

TEST(History, RelativeBounds) {
  auto g = linear();
  EXPECT_EQ(run(g, "-2:"), Strings({"d", "c", "b"}));
  EXPECT_EQ(run(g, "b:+1"), Strings({"c", "b"}));
  auto e = catch_error([&] { run(g, ":-1"); });
  ASSERT_TRUE(e);
  EXPECT_STREQ(e->what(), "Relative revision -1 didn't produce 1 migrations");
}

TEST(History, CurrentKeyword) {
  auto g = linear();
  EXPECT_EQ(run(g, "current:", {"b"}), Strings({"d", "c", "b"}));
  EXPECT_EQ(run(g, ":current", {"b"}), Strings({"b", "a"}));
  // Alembic's history replaces `current` on one side only, the upper one
  // first: the lower `current` is then looked up as a revision.
  auto e = catch_error([&] { run(g, "current:current", {"c"}); });
  ASSERT_TRUE(e);
  EXPECT_STREQ(e->what(), "Can't locate revision identified by 'current'");
  // Nothing applied: Alembic's empty rows fall back to the default, heads.
  EXPECT_EQ(run(g, ":current", {}), Strings({"d", "c", "b", "a"}));
  EXPECT_EQ(run(g, "current:", {}), Strings({"d", "c", "b", "a"}));

  auto b = branched();
  EXPECT_EQ(run_set(b, "current:", {"c", "e"}), IdSet({"c", "d", "e", "f"}));
  EXPECT_EQ(run_set(b, ":current", {"c", "e"}), IdSet({"a", "b", "c", "e"}));
  expect_newest_first(b, history(b, ":current", {"c", "e"}));
}

TEST(History, MissingColon) {
  for (const char *range : {"a", "", "heads", "a:b:c"}) {
    auto e = catch_error([&] { history(linear(), std::string(range), {}); });
    ASSERT_TRUE(e) << range;
    EXPECT_STREQ(e->sqlstate(), "22023");
    EXPECT_STREQ(e->what(), "History range requires [start]:[end], [start]:, or :[end]");
  }
}

TEST(History, SurroundingWhitespaceIsIgnored) {
  // Alembic strips the range before splitting it.
  EXPECT_EQ(run(linear(), " a:c "), Strings({"c", "b", "a"}));
  EXPECT_EQ(run(linear(), "\tb:\n"), Strings({"d", "c", "b"}));
}

TEST(History, StartNotAnAncestor) {
  auto e = catch_error<RangeNotAncestor>([] { run(linear(), "c:a"); });
  ASSERT_TRUE(e);
  EXPECT_STREQ(e->what(), "Requested range c:a does not refer to ancestor/descendant revisions along the same branch");
  EXPECT_EQ(e->lower, "c");
  EXPECT_EQ(e->upper, "a");
  EXPECT_EQ(std::string(e->what()).rfind("Requested range", 0), 0u);

  auto across = catch_error<RangeNotAncestor>([] { run(branched(), "e:d"); });
  ASSERT_TRUE(across);
  EXPECT_STREQ(across->what(),
               "Requested range e:d does not refer to ancestor/descendant revisions along the same branch");
}

TEST(History, OpenEndsAreNamedInTheError) {
  // With no start, Alembic names it base in the message.
  auto e = catch_error<RangeNotAncestor>([] { run(branched(), "e:left@head"); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->lower, "e");
  EXPECT_EQ(e->upper, "left@head");
}

TEST(History, BranchedRanges) {
  auto g = branched();
  EXPECT_EQ(run(g, "c:"), Strings({"d", "c"}));
  EXPECT_EQ(run(g, ":left@head"), Strings({"d", "c", "b", "a"}));
  EXPECT_EQ(run(g, "b:right@head"), Strings({"f", "e", "b"}));
  EXPECT_EQ(run_set(g, "b:"), IdSet({"b", "c", "d", "e", "f"}));
}

TEST(History, HeadWithSeveralHeads) {
  auto e = catch_error<MultipleHeads>([] { run(branched(), ":head"); });
  ASSERT_TRUE(e);
  EXPECT_EQ(std::string(e->what()), multiple_heads_message("head"));
  EXPECT_EQ(e->heads, Strings({"d", "f"}));
  auto from_c = catch_error<MultipleHeads>([] { run(branched(), "c:head"); });
  ASSERT_TRUE(from_c);
  EXPECT_EQ(from_c->argument, "head");
}

TEST(History, MergesAndDependencies) {
  // a <- b, a <- c, m <- (b, c), n <- m, and x depends on b.
  RevisionGraph g(
      {rev("a"), rev("b", {"a"}), rev("c", {"a"}), rev("m", {"b", "c"}), rev("n", {"m"}), rev("x", {}, {}, {"b"})});
  auto all = history(g, std::nullopt, {});
  EXPECT_EQ(id_set(g, all), IdSet({"a", "b", "c", "m", "n", "x"}));
  expect_newest_first(g, all);
  EXPECT_EQ(run(g, "b:"), Strings({"n", "m", "b"}));
  EXPECT_EQ(run_set(g, ":m"), IdSet({"a", "b", "c", "m"}));
  EXPECT_EQ(run(g, "c:n"), Strings({"n", "m", "c"}));
}

TEST(History, UnknownRevisionInRange) {
  auto e = catch_error<ResolutionFailure>([] { run(linear(), "a:zzzz"); });
  ASSERT_TRUE(e);
  EXPECT_STREQ(e->what(), "Can't locate revision identified by 'zzzz'");
}

TEST(History, EmptyGraph) {
  RevisionGraph g({});
  EXPECT_TRUE(history(g, std::nullopt, {}).empty());
}

} // namespace
} // namespace migrate

namespace migrate {
namespace {

// history() without a range takes a shortcut (every revision, newest first);
// it must list exactly what the explicit range base:heads lists.
TEST(History, NoRangeIsBaseToHeadsOnRandomGraphs) {
  std::mt19937 random(20261121);
  for (int graph_no = 0; graph_no < 200; ++graph_no) {
    std::vector<RevisionInfo> infos;
    int n = 1 + static_cast<int>(random() % 40);
    for (int i = 0; i < n; ++i) {
      std::vector<std::string> down, deps;
      if (i > 0 && random() % 6 != 0) { // otherwise a new base
        down.push_back("r" + std::to_string(random() % i));
        if (i > 2 && random() % 4 == 0) { // a merge
          auto other = "r" + std::to_string(random() % i);
          if (other != down.front())
            down.push_back(other);
        }
      }
      if (i > 1 && random() % 5 == 0) {
        auto dep = "r" + std::to_string(random() % i);
        if (std::find(down.begin(), down.end(), dep) == down.end())
          deps.push_back(dep);
      }
      infos.push_back(test::rev("r" + std::to_string(i), down, {}, deps));
    }
    RevisionGraph g(infos);
    EXPECT_EQ(history(g, std::nullopt, {}), history(g, std::string("base:heads"), {})) << "graph " << graph_no;
    EXPECT_EQ(history(g, std::nullopt, {}).size(), g.size());
  }
}

} // namespace
} // namespace migrate
