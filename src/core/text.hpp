// Small text helpers shared by the core and the PostgreSQL layer.
#pragma once

#include <string>
#include <vector>

namespace migrate {

// "a, b, c" for join(items, ", "); "" for no items.
inline std::string join(const std::vector<std::string> &items, const char *separator) {
  std::string out;
  for (const auto &item : items) {
    if (!out.empty())
      out += separator;
    out += item;
  }
  return out;
}

} // namespace migrate
