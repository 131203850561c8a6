#include "core/identifier.hpp"

#include "core/error.hpp"
#include "core/text.hpp"

#include <algorithm>
#include <unordered_set>

namespace migrate {

namespace {
constexpr std::size_t max_identifier_length = 128;

bool is_identifier_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}
} // namespace

bool is_reserved_word(const std::string &word) {
  return word == "head" || word == "heads" || word == "base" || word == "current";
}

bool is_valid_identifier(const std::string &value) {
  return !value.empty() && value.size() <= max_identifier_length &&
         std::all_of(value.begin(), value.end(), is_identifier_char);
}

void check_identifier(const char *what, const std::string &value) {
  if (value.empty())
    throw Error(sqlstate::invalid_parameter_value, std::string(what) + " must not be empty");
  if (!is_valid_identifier(value))
    throw Error(sqlstate::invalid_parameter_value, std::string("invalid ") + what + " \"" + excerpt(value) + "\"",
                std::string(what) + "s are 1 to 128 characters of letters, digits and underscores",
                "Date-style (20260221_01_add_users) and hex (ae1027a6acf) ids both fit.");
  if (is_reserved_word(value))
    throw Error(sqlstate::invalid_parameter_value, std::string(what) + " \"" + value + "\" is a reserved word",
                "head, heads, base and current are target keywords.");
}

void check_no_duplicates(const char *what, const std::vector<std::string> &values) {
  std::unordered_set<std::string> seen;
  for (const auto &v : values)
    if (!seen.insert(v).second)
      throw Error(sqlstate::invalid_parameter_value,
                  std::string(what) + " lists \"" + excerpt(v) + "\" more than once");
}

} // namespace migrate
