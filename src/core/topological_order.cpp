#include "core/topological_order.hpp"

#include "core/error.hpp"
#include "core/text.hpp"
#include "core/walk_marks.hpp"

#include <algorithm>
#include <cstdint>
#include <optional>

namespace migrate {

namespace {

using Vertex = RevisionGraph::Vertex;
constexpr std::size_t none = static_cast<std::size_t>(-1);

// Alembic's RevisionMap._topological_sort keeps a list of current heads, one
// ancestor set per head, and an index into the list:
//
//   candidate = heads[i]
//   if another head's ancestor set holds the candidate: i = the first such head
//   else: emit it; replace it by its pending down revisions (new ones go to
//         the end of the list), or drop it from the list and step i back.
//
// Done that way, every candidate is tested against every head's ancestor set
// and every head change recomputes one: a merge of 10,000 heads is quadratic.
// Here the list is a linked list of slots whose ids grow in list order (a
// slot keeps its place when its head moves down), and "another head holds the
// candidate" is answered without ancestor sets when the revisions to order
// are convex (no path leaves them and comes back, which holds for every
// upgrade and downgrade plan):
//
//   - another head holds c  <=>  c has a child or dependent still pending.
//     Every pending revision stays below some head, so a pending child is
//     below another head; and a path from c up to another head only crosses
//     pending revisions (they are in the set, and none can be emitted while a
//     head above it is pending).
//   - the first such head is the lowest slot among the heads reached by
//     walking up from c over pending revisions.
//
// For a set that is not convex (a history range can be), each head's
// ancestor set is computed when a scan first needs it, and the scan is
// Alembic's own.
class Walk {
public:
  Walk(const RevisionGraph &g, const VertexSet &revisions, const std::vector<Vertex> &heads, TopologicalOrderCost &cost)
      : g_(g), todo_(revisions), slot_of_(g.size(), none), marks_(g.size()), cost_(cost) {
    std::vector<Vertex> start;
    for (Vertex h : heads)
      if (todo_.test(h))
        start.push_back(h);
    std::sort(start.begin(), start.end()); // registration order
    start.erase(std::unique(start.begin(), start.end()), start.end());
    for (Vertex h : start)
      append(h);
    convex_ = is_convex();
    if (convex_) {
      pending_children_.assign(g.size(), 0);
      up_.resize(g.size());
      up_start_.assign(g.size(), 0);
      filled_.resize(g.size());
      for (Vertex v = todo_.find_first(); v != VertexSet::npos; v = todo_.find_next(v))
        g_.for_each_parent(v, true, [&](Vertex p) { ++pending_children_[p]; });
    }
  }

  std::vector<Vertex> run() {
    std::vector<Vertex> output;
    std::size_t at = first_;
    while (first_ != none) {
      const Vertex candidate = slots_[at].head;
      const std::size_t above = slot_above(candidate, at);
      if (above != none) {
        at = above; // another head must be walked first
        continue;
      }
      if (todo_.test(candidate)) {
        output.push_back(candidate);
        emit(candidate);
      }
      std::vector<Vertex> next;
      for (Vertex d : g_.normalized_down(candidate))
        if (todo_.test(d) && slot_of_[d] == none)
          next.push_back(d);
      slot_of_[candidate] = none;
      if (next.empty()) {
        const std::size_t back = slots_[at].prev;
        unlink(at);
        at = back != none ? back : first_;
      } else if (g_.normalized_dependencies(candidate).empty() && g_.info(candidate).down_revisions.size() == 1) {
        // A plain step down a line: the head's ancestors lose the candidate only.
        move_head(at, next.front());
        if (slots_[at].ancestors)
          slots_[at].ancestors->reset(candidate);
      } else {
        move_head(at, next.front());
        slots_[at].ancestors.reset();
        for (std::size_t i = 1; i < next.size(); ++i)
          append(next[i]);
      }
    }
    return output;
  }

  const VertexSet &left() const { return todo_; }

private:
  struct Slot {
    Vertex head;
    std::size_t prev, next;
    std::optional<VertexSet> ancestors; // computed for a scan, when not convex
  };

  void append(Vertex head) {
    const std::size_t id = slots_.size();
    slots_.push_back(Slot{head, last_, none, std::nullopt});
    if (last_ != none)
      slots_[last_].next = id;
    else
      first_ = id;
    last_ = id;
    slot_of_[head] = id;
  }

  void unlink(std::size_t id) {
    Slot &s = slots_[id];
    (s.prev != none ? slots_[s.prev].next : first_) = s.next;
    (s.next != none ? slots_[s.next].prev : last_) = s.prev;
    s.ancestors.reset();
  }

  void move_head(std::size_t id, Vertex head) {
    slots_[id].head = head;
    slot_of_[head] = id;
  }

  void emit(Vertex v) {
    todo_.reset(v);
    if (convex_)
      g_.for_each_parent(v, true, [&](Vertex p) { --pending_children_[p]; });
  }

