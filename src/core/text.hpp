// Small text helpers shared by the core and the PostgreSQL layer.
#pragma once

#include <cstddef>
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

// How much of a user's text an error message quotes, in bytes.
inline constexpr std::size_t excerpt_bytes = 200;

// User text as an error message quotes it: whole when it is short, else its
// first 200 bytes, "..." and its full length, so that a 10 MB argument gives
// a short error. The cut never splits a character: in every server encoding
// PostgreSQL supports, a byte below 0x80 is a character of its own, so the cut
// is moved back to such a byte; text without one there is taken as UTF-8.
inline std::string excerpt(const std::string &text) {
  if (text.size() <= excerpt_bytes)
    return text;
  auto high = [&](std::size_t i) { return static_cast<unsigned char>(text[i]) >= 0x80; };
  std::size_t cut = excerpt_bytes;
  while (cut > 0 && high(cut - 1) && high(cut))
    --cut;
  if (cut == 0)
    for (cut = excerpt_bytes; cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80;)
      --cut;
  return text.substr(0, cut) + "... (" + std::to_string(text.size()) + " bytes)";
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
