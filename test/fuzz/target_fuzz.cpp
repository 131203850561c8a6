// Random targets resolved and planned over fixed graphs with random version
// rows: TargetResolver (revisions, revision, parse_upgrade_target,
// parse_downgrade_target, upgrade_set) and Planner (upgrade, downgrade,
// stamp), each plan applied to the version rows as the engine applies it.
#include "core/planner.hpp"
#include "core/target_syntax.hpp"
#include "fuzz_support.hpp"

#include <cstdlib>

using namespace migrate;

namespace {

void plan(const RevisionGraph &g, const std::vector<std::string> &rows, const std::vector<RevisionStep> &steps) {
  VersionRows after(g, rows);
  for (const auto &step : steps)
    fuzz::answer([&] { after.apply(step); });
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
  fuzz::Input in(data, size);
  const auto &graphs = fuzz::graphs();
  const RevisionGraph &g = graphs[in.pick(graphs.size())];
  const std::vector<std::string> rows = fuzz::current_rows(in, g);
  const int command = in.pick(8);
  const std::string target = in.text();
  const std::string second = in.text();
  fuzz::user_texts() = {target, second};
  Planner planner(g);
  TargetResolver resolver(g);

  // The scanner on the raw text, whatever its length: its groups are the
  // start of the target, and the step has the sign typed.
  fuzz::answer([&] {
    if (auto r = match_relative(target); r) {
      const std::string rebuilt = (r->branch ? *r->branch + "@" : "") + r->symbol.value_or("") + r->relative;
      if (target.compare(0, rebuilt.size(), rebuilt) != 0 || (r->relative[0] == '-' && r->steps > 0) ||
          (r->relative[0] == '+' && r->steps < 0))
        std::abort();
    }
  });

  fuzz::answer([&] {
    switch (command) {
    case 0:
      plan(g, rows, planner.upgrade(rows, target));
      break;
    case 1:
      plan(g, rows, planner.downgrade(rows, target));
      break;
    case 2: {
      VersionRows after(g, rows);
      std::vector<std::string> targets{target};
      if (!second.empty())
        targets.push_back(second);
      for (const auto &step : planner.stamp(rows, targets))
        after.apply(step);
      break;
    }
    case 3:
      resolver.revisions(Spec{target});
      break;
    case 4:
      check_target_text("target", target);
      resolver.revision(target);
      break;
    case 5:
      check_target_text("target", target);
      resolver.parse_upgrade_target(Spec{rows}, Spec{target}, in.pick(2));
      break;
    case 6:
      check_target_text("target", target);
      resolver.parse_downgrade_target(Spec{rows}, target, in.pick(2));
      break;
    default:
      check_target_text("target", target);
      check_target_text("target", second);
      resolver.upgrade_set(Spec{target}, second.empty() ? Spec{rows} : Spec{second}, in.pick(2), in.pick(2),
                           in.pick(2));
      break;
    }
  });
  return 0;
}
