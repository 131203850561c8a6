#include "core/revision_graph.hpp"

#include "core/error.hpp"
#include "core/text.hpp"
#include "core/registration.hpp"

#include <boost/graph/breadth_first_search.hpp>
#include <boost/graph/depth_first_search.hpp>
#include <boost/graph/filtered_graph.hpp>
#include <boost/graph/reverse_graph.hpp>
#include <boost/graph/topological_sort.hpp>
#include <boost/pending/queue.hpp>

#include <algorithm>

namespace migrate {

namespace {

template <typename G> struct VersionedOnly {
  const G *g = nullptr;
  bool all = true;
  template <typename E> bool operator()(const E &e) const { return all || (*g)[e].versioned; }
};

// Marks every vertex a breadth-first search discovers.
struct MarkDiscovered : boost::default_bfs_visitor {
  VertexSet *seen;
  explicit MarkDiscovered(VertexSet *s) : seen(s) {}
  template <typename V, typename G> void discover_vertex(V v, const G &) const { seen->set(v); }
};

template <typename G>
void mark_reachable(const G &g, std::size_t n, const std::vector<std::size_t> &from, VertexSet *out) {
  std::vector<boost::default_color_type> colors(n);
  boost::queue<std::size_t> queue;
  boost::breadth_first_search(g, from.begin(), from.end(), queue, MarkDiscovered(out),
                              boost::make_iterator_property_map(colors.begin(), boost::get(boost::vertex_index, g)));
}

// Records the DFS tree so that a back edge can be turned into the cycle it closes.
struct CycleFinder : boost::default_dfs_visitor {
  std::vector<std::size_t> *parent;
  std::vector<std::size_t> *cycle;
  CycleFinder(std::vector<std::size_t> *p, std::vector<std::size_t> *c) : parent(p), cycle(c) {}
  template <typename E, typename G> void tree_edge(E e, const G &g) const {
    (*parent)[boost::target(e, g)] = boost::source(e, g);
  }
  template <typename E, typename G> void back_edge(E e, const G &g) const {
    if (!cycle->empty())
      return;
    std::size_t from = boost::source(e, g), to = boost::target(e, g);
    for (std::size_t v = from; v != to; v = (*parent)[v])
      cycle->push_back(v);
    cycle->push_back(to);
    std::reverse(cycle->begin(), cycle->end());
  }
};

} // namespace

RevisionGraph::RevisionGraph(std::vector<RevisionInfo> revisions)
    : infos_(std::move(revisions)), graph_(infos_.size()), resolved_deps_(infos_.size()),
      normalized_deps_(infos_.size()), labels_(infos_.size()) {
  add_vertices_and_labels();
  add_edges();
  check_acyclic();
  normalize_dependencies();
  propagate_labels();
}

void RevisionGraph::add_vertices_and_labels() {
  by_id_.reserve(infos_.size());
  for (Vertex v = 0; v < infos_.size(); ++v) {
    if (!by_id_.emplace(infos_[v].id, v).second)
      throw Error(sqlstate::data_corrupted, "revision \"" + infos_[v].id + "\" is present more than once");
  }
  for (Vertex v = 0; v < infos_.size(); ++v) {
    for (const auto &label : infos_[v].branch_labels) {
      if (by_id_.count(label))
        throw label_is_revision(label, infos_[v].id);
      auto [it, inserted] = by_label_.emplace(label, v);
      if (!inserted)
        throw label_taken(label, infos_[v].id, infos_[it->second].id);
    }
  }
}

void RevisionGraph::add_edges() {
  for (Vertex v = 0; v < infos_.size(); ++v) {
    const auto &rev = infos_[v];
    for (const auto &down : rev.down_revisions) {
      if (down == rev.id)
        throw Error(sqlstate::invalid_recursion, "Self-loop is detected in revisions (" + rev.id + ")",
                    "Revision " + rev.id + " lists itself in down_revisions.");
      auto p = find(down);
      if (!p)
        throw unknown_parent(rev.id, down);
      boost::add_edge(*p, v, Edge{true}, graph_);
    }
    for (const auto &dep : rev.depends_on) {
      auto d = find(dep);
      if (!d)
        d = label_owner(dep);
      if (!d)
        throw unknown_dependency(rev.id, dep);
      if (*d == v)
        throw Error(sqlstate::invalid_recursion, "Dependency self-loop is detected in revisions (" + rev.id + ")",
                    "Revision " + rev.id + " lists itself in depends_on.");
      if (std::find(resolved_deps_[v].begin(), resolved_deps_[v].end(), *d) != resolved_deps_[v].end())
        continue;
      resolved_deps_[v].push_back(*d);
      if (!boost::edge(*d, v, graph_).second)
        boost::add_edge(*d, v, Edge{false}, graph_);
    }
  }
}

std::vector<RevisionGraph::Vertex> RevisionGraph::find_cycle(bool versioned_only) const {
  VersionedOnly<Graph> pred{&graph_, !versioned_only};
  boost::filtered_graph<Graph, VersionedOnly<Graph>> g(graph_, pred);
  std::vector<std::size_t> parent(size()), cycle;
  std::vector<boost::default_color_type> colors(size());
  boost::depth_first_search(
      g, boost::visitor(CycleFinder(&parent, &cycle))
             .color_map(boost::make_iterator_property_map(colors.begin(), boost::get(boost::vertex_index, g))));
  return cycle;
}

// One search over every edge in the common, acyclic case; only a graph with a
// cycle is searched again to tell a down_revisions cycle from one that needs
// a depends_on edge (the versioned edges are a subset: no cycle in all, none in them).
void RevisionGraph::check_acyclic() const {
  auto cycle = find_cycle(false);
  if (cycle.empty())
    return;
  auto versioned = find_cycle(true);
  bool through_dependency = versioned.empty();
  if (!through_dependency)
    cycle = versioned;
  auto names = ids(cycle);
  names.push_back(names.front());
  throw Error(sqlstate::invalid_recursion,
              std::string(through_dependency ? "Dependency cycle" : "Cycle") + " is detected in revisions (" +
                  join(ids(cycle), ", ") + ")",
              "The cycle is " + join(names, " -> ") + ".",
              "A revision cannot descend from itself through down_revisions or depends_on.");
}

void RevisionGraph::normalize_dependencies() {
  for (Vertex v = 0; v < size(); ++v) {
    if (resolved_deps_[v].empty())
      continue;
    std::vector<Vertex> kept = resolved_deps_[v];
    VertexSet above = ancestors({v}, false);
    for (Vertex a = above.find_first(); a != VertexSet::npos; a = above.find_next(a)) {
      if (a == v)
        continue;
      for (Vertex covered : resolved_deps_[a])
        kept.erase(std::remove(kept.begin(), kept.end(), covered), kept.end());
    }
    normalized_deps_[v] = std::move(kept);
  }
}

// Alembic's rule: a label covers its revision's descendants, and also its
// ancestors down to (not including) the nearest branch or merge point, walked
// from the last descendant reached.
void RevisionGraph::propagate_labels() {
  for (Vertex owner = 0; owner < size(); ++owner) {
    const auto &declared = infos_[owner].branch_labels;
    if (declared.empty())
      continue;
    VertexSet seen = empty_set();
    std::vector<Vertex> stack{owner};
    Vertex last = owner;
    while (!stack.empty()) {
      Vertex v = stack.back();
      stack.pop_back();
      if (seen.test(v))
        continue;
      seen.set(v);
      last = v;
      labels_[v].insert(declared.begin(), declared.end());
      for (Vertex c : children(v))
        stack.push_back(c);
    }
    for (Vertex v = last; !is_real_branch_point(v) && !is_merge_point(v);) {
      labels_[v].insert(declared.begin(), declared.end());
      if (infos_[v].down_revisions.empty())
        break;
      v = *find(infos_[v].down_revisions.front());
    }
  }
}

std::vector<std::string> RevisionGraph::ids(const std::vector<Vertex> &vs) const {
  std::vector<std::string> out;
  out.reserve(vs.size());
  for (Vertex v : vs)
    out.push_back(infos_[v].id);
  return out;
}

std::vector<RevisionGraph::Vertex> RevisionGraph::members(const VertexSet &set) const {
  std::vector<Vertex> out;
  for (Vertex v = set.find_first(); v != VertexSet::npos; v = set.find_next(v))
    out.push_back(v);
  return out;
}

std::optional<RevisionGraph::Vertex> RevisionGraph::find(const std::string &id) const {
  auto it = by_id_.find(id);
  if (it == by_id_.end())
    return std::nullopt;
  return it->second;
}

std::optional<RevisionGraph::Vertex> RevisionGraph::label_owner(const std::string &label) const {
  auto it = by_label_.find(label);
  if (it == by_label_.end())
    return std::nullopt;
  return it->second;
}

std::vector<RevisionGraph::Vertex> RevisionGraph::lookup(const std::string &key_or_prefix,
                                                         std::vector<std::string> *keys) const {
  auto exact = find(key_or_prefix);
  if (!exact)
    exact = label_owner(key_or_prefix);
  if (exact) {
    if (keys)
      keys->push_back(key_or_prefix);
    return {*exact};
  }
  if (sorted_keys_.empty()) {
    sorted_keys_.reserve(by_id_.size() + by_label_.size());
    sorted_keys_.assign(by_id_.begin(), by_id_.end());
    sorted_keys_.insert(sorted_keys_.end(), by_label_.begin(), by_label_.end());
    std::sort(sorted_keys_.begin(), sorted_keys_.end());
  }
  std::vector<Vertex> out;
  auto it = std::lower_bound(sorted_keys_.begin(), sorted_keys_.end(), key_or_prefix,
                             [](const auto &entry, const std::string &key) { return entry.first < key; });
  for (; it != sorted_keys_.end() && it->first.compare(0, key_or_prefix.size(), key_or_prefix) == 0; ++it) {
    if (it->first.size() <= 3)
      continue;
    out.push_back(it->second);
    if (keys)
      keys->push_back(it->first);
  }
  return out;
}

// The versioned in-edges, which add_edges() adds in the order the revision
// declares its down revisions: no lookup by id (a hash of a string per parent
// was most of what ordering 100,000 revisions cost).
std::vector<RevisionGraph::Vertex> RevisionGraph::down_revisions(Vertex v) const {
  std::vector<Vertex> out;
  out.reserve(infos_[v].down_revisions.size());
  for_each_parent(v, false, [&](Vertex p) { out.push_back(p); });
  return out;
}

std::vector<RevisionGraph::Vertex> RevisionGraph::normalized_down(Vertex v) const {
  std::vector<Vertex> out = down_revisions(v);
  for (Vertex d : normalized_deps_[v])
    if (std::find(out.begin(), out.end(), d) == out.end())
      out.push_back(d);
  return out;
}

std::vector<RevisionGraph::Vertex> RevisionGraph::dependencies(Vertex v) const {
  return resolved_deps_[v];
}

std::size_t RevisionGraph::child_count(Vertex v) const {
  std::size_t n = 0;
  for (auto [e, end] = boost::out_edges(v, graph_); e != end; ++e)
    n += graph_[*e].versioned;
  return n;
}

std::vector<RevisionGraph::Vertex> RevisionGraph::children(Vertex v) const {
  std::vector<Vertex> out;
  for (auto [e, end] = boost::out_edges(v, graph_); e != end; ++e)
    if (graph_[*e].versioned)
      out.push_back(boost::target(*e, graph_));
  return out;
}

std::vector<RevisionGraph::Vertex> RevisionGraph::all_children(Vertex v) const {
  std::vector<Vertex> out;
  for (auto [e, end] = boost::out_edges(v, graph_); e != end; ++e)
    out.push_back(boost::target(*e, graph_));
  return out;
}

std::vector<RevisionGraph::Vertex> RevisionGraph::select(bool (RevisionGraph::*pred)(Vertex) const) const {
  std::vector<Vertex> out;
  for (Vertex v = 0; v < size(); ++v)
    if ((this->*pred)(v))
      out.push_back(v);
  return out;
}

std::vector<RevisionGraph::Vertex> RevisionGraph::heads() const {
  return select(&RevisionGraph::is_head);
}
std::vector<RevisionGraph::Vertex> RevisionGraph::real_heads() const {
  return select(&RevisionGraph::is_real_head);
}
std::vector<RevisionGraph::Vertex> RevisionGraph::bases() const {
  return select(&RevisionGraph::is_base);
}
std::vector<RevisionGraph::Vertex> RevisionGraph::branch_points() const {
  return select(&RevisionGraph::is_branch_point);
}
std::vector<RevisionGraph::Vertex> RevisionGraph::merge_points() const {
  return select(&RevisionGraph::is_merge_point);
}

VertexSet RevisionGraph::ancestors(const std::vector<Vertex> &from, bool include_dependencies) const {
  VertexSet out = empty_set();
  boost::filtered_graph<Graph, VersionedOnly<Graph>> g(graph_, {&graph_, include_dependencies});
  mark_reachable(boost::make_reverse_graph(g), size(), from, &out);
  return out;
}

VertexSet RevisionGraph::descendants(const std::vector<Vertex> &from, bool include_dependencies) const {
  VertexSet out = empty_set();
  boost::filtered_graph<Graph, VersionedOnly<Graph>> g(graph_, {&graph_, include_dependencies});
  mark_reachable(g, size(), from, &out);
  return out;
}

const std::vector<RevisionGraph::Vertex> &RevisionGraph::newest_first() const {
  if (newest_first_.size() != size()) {
    newest_first_.clear();
    newest_first_.reserve(size());
    // Boost emits vertices in reverse topological order: children first.
    boost::topological_sort(graph_, std::back_inserter(newest_first_));
  }
  return newest_first_;
}

} // namespace migrate
