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

// Length-prefixed fields ("3:abc;", "[2]1:a;1:b;"): a serialization in which
// no two different sequences of fields look alike, for checksums.
inline void put_field(std::string &out, const std::string &field) {
  out += std::to_string(field.size());
  out += ':';
  out += field;
  out += ';';
}

inline void put_field(std::string &out, const std::vector<std::string> &list) {
  out += '[' + std::to_string(list.size()) + ']';
  for (const auto &item : list)
    put_field(out, item);
}

} // namespace migrate
