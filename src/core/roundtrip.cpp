#include "core/roundtrip.hpp"

#include "core/text.hpp"

#include <algorithm>
#include <tuple>

namespace migrate::roundtrip {

namespace {

const std::string *definition_of(const Fingerprint &objects, const std::string &kind, const std::string &name) {
  auto it =
      std::lower_bound(objects.begin(), objects.end(), std::tie(kind, name),
                       [](const SchemaObject &o, const std::tuple<const std::string &, const std::string &> &key) {
                         return std::tie(o.kind, o.name) < key;
                       });
  return it != objects.end() && it->kind == kind && it->name == name ? &it->definition : nullptr;
}

// A column's definition reads "type [COLLATE c] [NOT NULL] [DEFAULT expr |
// GENERATED ...]" (pg/fingerprint.cpp). When both sides are the same text
// before " DEFAULT " (a side without one: all of it), only the default
// changed, was added or was dropped: say so, and show the defaults alone.
// Otherwise nothing (the whole definitions are shown).
std::string default_change(const std::string &before, const std::string &after) {
  static const std::string marker = " DEFAULT ";
  const std::size_t was_at = before.find(marker), now_at = after.find(marker);
  if (was_at == std::string::npos && now_at == std::string::npos)
    return {};
  if (before.substr(0, was_at) != after.substr(0, now_at))
    return {};
  auto value = [](const std::string &definition, std::size_t at) {
    return at == std::string::npos ? std::string("none") : definition.substr(at + marker.size());
  };
  return "changed default (" + describe_change(value(before, was_at), value(after, now_at)) + ")";
}

} // namespace

std::string describe(const std::vector<SchemaDifference> &differences, const Fingerprint &before,
                     const Fingerprint &after) {
  std::string out;
  for (const auto &d : differences) {
    if (!out.empty())
      out += '\n';
    out += d.kind + " " + d.name + ": ";
    if (d.change == "added") {
      out += "left behind (" + d.detail + ")"; // the downgrade did not drop what the upgrade made
    } else if (d.change == "removed") {
      out += "gone (" + d.detail + ")"; // the downgrade dropped what was there before the upgrade
    } else {
      std::string said;
      if (d.kind == "column") {
        const std::string *was = definition_of(before, d.kind, d.name), *now = definition_of(after, d.kind, d.name);
        if (was && now)
          said = default_change(*was, *now);
      }
      out += said.empty() ? "changed (" + d.detail + ")" : said;
    }
  }
  return out;
}

std::string describe_failure(const std::string &phase, const std::string &sqlstate, const std::string &message) {
  return phase + " failed: SQLSTATE " + sqlstate + ": " + excerpt(message);
}

std::string irreversible() {
  return "irreversible: no downgrade SQL; upgraded, not run down";
}

std::string not_transactional() {
  return "not checked: transactional => false; it cannot run inside the check's transaction, nor can what follows it";
}

std::string not_reached(const std::string &stopped_at, bool failed) {
  return "not checked: revision " + stopped_at +
         (failed ? " before it could not be upgraded" : " before it is transactional => false and was not run");
}

} // namespace migrate::roundtrip
