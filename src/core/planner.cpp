#include "core/planner.hpp"

#include "core/error.hpp"
#include "core/target_syntax.hpp"
#include "core/text.hpp"

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

VersionRows::VersionRows(const RevisionGraph &graph, const std::vector<std::string> &rows)
    : g_(graph), heads_(rows.begin(), rows.end()) {}

void VersionRows::insert(const std::string &id, VersionChange &change) {
  if (heads_.count(id))
    throw rows_refuse("revision " + id + " is already a version row");
  heads_.insert(id);
  change.inserted.push_back(id);
}

void VersionRows::remove(const std::string &id, VersionChange &change) {
  if (!heads_.erase(id))
    throw rows_refuse("revision " + id + " is not a version row");
  change.deleted.push_back(id);
}

void VersionRows::update(const std::string &from, const std::string &to, VersionChange &change) {
  if (heads_.count(to))
    throw rows_refuse("revision " + to + " is already a version row");
  if (!heads_.erase(from))
    throw rows_refuse("revision " + from + " is not a version row");
  heads_.insert(to);
  change.updated.emplace_back(from, to);
}

std::vector<std::string> VersionRows::down_ids(Vertex revision) const {
  return g_.ids(g_.normalized_down(revision));
}

std::vector<std::string> VersionRows::unmerge_targets(Vertex revision) const {
  auto to = down_ids(revision);
  std::vector<Vertex> others;
  for (const auto &h : heads_)
    if (h != g_.id(revision)) {
      auto v = g_.find(h);
      if (!v)
        throw rows_refuse("version row " + h + " is not a registered revision");
      others.push_back(*v);
    }
  if (others.empty())
    return to;
  VertexSet below = g_.ancestors(others, true);
  to.erase(std::remove_if(to.begin(), to.end(), [&](const std::string &id) { return below.test(*g_.find(id)); }),
           to.end());
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
    std::vector<std::string> from = downs;
    std::vector<Vertex> others;
    for (const auto &h : heads_)
      if (std::find(downs.begin(), downs.end(), h) == downs.end())
        others.push_back(*g_.find(h));
    if (!others.empty()) {
      VertexSet below = g_.ancestors(others, true);
      from.erase(
          std::remove_if(from.begin(), from.end(), [&](const std::string &d) { return below.test(*g_.find(d)); }),
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

// Walks down from the heads, emitting a revision once no other pending head
// still needs it, so that each branch comes out as one run (Alembic's order).
std::vector<Vertex> Planner::topological_sort(const VertexSet &revisions, const std::vector<Vertex> &heads) const {
  VertexSet todo = revisions;
  std::vector<Vertex> current;
  for (Vertex h : heads)
    if (todo.test(h) && !contains(current, h))
      current.push_back(h);
  std::sort(current.begin(), current.end()); // registration order
  std::vector<VertexSet> ancestors;
  for (Vertex h : current)
    ancestors.push_back(g_.ancestors({h}, true));

  std::vector<Vertex> output;
  std::size_t candidate_index = 0;
  while (!current.empty()) {
    Vertex candidate = current[candidate_index];
    bool needed_above = false;
    for (std::size_t i = 0; i < ancestors.size(); ++i)
      if (i != candidate_index && ancestors[i].test(candidate)) {
        candidate_index = i; // another head must be walked first
        needed_above = true;
        break;
      }
    if (needed_above)
      continue;
    if (todo.test(candidate)) {
      output.push_back(candidate);
      todo.reset(candidate);
    }
    std::vector<Vertex> next;
    for (Vertex d : g_.normalized_down(candidate))
      if (todo.test(d) && !contains(current, d))
        next.push_back(d);
    if (next.empty()) {
      current.erase(current.begin() + candidate_index);
      ancestors.erase(ancestors.begin() + candidate_index);
      candidate_index = candidate_index > 0 ? candidate_index - 1 : 0;
    } else if (g_.normalized_dependencies(candidate).empty() && g_.info(candidate).down_revisions.size() == 1) {
      current[candidate_index] = next.front(); // plain step down a line
      ancestors[candidate_index].reset(candidate);
    } else {
      current[candidate_index] = next.front();
      ancestors[candidate_index] = g_.ancestors({next.front()}, true);
      for (std::size_t i = 1; i < next.size(); ++i) {
        current.push_back(next[i]);
        ancestors.push_back(g_.ancestors({next[i]}, true));
      }
    }
  }
  if (todo.any())
    throw Error(sqlstate::internal_error, "topological sort left revisions behind");
  return output;
}

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
    auto order = topological_sort(set.needed, set.targets);
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
    return topological_sort(drop, heads);
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
