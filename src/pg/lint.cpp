#include "pg/lint.hpp"

#include "core/error.hpp"
#include "pg/entry.hpp"
#include "pg/fmgr_io.hpp"
#include "pg/guard.hpp"
#include "pg/lint_facts.hpp"
#include "pg/settings.hpp"

namespace migrate::pg {

std::vector<lint::Finding> lint_plan(const RevisionGraph &graph, const PlannedMotion &plan, bool commit_per_revision) {
  std::vector<lint::Revision> revisions;
  bool collect_literals = false;
  for (const auto &step : plan.steps)
    if (step.upgrade)
      revisions.push_back(read_for_lint(plan.revisions.at(graph.id(step.revision)).content, collect_literals));
  lint::Options options;
  options.large_table_bytes = static_cast<std::int64_t>(setting_lint_large_table_kb) * 1024;
  options.commit_per_revision = commit_per_revision;
  return lint::lint(revisions, options);
}

namespace {

std::string where(const lint::Finding &f) {
  std::string at = f.rule + " in revision " + f.revision;
  if (f.statement > 0)
    at += ", statement " + std::to_string(f.statement) + " (line " + std::to_string(f.line) + ")";
  else if (f.line > 0)
    at += ", line " + std::to_string(f.line);
  return at;
}

void warn(const lint::Finding &f) {
  const std::string message = "migrate.lint: " + where(f) + ": " + f.message;
  const char *text = message.c_str();
  const char *hint = f.hint.c_str();
  pg_call([&] { ereport(WARNING, (errmsg_internal("%s", text), errhint("%s", hint))); });
}

} // namespace

void lint_gate(const RevisionGraph &graph, const PlannedMotion &plan, bool commit_per_revision) {
  const auto mode = static_cast<LintMode>(setting_lint);
  if (mode == LintMode::off || plan.steps.empty() || plan.motion != Motion::upgrade)
    return;
  std::vector<lint::Finding> refused;
  for (const auto &f : lint_plan(graph, plan, commit_per_revision)) {
    if (mode == LintMode::error && f.severity == lint::Severity::error)
      refused.push_back(f);
    else
      warn(f);
  }
  if (refused.empty())
    return;
  std::string detail;
  for (const auto &f : refused)
    detail += (detail.empty() ? "" : "\n") + where(f) + ": " + f.message;
  const std::string first = refused.front().rule;
  throw Error(sqlstate::lint_refused,
              "migrate.lint = error: " + std::to_string(refused.size()) + " finding" +
                  (refused.size() == 1 ? "" : "s") + " of severity error; nothing was run",
              detail,
              "SELECT * FROM migrate.lint(target) lists them with their hints. Fix the revisions, silence a rule "
              "for one revision (lint_ignore => '{" +
                  first + "}' in migrate.revision(), a \"-- lint-ignore: " + first +
                  "\" line in its file), or SET migrate.lint = 'warn'.");
}

namespace {

Datum lint_function(FunctionCallInfo fcinfo) {
  std::string target = required_text(fcinfo, 0, "target");
  SpiConnection spi(Volatility::stable);
  auto graph = load_graph();
  PlannedMotion plan = plan_motion(*graph, Motion::upgrade, target, false);
  // A plan with a transactional => false revision can only run under CALL migrate.run().
  bool commit_per_revision = false;
  for (const auto &step : plan.steps)
    commit_per_revision |= !plan.revisions.at(graph->id(step.revision)).content.transactional;
  auto findings = lint_plan(*graph, plan, commit_per_revision);
  spi.finish();
  Rows rows;
  for (const auto &f : findings)
    rows.push_back(Row{f.revision, f.statement > 0 ? Cell{std::to_string(f.statement)} : null_cell(),
                       f.line > 0 ? Cell{std::to_string(f.line)} : null_cell(), f.rule,
                       std::string(lint::severity_name(f.severity)), f.object.empty() ? null_cell() : Cell{f.object},
                       f.message, f.hint});
  return return_rows(fcinfo, rows);
}

} // namespace

} // namespace migrate::pg

MIGRATE_SQL_FUNCTION(migrate_lint, migrate::pg::lint_function)
