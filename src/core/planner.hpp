// Plans for upgrade, downgrade and stamp, and how the version rows change at
// each step: Alembic 1.8's ScriptDirectory._upgrade_revs, _downgrade_revs,
// _stamp_revs and runtime HeadMaintainer, reimplemented over RevisionGraph
// (their order: core/topological_order.hpp).
#pragma once

#include "core/revision_graph.hpp"
#include "core/targets.hpp"
#include "core/walk_marks.hpp"

#include <set>
#include <string>
#include <vector>

namespace migrate {

// Running one revision's upgrade or downgrade SQL.
struct RevisionStep {
  RevisionGraph::Vertex revision;
  bool upgrade;
};

// Moving the version rows without running SQL (Alembic's StampStep).
struct StampStep {
  std::vector<std::string> from, to;
  bool upgrade;
  bool branch_move;
};

// How one step changed the version rows.
struct VersionChange {
  std::vector<std::string> deleted, inserted;
  std::vector<std::pair<std::string, std::string>> updated; // from, to

  // The rows the step took away (deleted, or updated from) and the rows it
  // wrote (inserted, or updated to): what the journal and plan() show of a
  // step. Rows of other branches, which the step leaves alone, are not in
  // them, so a command over N rows records O(N), not O(N) per step.
  std::vector<std::string> replaced() const;
  std::vector<std::string> written() const;
};

// The version rows of a database (Alembic's HeadMaintainer): one row per
// applied head. apply() refuses a step the rows cannot take, as Alembic does.
class VersionRows {
public:
  VersionRows(const RevisionGraph &graph, const std::vector<std::string> &rows);

  VersionChange apply(const RevisionStep &step);
  VersionChange apply(const StampStep &step);
  // Sorted.
  std::vector<std::string> rows() const { return {heads_.begin(), heads_.end()}; }

private:
  void add(const std::string &id);  // a row, refusing one already there
  void drop(const std::string &id); // a row, refusing one not there
  void insert(const std::string &id, VersionChange &change);
  void remove(const std::string &id, VersionChange &change);
  void update(const std::string &from, const std::string &to, VersionChange &change);
  // Alembic's RevisionStep._unmerge_to_revisions.
  std::vector<std::string> unmerge_targets(RevisionGraph::Vertex revision) const;
  std::vector<std::string> down_ids(RevisionGraph::Vertex revision) const;
  // Whether `v` is a row, or a row stands on it, not counting the rows
  // `skip` excludes: a walk up from v that stops at the first such row, so
  // a step costs what lies above its own revisions, not every row's ancestry.
  template <typename Skip> bool row_at_or_above(RevisionGraph::Vertex v, Skip skip) const;
  // Alembic looks every other row up in its map: one that is not a revision fails.
  void check_rows_registered(const std::string &except) const;

  const RevisionGraph &g_;
  std::set<std::string> heads_;
  VertexSet rows_;               // the rows that name a registered revision
  std::size_t unregistered_ = 0; // rows that do not
  mutable WalkMarks marks_;
};

class Planner {
public:
  explicit Planner(const RevisionGraph &graph) : g_(graph), resolver_(graph) {}

  // Steps in execution order. Refusals carry Alembic's messages.
  std::vector<RevisionStep> upgrade(const std::vector<std::string> &current, const std::string &target) const;
  std::vector<RevisionStep> downgrade(const std::vector<std::string> &current, const std::string &target) const;
  std::vector<StampStep> stamp(const std::vector<std::string> &current, const std::vector<std::string> &targets) const;

private:
  VertexSet downgrade_set(const std::vector<std::string> &current, const std::string &target,
                          std::vector<RevisionGraph::Vertex> *heads) const;

  const RevisionGraph &g_;
  TargetResolver resolver_;
};

} // namespace migrate
