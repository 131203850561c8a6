// Random revisions as users register them: ids, parents, dependencies and
// labels checked (check_content, check_new_revision against what was accepted
// before), the accepted ones built into a RevisionGraph and drawn as DOT with
// their messages; backfill definitions and lock-timeout reports; and Python's
// int() as the target grammar reads ids.
#include "core/backfill.hpp"
#include "core/graphviz.hpp"
#include "core/identifier.hpp"
#include "core/lock_retry.hpp"
#include "core/registration.hpp"
#include "core/revision_content.hpp"
#include "core/target_syntax.hpp"
#include "fuzz_support.hpp"

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <map>

using namespace migrate;

namespace {

class Accepted : public CatalogLookup {
public:
  bool revision_exists(const std::string &id) const override { return ids.count(id) > 0; }
  std::optional<std::string> label_owner(const std::string &label) const override {
    auto it = labels.find(label);
    if (it == labels.end())
      return std::nullopt;
    return it->second;
  }
  std::map<std::string, bool> ids;
  std::map<std::string, std::string> labels;
  std::vector<RevisionInfo> infos;
};

// A list from text: items separated by ','; empty text is an empty list.
std::vector<std::string> list(const std::string &text) {
  std::vector<std::string> out;
  if (text.empty())
    return out;
  std::size_t start = 0;
  for (std::size_t comma; (comma = text.find(',', start)) != std::string::npos; start = comma + 1)
    out.push_back(text.substr(start, comma - start));
  out.push_back(text.substr(start));
  return out;
}

// python_int against strtol on the same text without underscores.
void check_python_int(const std::string &text) {
  auto n = python_int(text);
  if (!n)
    return;
  std::string plain;
  for (char c : text)
    if (c != '_')
      plain += c;
  errno = 0;
  const long expected = std::strtol(plain.c_str(), nullptr, 10);
  // python_int keeps to +-LONG_MAX, so that a magnitude always fits.
  const bool out = errno == ERANGE || expected == LONG_MIN;
  if (out != n->out_of_range || (!out && (n->value != expected || n->negative != (expected < 0))) ||
      (out && n->negative != (plain.find('-') != std::string::npos)))
    std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
  fuzz::Input in(data, size);
  fuzz::user_texts() = {std::string(reinterpret_cast<const char *>(data), size)};
  Accepted catalog;
  for (int item = 0; item < 24 && !in.empty(); ++item) {
    const int what = in.pick(4);
    if (what == 0) {
      BackfillSpec spec{in.text(), in.text(), in.text(), {}};
      spec.limits.pause_us = static_cast<std::int8_t>(in.byte());
      if (in.pick(2))
        spec.limits.max_batches = static_cast<std::int8_t>(in.byte());
      fuzz::answer([&] {
        check_backfill_spec(spec);
        backfill_canonical_form(spec);
      });
      continue;
    }
    if (what == 1) {
      LockRetryPolicy policy{in.byte(), static_cast<int>(in.pick(5)), in.byte(), 60'000};
      // Only the holder's query is user text; the rest is the engine's or
      // pg_locks' (short names), so it is kept short here.
      auto word = [&] { return in.text().substr(0, 64); };
      LockHolder holder{in.byte(), word(), word(), in.text(), word()};
      const std::string step = word(), lock = word(), object = word();
      fuzz::check_refusal(lock_not_granted(step, lock, object, policy, {holder}));
      retry_delay_ms(policy, in.pick(70));
      continue;
    }
    if (what == 2) {
      const std::string text = in.text();
      check_python_int(text);
      fuzz::answer([&] { check_identifier("branch label", text); });
      continue;
    }
    RevisionContent c;
    c.graph.id = in.text();
    if (catalog.ids.count(c.graph.id))
      continue; // registering an id again is an update: another path (src/pg)
    c.graph.down_revisions = list(in.text());
    c.graph.depends_on = list(in.text());
    c.graph.branch_labels = list(in.text());
    c.graph.message = in.text();
    c.upgrade_sql = in.text();
    c.requires_backfills = list(in.text());
    fuzz::answer([&] {
      check_content(c);
      check_new_revision(c.graph, catalog);
      canonical_form(c);
      catalog.ids[c.graph.id] = true;
      for (const auto &label : c.graph.branch_labels)
        catalog.labels[label] = c.graph.id;
      catalog.infos.push_back(c.graph);
    });
  }
  // What registration accepted is a valid graph.
  RevisionGraph g(catalog.infos);
  VertexSet applied = g.empty_set();
  for (RevisionGraph::Vertex v = 0; v < g.size(); v += 2)
    applied.set(v);
  to_dot(g, applied);
  return 0;
}
