// Visited marks for walks that each see a small part of a large graph.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace migrate {

// A generation number per vertex instead of a visited array cleared for
// every walk: a walk costs what it visits, not the size of the graph.
class WalkMarks {
public:
  explicit WalkMarks(std::size_t vertices) : mark_(vertices, 0) {}

  void next_walk() {
    if (++walk_ == 0) { // wrapped around: start the generations again
      std::fill(mark_.begin(), mark_.end(), 0);
      walk_ = 1;
    }
  }
  // True the first time `v` is seen in this walk.
  bool visit(std::size_t v) {
    if (mark_[v] == walk_)
      return false;
    mark_[v] = walk_;
    return true;
  }

private:
  std::vector<std::uint32_t> mark_;
  std::uint32_t walk_ = 0;
};

} // namespace migrate
