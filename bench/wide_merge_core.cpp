// The core's share of bench/wide_merge.sh, without PostgreSQL: N bases and a
// merge of all of them, through the planner, VersionRows, history() and
// all_current(). For profiling (perf record, valgrind --tool=callgrind) and
// for telling the core's time from the SQL side's.
//
//   build/cmake/migrate_bench_wide_merge [N...]      (default 1000 10000)
#include "core/current.hpp"
#include "core/history.hpp"
#include "core/planner.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

namespace {

using namespace migrate;

double ms(const std::function<void()> &f) {
  auto start = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

// What run_plan does with a plan: every step through VersionRows, and the
// rows after each (the journal records them).
std::size_t apply(const RevisionGraph &g, std::vector<std::string> rows, const std::vector<RevisionStep> &steps) {
  VersionRows state(g, rows);
  std::size_t journal = 0;
  for (const auto &s : steps) {
    state.apply(s);
    journal += 1;
  }
  (void)g;
  return journal + state.rows().size();
}

} // namespace

int main(int argc, char **argv) {
  std::vector<long> sizes;
  for (int i = 1; i < argc; ++i)
    sizes.push_back(std::strtol(argv[i], nullptr, 10));
  if (sizes.empty())
    sizes = {1000, 10000};
  std::printf("%-7s %9s %9s %9s %9s %9s %9s %9s %9s\n", "N", "graph", "plan_all", "run_all", "plan_m", "run_m",
              "unmerge", "down_all", "history");
  for (long n : sizes) {
    std::vector<RevisionInfo> infos;
    std::vector<std::string> bases;
    for (long i = 1; i <= n; ++i) {
      bases.push_back("b" + std::to_string(i));
      infos.push_back({bases.back(), {}, {}, {}, ""});
    }
    infos.push_back({"m", bases, {}, {}, "merge all"});
    std::unique_ptr<RevisionGraph> g;
    double t_graph = ms([&] { g = std::make_unique<RevisionGraph>(infos); });
    Planner planner(*g);
    std::vector<RevisionStep> all, one, unmerge, down;
    double t_plan_all = ms([&] { all = planner.upgrade({}, "head"); });
    double t_run_all = ms([&] { apply(*g, {}, all); });
    double t_plan_m = ms([&] { one = planner.upgrade(bases, "head"); });
    double t_run_m = ms([&] { apply(*g, bases, one); });
    double t_unmerge = ms([&] {
      unmerge = planner.downgrade({"m"}, "b1");
      apply(*g, {"m"}, unmerge);
    });
    double t_down = ms([&] {
      down = planner.downgrade({"m"}, "base");
      apply(*g, {"m"}, down);
    });
    std::size_t listed = 0;
    double t_history = ms([&] {
      listed = history(*g, std::nullopt, {"m"}).size();
      listed += all_current(*g, g->ancestors({*g->find("m")}, true)).size();
    });
    if (all.size() != std::size_t(n) + 1 || one.size() != 1 || unmerge.size() != 1 ||
        down.size() != std::size_t(n) + 1 || listed != std::size_t(n) + 2) {
      std::fprintf(stderr, "unexpected plan sizes\n");
      return 1;
    }
    std::printf("%-7ld %9.1f %9.1f %9.1f %9.1f %9.1f %9.1f %9.1f %9.1f\n", n, t_graph, t_plan_all, t_run_all, t_plan_m,
                t_run_m, t_unmerge, t_down, t_history);
  }
  return 0;
}
