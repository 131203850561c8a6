// migrate.rehearse(target): the upgrade to `target` run for real, statement
// by statement, inside a subtransaction that is always rolled back; what
// each statement did (statement_observer.hpp) is kept in C++ memory and
// returned after the rollback (docs/proving.md).
#include "core/error.hpp"
#include "core/text.hpp"
#include "pg/backend.hpp"
#include "pg/catalog.hpp"
#include "pg/entry.hpp"
#include "pg/fmgr_io.hpp"
#include "pg/motion.hpp"
#include "pg/rolled_back.hpp"
#include "pg/spi.hpp"
#include "pg/statement_observer.hpp"
#include "pg/step_runner.hpp"

namespace migrate::pg {

namespace {

struct RehearsedRow {
  std::string revision;
  std::optional<int> statement;
  std::string sql;
  std::optional<StatementEffects> effects; // nullopt: not rehearsed
  std::string note;
};

// Why a step is listed but not run, or "" when it is rehearsed.
std::string not_rehearsed(const PlannedStep &step) {
  if (step.runner == Runner::top_level)
    return "not rehearsed: revision " + step.stored->content.graph.id +
           " is transactional => false; CALL migrate.run() runs it outside any transaction (in a background "
           "worker), which a rehearsal inside a transaction cannot do";
  if (!step.gated_by.empty())
    return "not rehearsed: gated by backfill" + std::string(step.gated_by.size() == 1 ? " " : "s ") +
           join(step.gated_by, ", ") +
           ", not done; upgrade() refuses it until then, CALL migrate.run() runs the backfills first";
  return {};
}

// A line added to the CONTEXT of an error a rehearsed statement raised.
void add_context(const PgError &error, const std::string &line) {
  ErrorData *data = error.data();
  const char *text = line.c_str();
  pg_call([&] { data->context = data->context ? psprintf("%s\n%s", data->context, text) : pstrdup(text); });
}

std::vector<RehearsedRow> rehearse_plan(const PlannedMotion &plan) {
  std::vector<RehearsedRow> out;
  std::vector<std::string> skipped; // revisions not rehearsed so far
  StatementObserver observer;
  for (const auto &step : plan.steps) {
    check_for_interrupts();
    const std::string &id = step.stored->content.graph.id;
    if (step.statements.empty()) {
      out.push_back({id, std::nullopt, "", std::nullopt, "no statements"});
      continue;
    }
    const std::string why = not_rehearsed(step);
    if (!why.empty()) {
      for (const auto &statement : step.statements)
        out.push_back({id, statement.number, statement.text, std::nullopt, why});
      skipped.push_back(id);
      continue;
    }
    try {
      run_step_sql(step, &observer);
    } catch (const PgError &e) {
      std::string line = "migrate.rehearse(): revision " + id + ", statement " + std::to_string(observer.current());
      if (!skipped.empty())
        line += ", after revision" + std::string(skipped.size() == 1 ? " " : "s ") + join(skipped, ", ") +
                " (not rehearsed)";
      add_context(e, line + "; everything the rehearsal ran was rolled back");
      throw;
    }
    for (auto &effects : observer.take()) {
      const Statement &statement = step.statements.at(static_cast<std::size_t>(effects.number - 1));
      out.push_back({id, statement.number, statement.text, std::move(effects), ""});
    }
  }
  return out;
}

Datum rehearse(FunctionCallInfo fcinfo) {
  std::string target = required_text(fcinfo, 0, "target");
  SpiConnection spi(Volatility::volatile_);
  std::vector<RehearsedRow> rows;
  // Everything inside, the engine lock and the version rows locked as
  // upgrade() locks them included, is undone by the rollback.
  rolled_back([&] {
    lock_catalog();
    auto graph = load_graph();
    PlannedMotion plan = plan_motion(*graph, Motion::upgrade, target, true);
    check_plan(*graph, plan, Caller::preview); // refuses what no runner can run; the rest is run or listed
    rows = rehearse_plan(plan);
  });
  spi.finish();
  std::size_t i = 0;
  return return_rows(fcinfo, [&](Row &row) {
    if (i == rows.size())
      return false;
    RehearsedRow &r = rows[i++];
    row = Row{r.revision,  r.statement ? Cell{std::to_string(*r.statement)} : null_cell(),
              r.sql,       null_cell(),
              null_cell(), null_cell(),
              null_cell(), r.note.empty() ? null_cell() : Cell{r.note}};
    if (r.effects) {
      row[3] = std::to_string(r.effects->duration_us) + " microseconds";
      row[4] = std::move(r.effects->locks);
      row[5] = std::move(r.effects->rewritten);
      if (r.effects->rows)
        row[6] = *r.effects->rows;
    }
    return true;
  });
}

} // namespace

} // namespace migrate::pg

MIGRATE_SQL_FUNCTION(migrate_rehearse, migrate::pg::rehearse)
