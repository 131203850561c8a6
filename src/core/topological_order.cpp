#include "core/topological_order.hpp"

#include "core/error.hpp"
#include "core/text.hpp"

#include <algorithm>

namespace migrate {

namespace {

using Vertex = RevisionGraph::Vertex;

bool contains(const std::vector<Vertex> &vs, Vertex v) {
  return std::find(vs.begin(), vs.end(), v) != vs.end();
}

} // namespace

// Walks down from the heads, emitting a revision once no other pending head
// still needs it, so that each branch comes out as one run.
std::vector<Vertex> topological_order(const RevisionGraph &g, const VertexSet &revisions,
                                      const std::vector<Vertex> &heads) {
  VertexSet todo = revisions;
  std::vector<Vertex> current;
  for (Vertex h : heads)
    if (todo.test(h) && !contains(current, h))
      current.push_back(h);
  std::sort(current.begin(), current.end()); // registration order
  std::vector<VertexSet> ancestors;
  for (Vertex h : current)
    ancestors.push_back(g.ancestors({h}, true));

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
    for (Vertex d : g.normalized_down(candidate))
      if (todo.test(d) && !contains(current, d))
        next.push_back(d);
    if (next.empty()) {
      current.erase(current.begin() + candidate_index);
      ancestors.erase(ancestors.begin() + candidate_index);
      candidate_index = candidate_index > 0 ? candidate_index - 1 : 0;
    } else if (g.normalized_dependencies(candidate).empty() && g.info(candidate).down_revisions.size() == 1) {
      current[candidate_index] = next.front(); // plain step down a line
      ancestors[candidate_index].reset(candidate);
    } else {
      current[candidate_index] = next.front();
      ancestors[candidate_index] = g.ancestors({next.front()}, true);
      for (std::size_t i = 1; i < next.size(); ++i) {
        current.push_back(next[i]);
        ancestors.push_back(g.ancestors({next[i]}, true));
      }
    }
  }
  if (todo.any()) {
    // Only a history range can ask for this: its lower end, kept by
    // `inclusive`, below revisions the range leaves out (Alembic fails an
    // assertion here).
    auto left = g.ids(g.members(todo));
    throw Error(sqlstate::invalid_parameter_value,
                "revision" + std::string(left.size() > 1 ? "s " : " ") + join(left, ", ") +
                    " cannot be listed: no revision in the range leads down to " + (left.size() > 1 ? "them" : "it"),
                {},
                "Widen the range, e.g. to base:" + (heads.empty() ? std::string("heads") : g.id(heads.front())) + ".");
  }
  return output;
}

} // namespace migrate
