// Helpers for the transcription of Alembic 1.8.1's own tests
// (test_alembic_*.cpp): graphs from Alembic-style tuples, and the calls its
// tests make (_upgrade_revs, _downgrade_revs, _stamp_revs, iterate_revisions,
// HeadMaintainer) expressed through our core.
#pragma once

#include "core/planner.hpp"
#include "core/targets.hpp"
#include "core/topological_order.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

namespace migrate::alembic_test {

using test::IdSet;
using test::Strings;

// Revision(id, down_revision, dependencies=..., branch_labels=...), in that order.
inline RevisionInfo R(std::string id, Strings down = {}, Strings depends_on = {}, Strings labels = {}) {
  return test::rev(std::move(id), std::move(down), std::move(labels), std::move(depends_on));
}

// A RevisionStep as Alembic's tests write it: up_(x) is "+x", down_(x) is "-x".
inline std::string step_name(const RevisionGraph &g, const RevisionStep &s) {
  return (s.upgrade ? "+" : "-") + g.id(s.revision);
}

struct Motion {
  Strings steps;
  IdSet heads; // HeadMaintainer.heads after every step
};

inline Motion apply_all(const RevisionGraph &g, const Strings &source, const std::vector<RevisionStep> &steps) {
  VersionRows rows(g, source);
  Motion out;
  for (const auto &s : steps) {
    rows.apply(s);
    out.steps.push_back(step_name(g, s));
  }
  auto after = rows.rows();
  out.heads = IdSet(after.begin(), after.end());
  return out;
}

// MigrationTest._assert_upgrade: ScriptDirectory._upgrade_revs(destination,
// source), then HeadMaintainer from `source`. A single destination goes
// through Planner::upgrade (migrate.upgrade()); a tuple of destinations
// (Alembic's API only: the SQL API takes one target) through the same
// resolver and order the planner uses.
inline Motion upgrade(const RevisionGraph &g, const Spec &destination, const Strings &source) {
  if (const auto *one = std::get_if<std::string>(&destination))
    return apply_all(g, source, Planner(g).upgrade(source, *one));
  UpgradeSet set = TargetResolver(g).upgrade_set(destination, Spec{source}, false, true, true);
  auto order = topological_order(g, set.needed, set.targets);
  std::vector<RevisionStep> steps;
  for (auto it = order.rbegin(); it != order.rend(); ++it)
    steps.push_back({*it, true});
  return apply_all(g, source, steps);
}

// MigrationTest._assert_downgrade: _downgrade_revs(destination, source). A
// destination of None is `base`.
inline Motion downgrade(const RevisionGraph &g, const std::string &destination, const Strings &source) {
  return apply_all(g, source, Planner(g).downgrade(source, destination));
}

// The revisions RevisionMap.iterate_revisions(upper, lower, inclusive,
// implicit_base) yields, in its order (DownIterateTest._assert_iteration,
// whose default is inclusive=True). history() lists a range this way.
inline Strings iterate(const RevisionGraph &g, const Spec &upper, const Spec &lower, bool inclusive = true,
                       bool implicit_base = false) {
  UpgradeSet set = TargetResolver(g).upgrade_set(upper, lower, inclusive, implicit_base, true);
  return g.ids(topological_order(g, set.needed, set.targets));
}

// _stamp_revs(targets, heads): the StampSteps, each with the change it makes
// to the rows (HeadMaintainer.update_to_step), and the rows afterwards.
struct Stamp {
  std::vector<StampStep> steps;
  std::vector<VersionChange> changes;
  IdSet heads;
};

inline Stamp stamp(const RevisionGraph &g, const Strings &targets, const Strings &heads) {
  Stamp out;
  out.steps = Planner(g).stamp(heads, targets);
  VersionRows rows(g, heads);
  for (const auto &s : out.steps)
    out.changes.push_back(rows.apply(s));
  auto after = rows.rows();
  out.heads = IdSet(after.begin(), after.end());
  return out;
}

// StampStep.merge_branch_idents as Alembic's tests compare it: (rows deleted,
// row updated, its new value).
struct Idents {
  Strings deleted;
  std::string from, to;
  bool operator==(const Idents &o) const { return deleted == o.deleted && from == o.from && to == o.to; }
};

inline Idents idents(const VersionChange &c) {
  Idents out{c.deleted, "", ""};
  if (c.updated.size() == 1) {
    out.from = c.updated.front().first;
    out.to = c.updated.front().second;
  }
  return out;
}

inline std::ostream &operator<<(std::ostream &os, const Idents &i) {
  os << "([";
  for (std::size_t k = 0; k < i.deleted.size(); ++k)
    os << (k ? ", " : "") << i.deleted[k];
  return os << "], " << i.from << ", " << i.to << ")";
}

// assert_raises_message: the call is refused and the message contains `text`.
template <typename F> void expect_refusal(F &&f, const std::string &text) {
  auto e = test::catch_error(std::forward<F>(f));
  if (e) {
    EXPECT_NE(std::string(e->what()).find(text), std::string::npos) << "message: " << e->what();
  }
}

} // namespace migrate::alembic_test
