// topological_order against Alembic's RevisionMap._topological_sort, written
// here the way Alembic writes it (a list of heads, one ancestor set each, a
// scan of every set per candidate), on random graphs and random sets of
// revisions: upgrade and downgrade sets, history ranges, and arbitrary sets
// that are not convex. And its cost on a wide merge.
#include "core/topological_order.hpp"

#include "core/history.hpp"
#include "core/planner.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

namespace migrate {
namespace {

using test::rev;
using test::Strings;
using Vertex = RevisionGraph::Vertex;

// The reference: Alembic 1.8.1's _topological_sort, step by step.
std::vector<Vertex> alembic_order(const RevisionGraph &g, const VertexSet &revisions,
                                  const std::vector<Vertex> &heads) {
  VertexSet todo = revisions;
  std::vector<Vertex> current;
  for (Vertex h : heads)
    if (todo.test(h) && std::find(current.begin(), current.end(), h) == current.end())
      current.push_back(h);
  std::sort(current.begin(), current.end());
  std::vector<VertexSet> ancestors;
  for (Vertex h : current)
    ancestors.push_back(g.ancestors({h}, true));
  std::vector<Vertex> output;
  std::size_t idx = 0;
  while (!current.empty()) {
    Vertex candidate = current[idx];
    bool jumped = false;
    for (std::size_t i = 0; i < ancestors.size(); ++i)
      if (i != idx && ancestors[i].test(candidate)) {
        idx = i;
        jumped = true;
        break;
      }
    if (jumped)
      continue;
    if (todo.test(candidate)) {
      output.push_back(candidate);
      todo.reset(candidate);
    }
    std::vector<Vertex> next;
    for (Vertex d : g.normalized_down(candidate))
      if (todo.test(d) && std::find(current.begin(), current.end(), d) == current.end())
        next.push_back(d);
    if (next.empty()) {
      current.erase(current.begin() + idx);
      ancestors.erase(ancestors.begin() + idx);
      idx = idx > 0 ? idx - 1 : 0;
    } else if (g.normalized_dependencies(candidate).empty() && g.info(candidate).down_revisions.size() == 1) {
      current[idx] = next.front();
      ancestors[idx].reset(candidate);
    } else {
      current[idx] = next.front();
      ancestors[idx] = g.ancestors({next.front()}, true);
      for (std::size_t i = 1; i < next.size(); ++i) {
        current.push_back(next[i]);
        ancestors.push_back(g.ancestors({next[i]}, true));
      }
    }
  }
  if (todo.any())
    throw Error(sqlstate::invalid_parameter_value, "left behind");
  return output;
}

RevisionGraph random_graph(std::mt19937 &rng, int n) {
  std::vector<RevisionInfo> revs;
  for (int i = 0; i < n; ++i) {
    Strings down, deps;
    std::uniform_int_distribution<int> kind(0, 9);
    if (i > 0) {
      int k = kind(rng);
      int parents = k < 2 ? 0 : k < 7 ? 1 : k < 9 ? 2 : 3;
      for (int p = 0; p < parents; ++p) {
        std::string id = "r" + std::to_string(std::uniform_int_distribution<int>(0, i - 1)(rng));
        if (std::find(down.begin(), down.end(), id) == down.end())
          down.push_back(id);
      }
      if (kind(rng) < 2) {
        std::string id = "r" + std::to_string(std::uniform_int_distribution<int>(0, i - 1)(rng));
        if (std::find(down.begin(), down.end(), id) == down.end())
          deps.push_back(id);
      }
    }
    revs.push_back(rev("r" + std::to_string(i), down, {}, deps));
  }
  return RevisionGraph(revs);
}

void expect_same(const RevisionGraph &g, const VertexSet &set, const std::vector<Vertex> &heads,
                 const std::string &what) {
  std::vector<Vertex> expected, actual;
  bool expected_throws = false, actual_throws = false;
  try {
    expected = alembic_order(g, set, heads);
  } catch (const Error &) {
    expected_throws = true;
  }
  try {
    actual = topological_order(g, set, heads);
  } catch (const Error &) {
    actual_throws = true;
  }
  ASSERT_EQ(actual_throws, expected_throws) << what;
  if (!expected_throws) {
    ASSERT_EQ(g.ids(actual), g.ids(expected)) << what;
  }
}

TEST(TopologicalOrder, SameAsAlembicOnRandomGraphs) {
  std::mt19937 rng(9);
  for (int round = 0; round < 400; ++round) {
    auto g = random_graph(rng, std::uniform_int_distribution<int>(1, 30)(rng));
    const auto n = g.size();
    std::uniform_int_distribution<std::size_t> pick(0, n - 1);
    auto some = [&](std::size_t k) {
      std::vector<Vertex> out;
      for (std::size_t i = 0; i < k; ++i)
        out.push_back(pick(rng));
      return out;
    };
    // An upgrade set: what the targets need minus what the rows have.
    auto targets = some(1 + pick(rng) % 3), rows = some(pick(rng) % 3);
    VertexSet up = g.ancestors(targets, true) - g.ancestors(rows, true);
    expect_same(g, up, targets, "upgrade set, round " + std::to_string(round));
    // A downgrade set: everything applied above some revisions.
    VertexSet applied = g.ancestors(targets, true);
    VertexSet down = g.descendants(some(1), true) & applied;
    expect_same(g, down, targets, "downgrade set, round " + std::to_string(round));
    // Everything, from the heads (history's full listing).
    VertexSet all = g.empty_set();
    all.set();
    expect_same(g, all, g.real_heads(), "everything, round " + std::to_string(round));
    // Any set at all: not convex, heads anywhere.
    VertexSet any = g.empty_set();
    for (std::size_t v = 0; v < n; ++v)
      if (rng() % 3)
        any.set(v);
    expect_same(g, any, some(1 + pick(rng) % 4), "arbitrary set, round " + std::to_string(round));
  }
}

// history() ranges go through the same order: compared with the reference on
// every range between two revisions of random graphs.
TEST(TopologicalOrder, HistoryRangesSameAsAlembic) {
  std::mt19937 rng(17);
  for (int round = 0; round < 60; ++round) {
    auto g = random_graph(rng, std::uniform_int_distribution<int>(2, 14)(rng));
    TargetResolver resolver(g);
    for (Vertex lo = 0; lo < g.size(); ++lo)
      for (Vertex hi = 0; hi < g.size(); ++hi) {
        UpgradeSet set;
        try {
          set = resolver.upgrade_set(Spec{g.id(hi)}, Spec{g.id(lo)}, true, false, false);
        } catch (const Error &) {
          continue;
        }
        expect_same(g, set.needed, set.targets, g.id(lo) + ":" + g.id(hi));
      }
  }
}

// A merge of many heads (bench/wide_merge.sh's graph): no ancestor set is
// computed and the walks up from a candidate visit nothing, where Alembic's
// way computes one per head and scans them all for every candidate.
TEST(TopologicalOrder, WideMergeCostsNoAncestorSets) {
  const int n = 20000;
  std::vector<RevisionInfo> revs;
  Strings bases;
  for (int i = 0; i < n; ++i) {
    bases.push_back("b" + std::to_string(i));
    revs.push_back(rev(bases.back()));
  }
  revs.push_back(rev("m", bases));
  RevisionGraph g(revs);
  VertexSet all = g.empty_set();
  all.set();
  TopologicalOrderCost cost;
  auto order = topological_order(g, all, {*g.find("m")}, &cost);
  ASSERT_EQ(order.size(), g.size());
  EXPECT_EQ(g.id(order.front()), "m");
  EXPECT_EQ(cost.ancestor_sets, 0u);
  EXPECT_EQ(cost.walked, 0u);
}

// Many heads on one branch point: each time the branch point comes up it is
// held by the next head; finding that head must not walk all the others.
TEST(TopologicalOrder, WideBranchWalksLinearly) {
  const int n = 20000;
  std::vector<RevisionInfo> revs{rev("root")};
  for (int i = 0; i < n; ++i)
    revs.push_back(rev("h" + std::to_string(i), {"root"}));
  RevisionGraph g(revs);
  VertexSet all = g.empty_set();
  all.set();
  TopologicalOrderCost cost;
  auto order = topological_order(g, all, g.heads(), &cost);
  ASSERT_EQ(order.size(), g.size());
  EXPECT_EQ(g.id(order.back()), "root");
  EXPECT_EQ(cost.ancestor_sets, 0u);
  EXPECT_LE(cost.walked, 2u * g.size());
}

} // namespace
} // namespace migrate
