#include "core/planner.hpp"

#include "core/error.hpp"
#include "core/target_syntax.hpp"
#include "core/text.hpp"
#include "core/topological_order.hpp"

#include <algorithm>

namespace migrate {

namespace {

using Vertex = RevisionGraph::Vertex;

Error rows_refuse(const std::string &message) {
  return Error(sqlstate::object_not_in_prerequisite_state, message, {},
               "The version rows do not match the graph: check migrate.current(), or set them with migrate.stamp().");
}

bool contains(const std::vector<Vertex> &vs, Vertex v) {
  return std::find(vs.begin(), vs.end(), v) != vs.end();
}

std::vector<Vertex> revisions_only(const std::vector<Node> &nodes) {
  std::vector<Vertex> out;
  for (const Node &n : nodes)
    if (n.is_revision())
      out.push_back(n.vertex);
  return out;
}

} // namespace

// ---------------------------------------------------------------- VersionRows

std::vector<std::string> VersionChange::replaced() const {
  std::vector<std::string> out = deleted;
  for (const auto &[from, to] : updated)
    out.push_back(from);
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> VersionChange::written() const {
  std::vector<std::string> out = inserted;
  for (const auto &[from, to] : updated)
    out.push_back(to);
  std::sort(out.begin(), out.end());
  return out;
}

VersionRows::VersionRows(const RevisionGraph &graph, const std::vector<std::string> &rows)
    : g_(graph), heads_(rows.begin(), rows.end()), rows_(graph.empty_set()), marks_(graph.size()) {
  for (const auto &id : heads_) {
    if (auto v = g_.find(id))
      rows_.set(*v);
    else
      ++unregistered_;
  }
}

void VersionRows::add(const std::string &id) {
  if (heads_.count(id))
    throw rows_refuse("revision " + id + " is already a version row");
  heads_.insert(id);
  rows_.set(*g_.find(id)); // steps name revisions of the graph
}

void VersionRows::drop(const std::string &id) {
  if (!heads_.erase(id))
    throw rows_refuse("revision " + id + " is not a version row");
  if (auto v = g_.find(id))
    rows_.reset(*v);
  else
    --unregistered_;
}

void VersionRows::insert(const std::string &id, VersionChange &change) {
  add(id);
  change.inserted.push_back(id);
}

void VersionRows::remove(const std::string &id, VersionChange &change) {
  drop(id);
  change.deleted.push_back(id);
}

void VersionRows::update(const std::string &from, const std::string &to, VersionChange &change) {
  if (heads_.count(to))
    throw rows_refuse("revision " + to + " is already a version row");
  drop(from);
  add(to);
  change.updated.emplace_back(from, to);
}

std::vector<std::string> VersionRows::down_ids(Vertex revision) const {
  return g_.ids(g_.normalized_down(revision));
}

void VersionRows::check_rows_registered(const std::string &except) const {
  if (unregistered_ == 0)
    return;
  for (const auto &h : heads_)
    if (h != except && !g_.find(h))
      throw rows_refuse("version row " + h + " is not a registered revision");
}

template <typename Skip> bool VersionRows::row_at_or_above(Vertex v, Skip skip) const {
  marks_.next_walk();
  marks_.visit(v);
  std::vector<Vertex> stack{v};
  while (!stack.empty()) {
    Vertex at = stack.back();
    stack.pop_back();
    if (rows_.test(at) && !skip(at))
      return true;
    g_.for_each_child(at, true, [&](Vertex c) {
      if (marks_.visit(c))
        stack.push_back(c);
    });
  }
  return false;
}

std::vector<std::string> VersionRows::unmerge_targets(Vertex revision) const {
  const std::string &id = g_.id(revision);
  check_rows_registered(id);
  const auto downs = g_.normalized_down(revision);
  std::vector<std::string> to;
  const bool others = heads_.size() > (heads_.count(id) ? 1u : 0u);
  for (Vertex d : downs)
    if (!others || !row_at_or_above(d, [&](Vertex r) { return r == revision; }))
      to.push_back(g_.id(d));
  return to;
}

VersionChange VersionRows::apply(const RevisionStep &step) {
  VersionChange change;
  const std::string id = g_.id(step.revision);
  const auto downs = down_ids(step.revision);
  const bool is_row = heads_.count(id) > 0;
  auto downs_in_rows = [&] {
    return std::count_if(downs.begin(), downs.end(), [&](const std::string &d) { return heads_.count(d) > 0; });
  };

  if (!step.upgrade && is_row && (downs.empty() || unmerge_targets(step.revision).empty())) {
    // Down to base, or to revisions other rows already stand on: the row goes.
    remove(id, change);
  } else if (step.upgrade && (downs.empty() || downs_in_rows() == 0)) {
    // A base, or none of its parents is a row: a new branch.
    insert(id, change);
  } else if (step.upgrade && downs.size() > 1 && downs_in_rows() > 1) {
    // A merge: the parents' rows become one. Parents other rows stand on stay.
    check_rows_registered(id);
    const auto parent_list = g_.normalized_down(step.revision);
    VertexSet parents = g_.empty_set();
    for (Vertex d : parent_list)
      parents.set(d);
    std::vector<std::string> from;
    for (Vertex d : parent_list)
      if (!row_at_or_above(d, [&](Vertex r) { return parents.test(r); }))
        from.push_back(g_.id(d));
    // A redundant parent (an ancestor of another parent) has no row of its
    // own once that other parent is applied: there is no row to replace.
    // Alembic's HeadMaintainer tries to delete it and fails with a KeyError,
    // or succeeds when its map order applied the parents the other way round;
    // the rows it then leaves are those left here.
    std::vector<Vertex> parents_rows;
    for (const auto &d : from)
      if (heads_.count(d))
        parents_rows.push_back(*g_.find(d));
    if (!parents_rows.empty() && parents_rows.size() < from.size()) {
      VertexSet implied = g_.ancestors(parents_rows, true);
      from.erase(std::remove_if(from.begin(), from.end(),
                                [&](const std::string &d) { return !heads_.count(d) && implied.test(*g_.find(d)); }),
                 from.end());
    }
    if (from.empty())
      throw rows_refuse("merge revision " + id + " has no parent row to replace");
    for (std::size_t i = 0; i + 1 < from.size(); ++i)
      remove(from[i], change);
    update(from.back(), id, change);
  } else if (!step.upgrade && is_row && downs.size() > 1) {
    // Below a merge: one row becomes its parents' rows.
    auto to = unmerge_targets(step.revision);
    for (std::size_t i = 0; i + 1 < to.size(); ++i)
      insert(to[i], change);
    update(id, to.back(), change);
  } else {
    std::string down;
    if (downs.size() == 1) {
      down = downs.front();
    } else {
      std::vector<std::string> candidates;
      for (const auto &d : downs)
        if (heads_.count(d))
          candidates.push_back(d);
      if (candidates.size() != 1)
        throw rows_refuse("Can't do an UPDATE because downrevision is ambiguous (revision " + id + ")");
      down = candidates.front();
    }
    if (step.upgrade)
      update(down, id, change);
    else
      update(id, down, change);
  }
  return change;
}

VersionChange VersionRows::apply(const StampStep &step) {
  VersionChange change;
  auto missing = [&](const std::vector<std::string> &ids) {
    return std::any_of(ids.begin(), ids.end(), [&](const std::string &id) { return !heads_.count(id); });
  };
  if (!step.upgrade && step.branch_move) {
    if (step.from.size() != 1)
      throw rows_refuse("a stamp that removes a branch names one row");
    remove(step.from.front(), change);
  } else if (step.upgrade && (step.branch_move || missing(step.from)) && missing(step.to)) {
    if (step.to.size() != 1)
      throw rows_refuse("a stamp that adds a branch names one revision");
    insert(step.to.front(), change);
  } else if (step.from.size() > 1) {
    if (step.to.empty())
      throw rows_refuse("a stamp that merges rows needs a destination");
    for (std::size_t i = 0; i + 1 < step.from.size(); ++i)
      remove(step.from[i], change);
    update(step.from.back(), step.to.front(), change);
  } else {
    if (step.from.size() != 1 || step.to.size() != 1)
      throw rows_refuse("stamp from {" + join(step.from, ", ") + "} to {" + join(step.to, ", ") +
                        "} is not a single move");
    update(step.from.front(), step.to.front(), change);
  }
  return change;
}

// -------------------------------------------------------------------- Planner

// Alembic's commands reword the resolver's refusals (_catch_revision_errors);
// `order` returns the revisions in execution order.
template <typename Order>
std::vector<RevisionStep> command_steps(const char *command, bool upgrade, const std::string &target, Order order) {
  check_target_text("target", target);
  if (target.find(':') != std::string::npos)
    throw Error(sqlstate::invalid_parameter_value, "Range revision not allowed", {},
                std::string(command) + "() takes one target; history() lists a range.");
  std::vector<Vertex> revisions;
  try {
    revisions = order();
  } catch (const RangeNotAncestor &) {
    throw Error(sqlstate::invalid_parameter_value,
                "Destination " + excerpt(target) + " is not a valid " + command + " target from current head(s)");
  } catch (const MultipleHeads &e) {
    throw MultipleHeads(e.heads, target);
  }
  std::vector<RevisionStep> steps;
  for (Vertex v : revisions)
    steps.push_back({v, upgrade});
  return steps;
}

std::vector<RevisionStep> Planner::upgrade(const std::vector<std::string> &current, const std::string &target) const {
  return command_steps("upgrade", true, target, [&] {
    UpgradeSet set = resolver_.upgrade_set(Spec{target}, Spec{current}, false, true, true);
    auto order = topological_order(g_, set.needed, set.targets);
    std::reverse(order.begin(), order.end()); // the sort walks down from the targets
    return order;
  });
}

VertexSet Planner::downgrade_set(const std::vector<std::string> &current, const std::string &target,
                                 std::vector<Vertex> *heads) const {
  auto [branch, destination] = resolver_.parse_downgrade_target(Spec{current}, target, true);
  const bool to_base = !destination.is_revision();
  std::vector<Vertex> roots = to_base ? g_.bases() : g_.children(destination.vertex);
  if (branch && roots.size() > 1) {
    VertexSet on_branch = g_.ancestors({resolver_.resolve_branch(*branch)}, false);
    roots.erase(std::remove_if(roots.begin(), roots.end(), [&](Vertex r) { return !on_branch.test(r); }), roots.end());
    if (roots.empty())
      throw Error(sqlstate::invalid_parameter_value, "Not a valid downgrade target from current heads");
  }
  *heads = revisions_only(resolver_.revisions(Spec{current}));
  VertexSet drop = g_.descendants(roots, true) & g_.ancestors(*heads, true);
  if (!to_base && drop.none() && !contains(*heads, destination.vertex))
    throw RangeNotAncestor("Nothing to drop", describe(Spec{current}));
  return drop;
}

std::vector<RevisionStep> Planner::downgrade(const std::vector<std::string> &current, const std::string &target) const {
  return command_steps("downgrade", false, target, [&] {
    std::vector<Vertex> heads;
    VertexSet drop = downgrade_set(current, target, &heads);
    return topological_order(g_, drop, heads);
  });
}

std::vector<StampStep> Planner::stamp(const std::vector<std::string> &current,
                                      const std::vector<std::string> &targets_in) const {
  for (const auto &t : targets_in)
    check_target_text("target", t);
  std::vector<std::string> targets = targets_in.empty() ? std::vector<std::string>{"base"} : targets_in;
  std::vector<StampStep> steps;
  try {
    std::vector<Vertex> rows = revisions_only(resolver_.revisions(Spec{current}));
    // The rows each destination's lineage covers (dependencies included).
    std::vector<Vertex> covered;
    for (const auto &t : targets)
      if (!t.empty())
        for (Vertex v : resolver_.filter_for_lineage(rows, t, true))
          if (!contains(covered, v))
            covered.push_back(v);
    std::vector<Node> destinations = resolver_.revisions(Spec{targets});
    if (destinations.empty())
      destinations.push_back(Node::none());
    for (const Node &dest : destinations) {
      if (dest.kind == Node::nowhere) {
        for (Vertex row : covered)
          steps.push_back({{g_.id(row)}, {}, false, true});
        continue;
      }
      if (!dest.is_revision())
        throw Error(sqlstate::invalid_parameter_value, "stamp target does not name a revision");
      if (contains(covered, dest.vertex))
        continue; // already a version row
      VertexSet above = g_.descendants({dest.vertex}, true), below = g_.ancestors({dest.vertex}, true);
      auto rows_in = [&](const VertexSet &set) {
        return std::any_of(covered.begin(), covered.end(), [&](Vertex v) { return set.test(v); });
      };
      std::vector<std::string> from = g_.ids(covered);
      if (rows_in(above) && rows_in(below))
        throw Error(sqlstate::object_not_in_prerequisite_state,
                    "version rows " + join(from, ", ") + " lie both above and below " + g_.id(dest.vertex), {},
                    "Stamp base first, then stamp the revisions the database is at.");
      if (rows_in(above))
        steps.push_back({from, {g_.id(dest.vertex)}, false, false});
      else if (rows_in(below))
        steps.push_back({from, {g_.id(dest.vertex)}, true, false});
      else
        steps.push_back({{}, {g_.id(dest.vertex)}, true, true}); // a branch no row is on
    }
  } catch (const MultipleHeads &e) {
    throw Error(sqlstate::cardinality_violation, "Multiple heads are present; please specify a single target revision",
                e.detail(), e.hint());
  }
  return steps;
}

} // namespace migrate
