// The revision graph: Alembic's revision model (down_revisions, depends_on,
// branch labels) held in a Boost.Graph adjacency list.
#pragma once

#include <boost/dynamic_bitset.hpp>
#include <boost/graph/adjacency_list.hpp>

#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

namespace migrate {

// What the graph needs to know of a revision; SQL text stays in the catalog.
struct RevisionInfo {
  std::string id;
  std::vector<std::string> down_revisions;
  std::vector<std::string> depends_on; // revision ids or branch labels, as declared
  std::vector<std::string> branch_labels;
  std::string message;
};

using VertexSet = boost::dynamic_bitset<>;

class RevisionGraph {
public:
  using Vertex = std::size_t;

  // Revisions come in registration order, which breaks ties everywhere an
  // order is not implied by the graph. Throws migrate::Error on an unknown
  // parent or dependency, a self-loop, a cycle, or a label clash.
  explicit RevisionGraph(std::vector<RevisionInfo> revisions);

  std::size_t size() const { return infos_.size(); }
  const RevisionInfo &info(Vertex v) const { return infos_[v]; }
  const std::string &id(Vertex v) const { return infos_[v].id; }
  std::vector<std::string> ids(const std::vector<Vertex> &vs) const;
  std::vector<Vertex> members(const VertexSet &set) const;
  VertexSet empty_set() const { return VertexSet(size()); }

  std::optional<Vertex> find(const std::string &id) const;
  // The revision that declares `label`.
  std::optional<Vertex> label_owner(const std::string &label) const;
  // Exact id or label first, then every id or label longer than three
  // characters that starts with `prefix` (Alembic's partial identifiers).
  std::vector<Vertex> lookup(const std::string &key_or_prefix, std::vector<std::string> *keys) const;
  // Labels in force on a revision: declared on it or inherited along its branch.
  const std::set<std::string> &labels(Vertex v) const { return labels_[v]; }

  std::vector<Vertex> down_revisions(Vertex v) const;
  std::vector<Vertex> dependencies(Vertex v) const;
  // depends_on minus what an ancestor already depends on (Alembic's
  // normalized dependencies): the edges that order an upgrade.
  const std::vector<Vertex> &normalized_dependencies(Vertex v) const { return normalized_deps_[v]; }
  // Alembic's _normalized_down_revisions: the parents, then the normalized
  // dependencies that are not parents. What an upgrade step stands on.
  std::vector<Vertex> normalized_down(Vertex v) const;
  std::vector<Vertex> children(Vertex v) const;     // through down_revisions only
  std::vector<Vertex> all_children(Vertex v) const; // dependents too
  // The same without a vector: f(parent) for each down revision and, with
  // dependencies, each resolved dependency; f(child) for each revision built
  // on v (and, with dependencies, each that depends on it).
  template <typename F> void for_each_parent(Vertex v, bool include_dependencies, F &&f) const {
    for (auto [e, end] = boost::in_edges(v, graph_); e != end; ++e)
      if (include_dependencies || graph_[*e].versioned)
        f(boost::source(*e, graph_));
  }
  template <typename F> void for_each_child(Vertex v, bool include_dependencies, F &&f) const {
    for (auto [e, end] = boost::out_edges(v, graph_); e != end; ++e)
      if (include_dependencies || graph_[*e].versioned)
        f(boost::target(*e, graph_));
  }

  bool is_head(Vertex v) const { return child_count(v) == 0; }
  bool is_real_head(Vertex v) const { return boost::out_degree(v, graph_) == 0; }
  bool is_base(Vertex v) const { return infos_[v].down_revisions.empty(); }
  bool is_real_base(Vertex v) const { return is_base(v) && infos_[v].depends_on.empty(); }
  bool is_branch_point(Vertex v) const { return child_count(v) > 1; }
  bool is_real_branch_point(Vertex v) const { return boost::out_degree(v, graph_) > 1; }
  bool is_merge_point(Vertex v) const { return infos_[v].down_revisions.size() > 1; }

  std::vector<Vertex> heads() const;      // no child through down_revisions
  std::vector<Vertex> real_heads() const; // no child at all
  std::vector<Vertex> bases() const;
  std::vector<Vertex> branch_points() const;
  std::vector<Vertex> merge_points() const;

  // Reachability; the start vertices are members of the result.
  VertexSet ancestors(const std::vector<Vertex> &from, bool include_dependencies) const;
  VertexSet descendants(const std::vector<Vertex> &from, bool include_dependencies) const;

  // Every revision, each before its parents and dependencies. Computed once:
  // the graph never changes after construction.
  const std::vector<Vertex> &newest_first() const;

private:
  struct Edge {
    bool versioned; // a down_revision edge, as opposed to depends_on only
  };
  // Edges are never removed, so the edge list is a vector: one allocation for
  // all of them instead of one each (the default list).
  using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::bidirectionalS, boost::no_property, Edge,
                                      boost::no_property, boost::vecS>;

  void add_vertices_and_labels();
  void add_edges();
  void check_acyclic() const;
  std::vector<Vertex> find_cycle(bool versioned_only) const;
  std::size_t child_count(Vertex v) const;
  void normalize_dependencies();
  void propagate_labels();
  std::vector<Vertex> select(bool (RevisionGraph::*pred)(Vertex) const) const;

  std::vector<RevisionInfo> infos_;
  Graph graph_;
  std::unordered_map<std::string, Vertex> by_id_;
  std::unordered_map<std::string, Vertex> by_label_;
  // Ids and labels sorted for prefix search: built on the first prefix lookup,
  // since most calls never make one.
  mutable std::vector<std::pair<std::string, Vertex>> sorted_keys_;
  mutable std::vector<Vertex> newest_first_;
  std::vector<std::vector<Vertex>> resolved_deps_;
  std::vector<std::vector<Vertex>> normalized_deps_;
  std::vector<std::set<std::string>> labels_;
};

} // namespace migrate
