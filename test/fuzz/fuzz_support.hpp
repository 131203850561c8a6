// Shared by the libFuzzer targets in test/fuzz: reading choices out of the
// fuzzer's bytes, a few fixed revision graphs (branches, merges, labels,
// depends_on, ids that prefix one another), and the rule every refusal must
// follow. A migrate::Error is an answer; any other exception escapes, and
// libFuzzer reports it as a crash (as it does ASan and UBSan findings).
#pragma once

#include "core/error.hpp"
#include "core/revision_graph.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace migrate::fuzz {

// Takes bytes from the front for choices; what is left is text.
class Input {
public:
  Input(const std::uint8_t *data, std::size_t size) : data_(data), size_(size) {}

  std::uint8_t byte() {
    if (size_ == 0)
      return 0;
    --size_;
    return *data_++;
  }
  // A number in [0, n), n > 0.
  std::size_t pick(std::size_t n) { return byte() % n; }
  // Text up to the next NUL (consumed) or the end.
  std::string text() {
    const void *nul = std::memchr(data_, 0, size_);
    std::size_t n = nul ? static_cast<const std::uint8_t *>(nul) - data_ : size_;
    std::string out(reinterpret_cast<const char *>(data_), n);
    data_ += n;
    size_ -= n;
    if (nul) {
      ++data_;
      --size_;
    }
    return out;
  }
  bool empty() const { return size_ == 0; }

private:
  const std::uint8_t *data_;
  std::size_t size_;
};

inline RevisionInfo rev(std::string id, std::vector<std::string> down = {}, std::vector<std::string> labels = {},
                        std::vector<std::string> depends_on = {}) {
  return RevisionInfo{std::move(id), std::move(down), std::move(depends_on), std::move(labels), "m"};
}

// The graphs the target and history fuzzers plan over.
inline const std::vector<RevisionGraph> &graphs() {
  static const std::vector<RevisionGraph> all = [] {
    std::vector<RevisionGraph> g;
    // Issue 9's merge with a redundant parent, and a depends_on.
    g.emplace_back(std::vector<RevisionInfo>{
        rev("b1211b"), rev("122a11", {"b1211b"}), rev("ab1baa"), rev("1aa2ab", {"b1211b", "ab1baa"}),
        rev("2aa1a2", {"1aa2ab"}), rev("a1b222", {"b1211b"}), rev("bb22ab", {"1aa2ab", "b1211b"}, {}, {"a1b222"})});
    // Two labelled branches merged, a second base depending on a label.
    g.emplace_back(std::vector<RevisionInfo>{rev("a"), rev("b", {"a"}), rev("c", {"b"}, {"left"}), rev("d", {"c"}),
                                             rev("e", {"b"}, {"right"}), rev("f", {"e"}), rev("g", {"d", "f"}),
                                             rev("h", {}, {"other"}), rev("i", {"h"}, {}, {"left"}),
                                             rev("j", {"i"}, {"third", "fourth"})});
    // Ids that prefix one another, all-digit ids, date-style ids.
    g.emplace_back(std::vector<RevisionInfo>{rev("ae10"), rev("ae1027a6acf", {"ae10"}), rev("ae1028", {"ae10"}, {"ae"}),
                                             rev("20260221_01"), rev("20260221_02", {"20260221_01"}, {}, {"ae"}),
                                             rev("12"), rev("1234", {"12"}), rev("9", {"1234"}, {"x9"}),
                                             rev("Heads1", {"9", "20260221_02"})});
    // A long line with a label half way.
    std::vector<RevisionInfo> line;
    for (int i = 0; i < 30; ++i)
      line.push_back(rev("r" + std::to_string(i),
                         i ? std::vector<std::string>{"r" + std::to_string(i - 1)} : std::vector<std::string>{},
                         i == 10 ? std::vector<std::string>{"mid"} : std::vector<std::string>{}));
    g.emplace_back(line);
    g.emplace_back(std::vector<RevisionInfo>{}); // nothing registered
    return g;
  }();
  return all;
}

// Some version rows: usually what a database could be at, sometimes not
// (the planner must refuse those, not crash).
inline std::vector<std::string> current_rows(Input &in, const RevisionGraph &g) {
  std::vector<std::string> rows;
  if (g.size() == 0)
    return rows;
  std::size_t n = in.pick(4);
  for (std::size_t i = 0; i < n; ++i) {
    std::string id = g.id(in.pick(g.size()));
    bool seen = false;
    for (const auto &r : rows)
      seen = seen || r == id;
    if (!seen)
      rows.push_back(id);
  }
  return rows;
}

// The user texts of the current input, which refusals may quote only in part.
inline std::vector<std::string> &user_texts() {
  static std::vector<std::string> texts;
  return texts;
}

// True when `message` holds 350 or more bytes of `text` in a row (a window
// of 300 starting at a multiple of 50 lies inside any such run).
inline bool echoes(const std::string &message, const std::string &text) {
  for (std::size_t i = 0; i + 300 <= text.size(); i += 50)
    if (message.find(text.data() + i, 0, 300) != std::string::npos)
      return true;
  return false;
}

// Messages quote at most an excerpt (200 bytes) of user text, so a refusal
// stays short however long the input (the fixed graphs keep lists of ids
// short too).
inline void check_refusal(const Error &e) {
  const std::string what = e.what();
  if (what.size() > 1500 || e.detail().size() > 1500 || e.hint().size() > 1500 || std::strlen(e.sqlstate()) != 5)
    std::abort();
  for (const auto &text : user_texts())
    if (echoes(what, text) || echoes(e.detail(), text) || echoes(e.hint(), text))
      std::abort();
}

// Runs `f`; a migrate::Error is a refusal, checked; anything else escapes.
template <typename F> void answer(F &&f) {
  try {
    f();
  } catch (const Error &e) {
    check_refusal(e);
  }
}

} // namespace migrate::fuzz
