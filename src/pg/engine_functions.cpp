// migrate.upgrade(), downgrade(), stamp(), plan() and merge(): moving the
// database, or saying how it would move.
#include "core/error.hpp"
#include "core/planner.hpp"
#include "core/revision_content.hpp"
#include "core/text.hpp"
#include "pg/catalog.hpp"
#include "pg/engine.hpp"
#include "pg/entry.hpp"
#include "pg/fingerprint.hpp"
#include "pg/fmgr_io.hpp"
#include "pg/lint.hpp"
#include "pg/registration.hpp"
#include "pg/spi.hpp"

namespace migrate::pg {

namespace {

Rows report_rows(const std::vector<StepReport> &reports) {
  Rows rows;
  for (const auto &r : reports)
    rows.push_back(Row{r.revision, r.direction, r.message, std::to_string(r.duration_us) + " microseconds"});
  return rows;
}

Datum move(FunctionCallInfo fcinfo, Motion motion) {
  std::string target = required_text(fcinfo, 0, "target");
  SpiConnection spi(Volatility::volatile_);
  lock_catalog(); // before reading the state: a second session waits, then sees the first one's work
  auto graph = load_graph();
  PlannedMotion plan = plan_motion(*graph, motion, target, true);
  check_runnable(*graph, plan);
  lint_gate(*graph, plan, false); // setting migrate.lint
  auto reports = run_plan(*graph, plan);
  spi.finish();
  return return_rows(fcinfo, report_rows(reports));
}

Datum upgrade(FunctionCallInfo fcinfo) {
  return move(fcinfo, Motion::upgrade);
}
Datum downgrade(FunctionCallInfo fcinfo) {
  return move(fcinfo, Motion::downgrade);
}

Datum plan(FunctionCallInfo fcinfo) {
  std::string target = required_text(fcinfo, 0, "target");
  std::string direction = required_text(fcinfo, 1, "direction");
  if (direction != "upgrade" && direction != "downgrade")
    throw Error(sqlstate::invalid_parameter_value,
                "direction must be 'upgrade' or 'downgrade', not '" + excerpt(direction) + "'");
  SpiConnection spi(Volatility::stable);
  auto graph = load_graph();
  PlannedMotion planned =
      plan_motion(*graph, direction == "upgrade" ? Motion::upgrade : Motion::downgrade, target, false);
  check_runnable(*graph, planned); // plan() refuses what upgrade()/downgrade() would refuse
  spi.finish();
  VersionRows rows(*graph, planned.rows_before);
  Rows out;
  std::int64_t number = 0;
  for (const auto &step : planned.steps) {
    const VersionChange change = rows.apply(step);
    const auto &info = graph->info(step.revision);
    out.push_back(Row{++number, info.id, info.message, step_sql(*graph, planned, step), change.written()});
  }
  return return_rows(fcinfo, out);
}

Datum stamp(FunctionCallInfo fcinfo) {
  std::string target = required_text(fcinfo, 0, "target");
  SpiConnection spi(Volatility::volatile_);
  lock_catalog();
  auto graph = load_graph();
  auto before = version_rows_for_update();
  applied_set(*graph, before);
  VersionRows rows(*graph, before);
  std::vector<JournalEntry> journal;
  const std::string started = clock_now();
  for (const auto &step : Planner(*graph).stamp(before, {target})) {
    const VersionChange change = rows.apply(step);
    const auto &named = step.to.empty() ? step.from : step.to;
    std::string line = "stamp_revision ";
    for (std::size_t i = 0; i < step.from.size(); ++i)
      line += (i ? ", " : "") + step.from[i];
    line += " ->";
    for (std::size_t i = 0; i < step.to.size(); ++i)
      line += (i ? ", " : " ") + step.to[i];
    const char *text = line.c_str();
    pg_call([&] { ereport(NOTICE, (errmsg_internal("Running %s", text))); });
    journal.push_back({named.front(), "stamp", change.replaced(), change.written(), 0, 0});
  }
  if (!journal.empty()) {
    write_version_rows(rows.rows());
    append_journal(journal, started);
  } else {
    record_fingerprint(rows.rows()); // stamped where it is: the schema as it is becomes drift()'s reference
  }
  spi.finish();
  Rows out;
  for (const auto &id : rows.rows())
    out.push_back(Row{id});
  return return_rows(fcinfo, out);
}

Datum merge(FunctionCallInfo fcinfo) {
  auto specs = required_text_array(fcinfo, 0, "revisions");
  std::string message = required_text(fcinfo, 1, "message");
  auto id = arg_text(fcinfo, 2);
  SpiConnection spi(Volatility::volatile_);
  lock_catalog();
  auto graph = load_graph();
  TargetResolver resolver(*graph);
  std::vector<RevisionGraph::Vertex> parents;
  VertexSet named = graph->empty_set(); // `{heads}` can name 10,000 of them
  for (const auto &spec : specs)
    for (const Node &n : resolver.revisions(Spec{spec})) {
      if (!n.is_revision())
        throw Error(sqlstate::invalid_parameter_value, "merge target '" + excerpt(spec) + "' does not name a revision");
      if (named.test(n.vertex))
        throw Error(sqlstate::invalid_parameter_value, "Duplicate head revisions specified");
      named.set(n.vertex);
      parents.push_back(n.vertex);
    }
  RevisionContent c;
  c.graph.down_revisions = graph->ids(parents);
  c.graph.message = message;
  c.upgrade_sql = "";
  c.downgrade_sql = std::string(); // reversible: nothing to undo
  if (id) {
    // A caller's id names a new revision; the same merge sent again is a no-op.
    c.graph.id = *id;
    if (auto existing = load_revision(*id)) {
      if (canonical_form(existing->content) != canonical_form(c))
        throw Error(sqlstate::duplicate_object, "revision " + excerpt(*id) + " already exists", {},
                    "Choose another id for the merge, or leave it NULL to have one generated.");
      spi.finish();
      return return_text(*id);
    }
  } else {
    // Alembic's generated ids: the last 12 hex digits of a random UUID.
    c.graph.id =
        text(query("SELECT pg_catalog.right(pg_catalog.replace(pg_catalog.gen_random_uuid()::text, '-', ''), 12)")
                 .front()[0]);
  }
  for (auto v : parents)
    if (!graph->is_head(v))
      throw Error(sqlstate::invalid_parameter_value, "Revision " + graph->id(v) + " is not a head revision", {},
                  "A merge joins heads: see migrate.heads().");
  if (parents.size() < 2)
    throw Error(sqlstate::invalid_parameter_value,
                "a merge needs two or more heads, got " + std::to_string(parents.size()), {},
                "Name the heads to join, or pass '{heads}' for all of them.");
  register_content(c);
  spi.finish();
  return return_text(c.graph.id);
}

} // namespace

} // namespace migrate::pg

MIGRATE_SQL_FUNCTION(migrate_upgrade, migrate::pg::upgrade)
MIGRATE_SQL_FUNCTION(migrate_downgrade, migrate::pg::downgrade)
MIGRATE_SQL_FUNCTION(migrate_plan, migrate::pg::plan)
MIGRATE_SQL_FUNCTION(migrate_stamp, migrate::pg::stamp)
MIGRATE_SQL_FUNCTION(migrate_merge, migrate::pg::merge)
