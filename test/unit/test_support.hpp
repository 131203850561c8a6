// Helpers shared by the unit tests: building graphs from short literals,
// turning vertices back into ids, and catching a refusal to inspect it.
#pragma once

#include "core/error.hpp"
#include "core/revision_graph.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <set>
#include <string>
#include <vector>

namespace migrate::test {

using Strings = std::vector<std::string>;
using IdSet = std::set<std::string>;

inline RevisionInfo rev(std::string id, Strings down = {}, Strings labels = {}, Strings depends_on = {},
                        std::string message = {}) {
  return RevisionInfo{std::move(id), std::move(down), std::move(depends_on), std::move(labels), std::move(message)};
}

inline RevisionGraph::Vertex vertex(const RevisionGraph &g, const std::string &id) {
  auto v = g.find(id);
  if (!v)
    throw std::logic_error("test graph has no revision " + id);
  return *v;
}

inline std::vector<RevisionGraph::Vertex> vertices(const RevisionGraph &g, const Strings &ids) {
  std::vector<RevisionGraph::Vertex> out;
  for (const auto &id : ids)
    out.push_back(vertex(g, id));
  return out;
}

inline IdSet id_set(const RevisionGraph &g, const std::vector<RevisionGraph::Vertex> &vs) {
  auto ids = g.ids(vs);
  return IdSet(ids.begin(), ids.end());
}

inline IdSet id_set(const RevisionGraph &g, const VertexSet &set) {
  return id_set(g, g.members(set));
}

// Runs `f`, which must throw an E; returns the exception for inspection.
template <typename E = Error, typename F> std::optional<E> catch_error(F &&f) {
  try {
    f();
  } catch (const E &e) {
    return e;
  } catch (const std::exception &e) {
    ADD_FAILURE() << "threw a different exception: " << e.what();
    return std::nullopt;
  }
  ADD_FAILURE() << "did not throw";
  return std::nullopt;
}

} // namespace migrate::test
