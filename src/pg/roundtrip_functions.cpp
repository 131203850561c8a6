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
#include "pg/touched_relations.hpp"

#include <algorithm>
#include <map>

#include <optional>

namespace migrate::pg {

namespace {

struct Checked {
  std::string revision;
  std::optional<bool> ok; // NULL: not checked (irreversible, transactional => false, after a failure)
  std::optional<std::string> difference;
  bool failed = false; // a step's SQL failed: the stairway ends here
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

// The schema's fingerprint as the check knows it, kept per relation (unit
// 0: what belongs to no relation). Reading the whole schema twice per
// revision costs more than the revisions themselves once the schema has a
// few hundred tables (bench/RESULTS.md): after a step only the relations it
// touched (TouchedRelations) and those whose definitions name them (views,
// foreign keys, defaults, owned sequences: pg_depend) are read again.
// When anything that belongs to no relation changed (a schema, a type, a
// function, an extension: their names appear in relations' definitions),
// or PostgreSQL invalidated every relation at once, everything is.
class KnownSchema {
public:
  // Rows read again in the current state: those of `units` (and unit 0),
  // or of everything (`all`).
  struct Reread {
    bool all = false;
    std::vector<std::int64_t> units; // sorted
    std::map<std::int64_t, Fingerprint> rows;
  };

  void read_all() { units_ = read_everything().rows; }

  // Reads again, in the current state, what `touched` (relations) names and
  // what names them, and what belongs to no relation; everything when that
  // changed or `everything`.
  Reread reread(std::vector<std::int64_t> touched, bool everything) const {
    if (everything)
      return read_everything();
    // No relation touched still reads what belongs to none (CREATE FUNCTION
    // invalidates no relation).
    for (const auto &row : query(dependents_sql, {as_text(touched)}))
      if (auto unit = optional_integer(row[0]))
        touched.push_back(*unit);
    Reread r;
    std::sort(touched.begin(), touched.end());
    touched.erase(std::unique(touched.begin(), touched.end()), touched.end());
    for (auto &row : read_fingerprint_units(&touched))
      r.rows[row.unit].push_back(std::move(row.object));
    for (auto &[unit, objects] : r.rows)
      sort_fingerprint(objects);
    const auto known_global = units_.find(0);
    if (!compare(known_global == units_.end() ? Fingerprint{} : known_global->second, r.rows[0]).empty())
      return read_everything();
    r.units = std::move(touched);
    return r;
  }

  // The known rows of what `r` read again, sorted.
  Fingerprint objects(const Reread &r) const {
    if (r.all)
      return gather(units_, nullptr);
    return gather(units_, &r.units);
  }
  // What `r` read, sorted.
  static Fingerprint objects_read(const Reread &r) { return gather(r.rows, r.all ? nullptr : &r.units); }

  void apply(Reread r) {
    if (r.all) {
      units_ = std::move(r.rows);
      return;
    }
    for (auto unit : r.units)
      units_.erase(unit);
    for (auto &[unit, objects] : r.rows)
      units_[unit] = std::move(objects);
  }

private:
  static Reread read_everything() {
    Reread r;
    r.all = true;
    for (auto &row : read_fingerprint_units(nullptr))
      r.rows[row.unit].push_back(std::move(row.object));
    for (auto &[unit, objects] : r.rows)
      sort_fingerprint(objects);
    return r;
  }
  // Unit 0 and `units` (every unit when null), sorted.
  static Fingerprint gather(const std::map<std::int64_t, Fingerprint> &from, const std::vector<std::int64_t> *units) {
    Fingerprint out;
    auto add = [&](std::int64_t unit) {
      if (auto it = from.find(unit); it != from.end())
        out.insert(out.end(), it->second.begin(), it->second.end());
    };
    if (!units) {
      for (const auto &[unit, objects] : from)
        out.insert(out.end(), objects.begin(), objects.end());
    } else {
      add(0);
      for (auto unit : *units)
        if (unit != 0)
          add(unit);
    }
    sort_fingerprint(out);
    return out;
  }
  static std::vector<std::string> as_text(const std::vector<std::int64_t> &oids) {
    std::vector<std::string> out;
    for (auto oid : oids)
      out.push_back(std::to_string(oid));
    return out;
  }

  // The relations whose fingerprint rows name one of $1 (an index's table;
  // a view, foreign key, default, trigger, policy or owned sequence that
  // refers to one of them).
  static constexpr const char *dependents_sql = R"SQL(
SELECT i.indrelid::pg_catalog.int8 FROM pg_catalog.pg_index i
WHERE i.indexrelid = ANY ($1::pg_catalog.text[]::pg_catalog.oid[])
UNION
SELECT CASE d.classid
  WHEN 'pg_catalog.pg_class'::pg_catalog.regclass THEN d.objid
  WHEN 'pg_catalog.pg_rewrite'::pg_catalog.regclass THEN
    (SELECT w.ev_class FROM pg_catalog.pg_rewrite w WHERE w.oid = d.objid)
  WHEN 'pg_catalog.pg_constraint'::pg_catalog.regclass THEN
    (SELECT c.conrelid FROM pg_catalog.pg_constraint c WHERE c.oid = d.objid)
  WHEN 'pg_catalog.pg_attrdef'::pg_catalog.regclass THEN
    (SELECT a.adrelid FROM pg_catalog.pg_attrdef a WHERE a.oid = d.objid)
  WHEN 'pg_catalog.pg_trigger'::pg_catalog.regclass THEN
    (SELECT t.tgrelid FROM pg_catalog.pg_trigger t WHERE t.oid = d.objid)
  WHEN 'pg_catalog.pg_policy'::pg_catalog.regclass THEN
    (SELECT p.polrelid FROM pg_catalog.pg_policy p WHERE p.oid = d.objid)
  END::pg_catalog.int8
FROM pg_catalog.pg_depend d
WHERE d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass
  AND d.refobjid = ANY ($1::pg_catalog.text[]::pg_catalog.oid[]))SQL";

  std::map<std::int64_t, Fingerprint> units_;
};

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