  // No path from a revision of the set leaves it and comes back into it.
  bool is_convex() {
    marks_.next_walk();
    std::vector<Vertex> stack;
    for (Vertex v = todo_.find_first(); v != VertexSet::npos; v = todo_.find_next(v))
      g_.for_each_child(v, true, [&](Vertex c) {
        if (!todo_.test(c) && marks_.visit(c))
          stack.push_back(c);
      });
    while (!stack.empty()) {
      Vertex v = stack.back();
      stack.pop_back();
      bool back_in = false;
      g_.for_each_child(v, true, [&](Vertex c) {
        if (todo_.test(c))
          back_in = true;
        else if (marks_.visit(c))
          stack.push_back(c);
      });
      if (back_in)
        return false;
    }
    return true;
  }

  // The first slot, in list order, other than `own`, whose head has `c`
  // among its ancestors; none if there is none.
  std::size_t slot_above(Vertex c, std::size_t own) {
    if (!convex_) {
      for (std::size_t s = first_; s != none; s = slots_[s].next) {
        if (s == own)
          continue;
        if (!slots_[s].ancestors) {
          slots_[s].ancestors = g_.ancestors({slots_[s].head}, true);
          ++cost_.ancestor_sets;
        }
        if (slots_[s].ancestors->test(c))
          return s;
      }
      return none;
    }
    if (pending_children_[c] == 0)
      return none;
    // No slot comes before this one: finding it ends the walk.
    const std::size_t lowest = first_ != own ? first_ : slots_[first_].next;
    if (lowest == none)
      return none;
    std::size_t best = none;
    marks_.next_walk();
    marks_.visit(c);
    std::vector<Vertex> stack{c};
    while (!stack.empty()) {
      Vertex v = stack.back();
      stack.pop_back();
      const auto &up = pending_children(v);
      for (std::size_t i = up_start_[v]; i < up.size(); ++i) {
        Vertex u = up[i];
        if (!todo_.test(u) || !marks_.visit(u))
          continue;
        ++cost_.walked;
        if (slot_of_[u] != none && (best == none || slot_of_[u] < best)) {
          best = slot_of_[u];
          if (best == lowest)
            return best;
        }
        stack.push_back(u);
      }
    }
    return best;
  }

  // v's children and dependents still pending, in registration order. Kept
  // per revision: those emitted are skipped from the front, and the list is
  // compacted once most of it is gone, so that a revision asked about again
  // and again (a branch point under many heads) costs what is left.
  const std::vector<Vertex> &pending_children(Vertex v) {
    auto &list = up_[v];
    if (!filled_.test(v)) {
      filled_.set(v);
      g_.for_each_child(v, true, [&](Vertex c) {
        if (todo_.test(c))
          list.push_back(c);
      });
    }
    std::size_t &start = up_start_[v];
    while (start < list.size() && !todo_.test(list[start]))
      ++start;
    if (list.size() - start > 2 * std::size_t(pending_children_[v]) + 8) {
      list.erase(std::remove_if(list.begin() + start, list.end(), [&](Vertex u) { return !todo_.test(u); }),
                 list.end());
      list.erase(list.begin(), list.begin() + start);
      start = 0;
    }
    return list;
  }

  const RevisionGraph &g_;
  VertexSet todo_;
  std::vector<Slot> slots_;
  std::size_t first_ = none, last_ = none;
  std::vector<std::size_t> slot_of_; // the slot whose head a revision is
  bool convex_ = false;
  std::vector<std::uint32_t> pending_children_;
  std::vector<std::vector<Vertex>> up_;
  std::vector<std::size_t> up_start_;
  VertexSet filled_;
  WalkMarks marks_;
  TopologicalOrderCost &cost_;
};

} // namespace

std::vector<Vertex> topological_order(const RevisionGraph &g, const VertexSet &revisions,
                                      const std::vector<Vertex> &heads) {
  return topological_order(g, revisions, heads, nullptr);
}

std::vector<Vertex> topological_order(const RevisionGraph &g, const VertexSet &revisions,
                                      const std::vector<Vertex> &heads, TopologicalOrderCost *cost) {
  TopologicalOrderCost ignored;
  Walk walk(g, revisions, heads, cost ? *cost : ignored);
  auto output = walk.run();
  if (walk.left().any()) {
    // Only a history range can ask for this: its lower end, kept by
    // `inclusive`, below revisions the range leaves out (Alembic fails an
    // assertion here).
    auto left = g.ids(g.members(walk.left()));
    throw Error(sqlstate::invalid_parameter_value,
                "revision" + std::string(left.size() > 1 ? "s " : " ") + join(left, ", ") +
                    " cannot be listed: no revision in the range leads down to " + (left.size() > 1 ? "them" : "it"),
                {},
                "Widen the range, e.g. to base:" + (heads.empty() ? std::string("heads") : g.id(heads.front())) + ".");
  }
  return output;
}

} // namespace migrate
