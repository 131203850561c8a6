// The text of targets and history ranges, read exactly as Alembic 1.8.1 reads
// it, by one-pass scanners: no regular expressions (libstdc++'s recurse once
// per character and overflow the stack on a long target), no recursion, no
// unchecked integer conversion.
#pragma once

#include "core/error.hpp"

#include <cstddef>
#include <optional>
#include <string>

namespace migrate {

// The longest target or history range accepted, in bytes. A real one is at
// most a label, an id (128 each), a step and a colon or two.
inline constexpr std::size_t max_target_bytes = 1024;

// Refuses (22023) a target or range (`what`) longer than max_target_bytes or
// with a byte outside ASCII. Python's \w, \d and int() read non-ASCII digits
// and letters (`+٣` is a walk of three); ids and labels are ASCII, so on ASCII
// text the scanners below agree with Alembic, and other text is refused
// rather than read differently. Called before any parsing.
void check_target_text(const char *what, const std::string &text);

// Alembic's `_relative_destination.match(target)` with the pattern
// (?:(.+?)@)?(\w+)?((?:\+|-)\d+): anchored at the start only, the branch is the
// shortest prefix (no newline) before an `@` that lets the rest match.
struct RelativeTarget {
  std::optional<std::string> branch; // group 1
  std::optional<std::string> symbol; // group 2
  std::string relative;              // group 3: the sign and digits as typed
  long steps = 0;                    // int(relative)
};

// nullopt when the pattern does not match. Throws 22003 when the step is
// beyond +-LONG_MAX (Python's int has no limit, we refuse instead).
std::optional<RelativeTarget> match_relative(const std::string &target);

// Python's int(text) on ASCII text: blanks (space, \t \n \v \f \r) around, an
// optional sign, decimal digits with single underscores between them.
struct PythonInt {
  long value = 0;            // valid unless out_of_range
  bool negative = false;     // below zero (`-0` is not)
  bool out_of_range = false; // magnitude beyond LONG_MAX
};
// nullopt where int() raises ValueError.
std::optional<PythonInt> python_int(const std::string &text);

// 22003 for a relative step or number in `target` that long cannot hold.
Error step_out_of_range(const std::string &target);

// Alembic's `history -r`: `range.strip().split(":")`, which must give two
// sides; an empty side stands for base (lower) or heads (upper). Throws 22023.
struct HistoryRange {
  std::string lower, upper;
};
HistoryRange split_history_range(const std::string &range);

} // namespace migrate
