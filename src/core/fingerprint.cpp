#include "core/fingerprint.hpp"

#include "core/text.hpp"

#include <algorithm>
#include <tuple>

namespace migrate {

namespace {

bool before_in_order(const SchemaObject &a, const SchemaObject &b) {
  return std::tie(a.kind, a.name, a.definition) < std::tie(b.kind, b.name, b.definition);
}

int compare_keys(const SchemaObject &a, const SchemaObject &b) {
  if (int c = a.kind.compare(b.kind))
    return c;
  return a.name.compare(b.name);
}

constexpr std::size_t quoted_limit = 200;

// Cut at a character boundary (UTF-8 continuation bytes are 10xxxxxx).
std::string cut(const std::string &text) {
  if (text.size() <= quoted_limit)
    return text;
  std::size_t end = quoted_limit;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80)
    --end;
  return text.substr(0, end) + "...";
}

std::vector<std::string> lines(const std::string &text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (;;) {
    std::size_t end = text.find('\n', start);
    out.push_back(text.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos)
      return out;
    start = end + 1;
  }
}

} // namespace

void sort_fingerprint(Fingerprint &objects) {
  std::sort(objects.begin(), objects.end(), before_in_order);
}

std::string canonical_form(const Fingerprint &objects) {
  std::string out = "migrate-fingerprint-v1;";
  for (const auto &o : objects) {
    put_field(out, o.kind);
    put_field(out, o.name);
    put_field(out, o.definition);
  }
  return out;
}

std::string describe_change(const std::string &before, const std::string &after) {
  auto old_lines = lines(before), new_lines = lines(after);
  if (old_lines.size() == 1 && new_lines.size() == 1)
    return "was: " + cut(before) + "; now: " + cut(after);
  std::size_t n = 0;
  while (n < old_lines.size() && n < new_lines.size() && old_lines[n] == new_lines[n])
    ++n;
  auto line_at = [](const std::vector<std::string> &ls, std::size_t i) {
    return i < ls.size() ? cut(ls[i]) : std::string("(no such line)");
  };
  return "line " + std::to_string(n + 1) + " was: " + line_at(old_lines, n) + "; now: " + line_at(new_lines, n);
}

std::vector<SchemaDifference> compare(const Fingerprint &before, const Fingerprint &after) {
  // A merge of two sorted lists. Keys are unique in a fingerprint; should one
  // repeat, its rows pair up in order and the rest count as added or removed.
  std::vector<SchemaDifference> out;
  std::size_t i = 0, j = 0;
  while (i < before.size() || j < after.size()) {
    int c = i == before.size() ? 1 : j == after.size() ? -1 : compare_keys(before[i], after[j]);
    if (c < 0) {
      out.push_back({before[i].kind, before[i].name, "removed", "was: " + cut(before[i].definition)});
      ++i;
    } else if (c > 0) {
      out.push_back({after[j].kind, after[j].name, "added", "now: " + cut(after[j].definition)});
      ++j;
    } else {
      if (before[i].definition != after[j].definition)
        out.push_back(
            {after[j].kind, after[j].name, "changed", describe_change(before[i].definition, after[j].definition)});
      ++i;
      ++j;
    }
  }
  return out;
}

FingerprintDelta delta(const Fingerprint &before, const Fingerprint &after) {
  FingerprintDelta out;
  std::size_t i = 0, j = 0;
  while (i < before.size() || j < after.size()) {
    int c = i == before.size() ? 1 : j == after.size() ? -1 : compare_keys(before[i], after[j]);
    if (c == 0 && before[i].definition == after[j].definition) {
      ++i;
      ++j;
      continue;
    }
    if (c <= 0)
      out.removed.push_back(before[i++]);
    if (c >= 0)
      out.added.push_back(after[j++]);
  }
  return out;
}

} // namespace migrate
