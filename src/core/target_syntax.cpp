#include "core/target_syntax.hpp"

#include "core/text.hpp"

#include <climits>

namespace migrate {

namespace {

// Python's \w and \d, restricted to ASCII (check_target_text refuses the rest).
bool is_word(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// What int() skips around a number (C's isspace in the "C" locale; not the
// \x1c-\x1f that str.strip() also removes).
bool is_int_blank(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

// What str.strip() removes: str.isspace() on ASCII.
bool is_strip_blank(char c) {
  return is_int_blank(c) || (c >= '\x1c' && c <= '\x1f');
}

// Accumulates one decimal digit into a magnitude of at most LONG_MAX; false
// once it no longer fits (and from then on).
bool add_digit(long &magnitude, char digit) {
  const long d = digit - '0';
  if (magnitude > (LONG_MAX - d) / 10)
    return false;
  magnitude = magnitude * 10 + d;
  return true;
}

// The pattern after the branch group, (\w+)?((?:\+|-)\d+), at `at`. Its symbol
// can only be the whole run of word characters there (none if the run is
// empty): a shorter run, or skipping a run, leaves a word character where the
// sign must be. Then a sign and the longest run of digits.
struct Tail {
  std::size_t sign = 0, end = 0;
};

std::optional<Tail> match_tail(const std::string &t, std::size_t at) {
  std::size_t i = at;
  while (i < t.size() && is_word(t[i]))
    ++i;
  if (i + 1 >= t.size() || (t[i] != '+' && t[i] != '-') || !is_digit(t[i + 1]))
    return std::nullopt;
  std::size_t end = i + 1;
  while (end < t.size() && is_digit(t[end]))
    ++end;
  return Tail{i, end};
}

} // namespace

void check_target_text(const char *what, const std::string &text) {
  if (text.size() > max_target_bytes)
    throw Error(sqlstate::invalid_parameter_value, std::string(what) + " \"" + excerpt(text) + "\" is too long",
                "A " + std::string(what) + " is at most " + std::to_string(max_target_bytes) + " bytes; this one is " +
                    std::to_string(text.size()) + ".");
  for (char c : text)
    if (static_cast<unsigned char>(c) >= 0x80)
      throw Error(sqlstate::invalid_parameter_value,
                  std::string(what) + " \"" + excerpt(text) + "\" contains a character outside ASCII",
                  "Revision ids and branch labels are ASCII letters, digits and underscores.");
}

Error step_out_of_range(const std::string &target) {
  return Error(sqlstate::numeric_value_out_of_range,
               "relative step in target \"" + excerpt(target) + "\" is out of range",
               "A step is at most " + std::to_string(LONG_MAX) + " revisions either way.");
}

std::optional<RelativeTarget> match_relative(const std::string &target) {
  // The lazy branch group: the first `@` (after at least one character, with
  // no newline before it, as `.` matches no newline) after which the rest
  // matches; else the rest must match at the start, with no branch. The
  // tails tried for different `@`s scan disjoint runs: one pass in all.
  std::optional<std::size_t> at;
  std::optional<Tail> tail;
  for (std::size_t i = 1; i < target.size() && target[i - 1] != '\n'; ++i)
    if (target[i] == '@' && (tail = match_tail(target, i + 1))) {
      at = i;
      break;
    }
  if (!at && !(tail = match_tail(target, 0)))
    return std::nullopt;
  const std::size_t symbol_start = at ? *at + 1 : 0;
  RelativeTarget r;
  if (at)
    r.branch = target.substr(0, *at);
  if (tail->sign > symbol_start)
    r.symbol = target.substr(symbol_start, tail->sign - symbol_start);
  r.relative = target.substr(tail->sign, tail->end - tail->sign);
  long magnitude = 0;
  for (std::size_t i = tail->sign + 1; i < tail->end; ++i)
    if (!add_digit(magnitude, target[i]))
      throw step_out_of_range(target);
  r.steps = target[tail->sign] == '-' ? -magnitude : magnitude;
  return r;
}

std::optional<PythonInt> python_int(const std::string &text) {
  std::size_t i = 0, end = text.size();
  while (i < end && is_int_blank(text[i]))
    ++i;
  while (end > i && is_int_blank(text[end - 1]))
    --end;
  PythonInt n;
  bool minus = false;
  if (i < end && (text[i] == '+' || text[i] == '-'))
    minus = text[i++] == '-';
  if (i == end || !is_digit(text[i]))
    return std::nullopt;
  long magnitude = 0;
  for (; i < end; ++i) {
    if (text[i] == '_' && i + 1 < end && is_digit(text[i + 1]))
      continue; // one underscore between two digits
    if (!is_digit(text[i]))
      return std::nullopt;
    if (!n.out_of_range && !add_digit(magnitude, text[i]))
      n.out_of_range = true;
  }
  n.negative = minus && (magnitude != 0 || n.out_of_range);
  n.value = minus ? -magnitude : magnitude;
  return n;
}

HistoryRange split_history_range(const std::string &range) {
  std::size_t first = 0, end = range.size();
  while (first < end && is_strip_blank(range[first]))
    ++first;
  while (end > first && is_strip_blank(range[end - 1]))
    --end;
  const std::size_t colon = range.find(':', first);
  if (colon >= end || range.find(':', colon + 1) < end)
    throw Error(sqlstate::invalid_parameter_value, "History range requires [start]:[end], [start]:, or :[end]",
                "Got '" + excerpt(range) + "'.");
  return {range.substr(first, colon - first), range.substr(colon + 1, end - colon - 1)};
}

} // namespace migrate
