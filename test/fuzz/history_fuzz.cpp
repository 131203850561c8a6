// Random history ranges over fixed graphs with random version rows (which the
// keyword `current` stands for), and the range scanner on its own.
#include "core/history.hpp"
#include "core/target_syntax.hpp"
#include "fuzz_support.hpp"

#include <cstdlib>

using namespace migrate;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
  fuzz::Input in(data, size);
  const auto &graphs = fuzz::graphs();
  const RevisionGraph &g = graphs[in.pick(graphs.size())];
  const std::vector<std::string> rows = fuzz::current_rows(in, g);
  const std::string range = in.text();
  fuzz::user_texts() = {range};

  fuzz::answer([&] {
    auto sides = split_history_range(range);
    // The sides are the stripped range, split at its colon.
    if (range.find(sides.lower + ":" + sides.upper) == std::string::npos)
      std::abort();
  });
  fuzz::answer([&] {
    auto listed = history(g, range, rows);
    for (auto v : listed)
      if (v >= g.size())
        std::abort();
  });
  return 0;
}
