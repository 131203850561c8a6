// migrate.check_roundtrip(): the stairway test. For each pending step to the
// target, in the order upgrade() would run them: upgrade, read the schema's
// fingerprint, downgrade, compare with the fingerprint before the upgrade,
// upgrade again (the next revision is checked on the schema the previous
// ones left). All of it in a subtransaction that is rolled back
// (pg/rolled_back.hpp): the caller's database is as it was, also when a step
// fails or the check is cancelled. Result rows are kept in C++ values until
// the rollback is done.
#include "core/error.hpp"
#include "core/roundtrip.hpp"
#include "core/step_text.hpp"
#include "pg/catalog.hpp"
#include "pg/entry.hpp"
#include "pg/fingerprint.hpp"
#include "pg/fmgr_io.hpp"
#include "pg/motion.hpp"
#include "pg/rolled_back.hpp"
#include "pg/sql_check.hpp"
#include "pg/step_runner.hpp"
#include "pg/known_schema.hpp"
#include "pg/touched_relations.hpp"

#include <optional>

namespace migrate::pg {

namespace {

struct Checked {
  std::string revision;
  std::optional<bool> ok; // NULL: not checked (irreversible, transactional => false, after a failure)
  std::optional<std::string> difference;
  bool failed = false; // its upgrade failed: the stairway ends here
};

// Why a step's SQL failed. A cancel, statement_timeout or shutdown is not a
// step's failure: it ends the check (rethrown).
struct Failure {
  std::string sqlstate, message;
};

template <typename Fn> std::optional<Failure> failure_of(Fn &&fn) {
  try {
    fn();
    return std::nullopt;
  } catch (const PgError &e) {
    if (is_interrupt(e.data()))
      throw;
    return Failure{unpack_sql_state(e.data()->sqlerrcode), e.data()->message ? e.data()->message : "unknown error"};
  } catch (const Error &e) { // the engine's refusal of a step's SQL, or its locks not granted (55P03)
    return Failure{e.sqlstate(), e.what()};
  }
}

// One revision's check. `known`: the schema before its upgrade; it becomes
// the schema after it. The upgrade stays (the next revision is checked on
// the schema the ones before it left); its downgrade and the second upgrade
// run in a subtransaction of their own that is rolled back, so that an
// asymmetric downgrade or a failure there does not end the stairway, and
// the schema after the upgrade is known without reading it again. A failed
// upgrade ends the stairway (`failed`): what follows may depend on it, and
// after a PostgreSQL error nothing but the rollback may follow.
Checked check(const RevisionGraph &graph, StepRunner &runner, const PlannedStep &up, KnownSchema &known,
              TouchedRelations &touched) {
  const std::string &id = up.stored->content.graph.id;
  bool everything = false;
  (void)touched.take(everything); // what came before the step
  if (auto f = failure_of([&] { runner.run(up); }))
    return {id, false, roundtrip::describe_failure(roundtrip::upgrade_phase, f->sqlstate, f->message), true};
  bool upgrade_everything = false;
  const std::vector<std::int64_t> upgrade_touched = touched.take(upgrade_everything);
  KnownSchema::Reread upgraded = known.reread(upgrade_touched, upgrade_everything);
  PlannedStep down = planned_step(graph, RevisionStep{up.revision, false}, *up.stored);
  Checked row{id, true, std::nullopt};
  if (!down.sql) {
    row = {id, std::nullopt, roundtrip::irreversible()};
  } else {
    rolled_back([&] {
      StepRunner there_and_back(graph, runner.rows(), {false, nullptr, nullptr});
      if (auto f = failure_of([&] {
            down.statements = inspect_sql(id, direction_of(down), *down.sql, up.stored->content.transactional);
            there_and_back.run(down);
          })) {
        row = {id, false, roundtrip::describe_failure(roundtrip::downgrade_phase, f->sqlstate, f->message)};
        return;
      }
      // Against the schema before the upgrade: what the upgrade or the
      // downgrade touched is read again.
      bool downgrade_everything = false;
      std::vector<std::int64_t> both = touched.take(downgrade_everything);
      both.insert(both.end(), upgrade_touched.begin(), upgrade_touched.end());
      const KnownSchema::Reread downgraded = known.reread(std::move(both), upgrade_everything || downgrade_everything);
      std::string difference = roundtrip::describe(known.objects(downgraded), KnownSchema::objects_read(downgraded));
      if (auto f = failure_of([&] { there_and_back.run(up); })) // what the downgrade left (rows too) may stop it
        difference += (difference.empty() ? "" : "\n") +
                      roundtrip::describe_failure(roundtrip::upgrade_again_phase, f->sqlstate, f->message);
      if (!difference.empty())
        row = {id, false, std::move(difference)};
    });
  }
  known.apply(std::move(upgraded));
  return row;
}

Datum check_roundtrip(FunctionCallInfo fcinfo) {
  std::string target = required_text(fcinfo, 0, "target");
  SpiConnection spi(Volatility::volatile_);
  std::vector<Checked> checked;
  rolled_back([&] {
    // As upgrade(): the engine lock before reading the state, the same plan
    // and refusals; migrate.lint is not consulted (nothing stays). The lock
    // goes with the rollback.
    lock_catalog();
    auto graph = load_graph();
    PlannedMotion plan = plan_motion(*graph, Motion::upgrade, target, true);
    check_plan(*graph, plan, Caller::preview); // parses every upgrade; transactional => false is reported below
    if (plan.steps.empty())
      return;
    StepRunner runner(*graph, plan.rows_before, {false, nullptr, nullptr}); // no NOTICEs; never flushed
    TouchedRelations touched;
    KnownSchema known;
    known.read_all();
    std::optional<std::string> stopped_at; // the revision that ended the stairway
    bool failed = false;
    for (const auto &up : plan.steps) {
      const std::string &id = up.stored->content.graph.id;
      if (stopped_at) {
        checked.push_back({id, std::nullopt, roundtrip::not_reached(*stopped_at, failed)});
      } else if (up.runner == Runner::top_level) {
        checked.push_back({id, std::nullopt, roundtrip::not_transactional()});
        stopped_at = id;
      } else {
        checked.push_back(check(*graph, runner, up, known, touched));
        if (checked.back().failed) {
          stopped_at = id;
          failed = true;
        }
      }
    }
  });
  spi.finish();
  Rows rows;
  for (auto &c : checked)
    rows.push_back(Row{std::move(c.revision), c.ok ? Cell{*c.ok} : null_cell(),
                       c.difference ? Cell{std::move(*c.difference)} : null_cell()});
  return return_rows(fcinfo, rows);
}

} // namespace

} // namespace migrate::pg

MIGRATE_SQL_FUNCTION(migrate_check_roundtrip, migrate::pg::check_roundtrip)
