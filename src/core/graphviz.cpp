#include "core/graphviz.hpp"

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/graphviz.hpp>

#include <algorithm>
#include <sstream>

namespace migrate {

namespace {

using DotGraph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS, boost::no_property, bool>;

std::string node_label(const RevisionGraph &g, RevisionGraph::Vertex v) {
  std::string label = g.id(v);
  const auto &declared = g.info(v).branch_labels;
  for (std::size_t i = 0; i < declared.size(); ++i)
    label += (i == 0 ? " (" : ", ") + declared[i] + (i + 1 == declared.size() ? ")" : "");
  if (!g.info(v).message.empty())
    label += "\n" + g.info(v).message;
  return label;
}

// Always quoted, with backslashes escaped: boost::escape_dot_string leaves a
// DOT keyword (a revision named `node` or `graph`) unquoted, and a backslash in
// a message would escape the closing quote or become a Graphviz label escape.
std::string quote_dot(const std::string &text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\')
      out += '\\';
    out += c;
  }
  return out + "\"";
}

} // namespace

std::string to_dot(const RevisionGraph &g, const VertexSet &applied) {
  // A plain copy with one edge per down_revision or dependency: write_graphviz
  // only needs the shape, the writers below add what each vertex means.
  DotGraph dot(g.size());
  for (RevisionGraph::Vertex v = 0; v < g.size(); ++v) {
    auto parents = g.down_revisions(v);
    for (auto p : parents)
      boost::add_edge(p, v, true, dot);
    // A dependency that is also a parent is drawn once, as the parent edge.
    for (auto d : g.normalized_dependencies(v))
      if (std::find(parents.begin(), parents.end(), d) == parents.end())
        boost::add_edge(d, v, false, dot);
  }
  auto vertex_writer = [&](std::ostream &out, RevisionGraph::Vertex v) {
    out << "[label=" << quote_dot(node_label(g, v));
    if (g.is_merge_point(v) || g.is_branch_point(v))
      out << ", shape=diamond";
    if (g.is_head(v))
      out << ", peripheries=2, style=\"bold" << (applied.test(v) ? ",filled" : "") << "\"";
    else if (applied.test(v))
      out << ", style=filled";
    if (applied.test(v))
      out << ", fillcolor=\"#c8e6c9\"";
    out << "]";
  };
  auto edge_writer = [&](std::ostream &out, DotGraph::edge_descriptor e) {
    if (!dot[e])
      out << "[style=dashed, label=\"depends_on\"]";
  };
  auto graph_writer = [](std::ostream &out) { out << "rankdir=BT;\nnode [shape=box, fontname=\"Helvetica\"];\n"; };
  std::ostringstream out;
  boost::write_graphviz(out, dot, vertex_writer, edge_writer, graph_writer);
  return out.str();
}

} // namespace migrate
