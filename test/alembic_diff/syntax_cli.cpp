// migrate_syntax_cli: the core's target and range scanners on strings read
// from stdin, for syntax_diff.py, which puts the same strings to Alembic's own
// regular expression, Python's int() and `history`'s split.
//
// Input: one string per line, hex-encoded (an empty line is the empty string).
// Output: one line per string, three tab-separated answers:
//   match_relative:      none | overflow | <branch>,<symbol>,<relative>,<steps>
//   python_int:          none | overflow- | overflow+ | <value>
//   split_history_range: error | <lower>,<upper>
// where strings are hex-encoded and `~` stands for no group (Python's None).
#include "core/error.hpp"
#include "core/target_syntax.hpp"

#include <iostream>
#include <optional>
#include <string>

namespace {

std::string hex(const std::string &text) {
  static const char digits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : text) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

std::string hex(const std::optional<std::string> &text) {
  return text ? hex(*text) : "~";
}

std::optional<std::string> unhex(const std::string &line) {
  if (line.size() % 2)
    return std::nullopt;
  std::string out;
  for (std::size_t i = 0; i < line.size(); i += 2)
    out += static_cast<char>(std::stoi(line.substr(i, 2), nullptr, 16));
  return out;
}

std::string relative(const std::string &text) {
  try {
    auto r = migrate::match_relative(text);
    if (!r)
      return "none";
    return hex(r->branch) + "," + hex(r->symbol) + "," + hex(r->relative) + "," + std::to_string(r->steps);
  } catch (const migrate::Error &e) {
    if (std::string(e.sqlstate()) == migrate::sqlstate::numeric_value_out_of_range)
      return "overflow";
    throw;
  }
}

std::string integer(const std::string &text) {
  auto n = migrate::python_int(text);
  if (!n)
    return "none";
  if (n->out_of_range)
    return n->negative ? "overflow-" : "overflow+";
  return std::to_string(n->value);
}

std::string range(const std::string &text) {
  try {
    auto r = migrate::split_history_range(text);
    return hex(r.lower) + "," + hex(r.upper);
  } catch (const migrate::Error &) {
    return "error";
  }
}

} // namespace

int main() {
  for (std::string line; std::getline(std::cin, line);) {
    auto text = unhex(line);
    if (!text) {
      std::cerr << "not hex: " << line << "\n";
      return 2;
    }
    std::cout << relative(*text) << '\t' << integer(*text) << '\t' << range(*text) << '\n';
  }
  return 0;
}
