#include "core/backfill.hpp"

#include "core/identifier.hpp"
#include "core/text.hpp"

namespace migrate {

namespace {

std::string count(std::int64_t n, const char *one, const char *many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

std::string seconds(std::int64_t us) {
  std::string s = std::to_string(us / 1000000);
  if (auto ms = (us % 1000000) / 1000)
    s += "." + std::string(ms < 100 ? (ms < 10 ? "00" : "0") : "") + std::to_string(ms);
  return s + " s";
}

} // namespace

void check_backfill_spec(const BackfillSpec &spec) {
  check_identifier("backfill name", spec.name);
  check_identifier("revision id", spec.revision);
  if (spec.batch_sql.find_first_not_of(" \t\r\n\f\v") == std::string::npos)
    throw Error(sqlstate::invalid_parameter_value, "batch_sql of backfill " + spec.name + " is empty");
  const auto &l = spec.limits;
  if (l.pause_us < 0)
    throw Error(sqlstate::invalid_parameter_value, "pause of backfill " + spec.name + " must not be negative");
  if (l.max_batches && *l.max_batches < 1)
    throw Error(sqlstate::invalid_parameter_value,
                "max_batches of backfill " + spec.name + " must be at least 1, or NULL for no limit");
  if (l.max_duration_us && *l.max_duration_us <= 0)
    throw Error(sqlstate::invalid_parameter_value,
                "max_duration of backfill " + spec.name + " must be positive, or NULL for no limit");
}

std::string backfill_canonical_form(const BackfillSpec &spec) {
  std::string out = "migrate-backfill-v1;";
  put_field(out, spec.name);
  put_field(out, spec.revision);
  put_field(out, spec.batch_sql);
  return out;
}

std::string describe_progress(const BackfillProgress &p) {
  return count(p.batches, "batch", "batches") + ", " + count(p.rows_done, "row", "rows");
}

Error gate_refusal(const std::string &revision, const std::string &required,
                   const std::optional<BackfillProgress> &found, BackfillReach reach) {
  const std::string nothing_run = "Nothing was run.";
  if (!found)
    return Error(sqlstate::undefined_object,
                 "revision " + revision + " requires backfill " + required + ", which is not registered", nothing_run,
                 "Register it with migrate.backfill('" + required + "', ...), run it, then upgrade.");
  std::string message = "revision " + revision + " requires backfill " + required + " to be done; it is " +
                        found->state + " (" + describe_progress(*found) + ")";
  std::string detail = nothing_run + " Backfill " + required + " belongs to revision " + found->revision + ".";
  if (found->last_error)
    detail += " Its last batch failed: " + *found->last_error;
  std::string hint;
  switch (reach) {
  case BackfillReach::applied:
    hint = "Run CALL migrate.run_backfills() (or let its pg_cron job finish it), then upgrade again; or CALL "
           "migrate.run(), which runs it at the gate and goes on.";
    break;
  case BackfillReach::earlier_in_plan:
    hint = "Upgrade to " + found->revision + " first, run CALL migrate.run_backfills(), then upgrade to " + revision +
           "; or CALL migrate.run(), which does all three in one call.";
    break;
  case BackfillReach::not_reached:
    hint =
        "Upgrade to " + found->revision + " first, run CALL migrate.run_backfills(), then upgrade to " + revision + ".";
    break;
  }
  return Error(sqlstate::object_not_in_prerequisite_state, message, detail, hint);
}

std::vector<std::vector<std::string>> plan_gates(const RevisionGraph &graph, const std::vector<RevisionStep> &steps,
                                                 const std::vector<std::vector<std::string>> &required,
                                                 const std::map<std::string, BackfillProgress> &progress,
                                                 const VertexSet &applied, bool open_gates) {
  std::vector<std::vector<std::string>> gates(steps.size());
  VertexSet upgraded = graph.empty_set(); // by the steps before the current one
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const RevisionStep &step = steps[i];
    if (step.upgrade && i < required.size())
      for (const auto &name : required[i]) {
        auto found = progress.find(name);
        if (found != progress.end() && found->second.state == backfill_state::done)
          continue;
        if (found == progress.end())
          throw gate_refusal(graph.id(step.revision), name, std::nullopt, BackfillReach::not_reached);
        auto owner = graph.find(found->second.revision);
        BackfillReach reach = owner && applied.test(*owner)    ? BackfillReach::applied
                              : owner && upgraded.test(*owner) ? BackfillReach::earlier_in_plan
                                                               : BackfillReach::not_reached;
        if (!open_gates || reach == BackfillReach::not_reached)
          throw gate_refusal(graph.id(step.revision), name, found->second, reach);
        gates[i].push_back(name);
      }
    if (step.upgrade)
      upgraded.set(step.revision);
  }
  return gates;
}

Error gate_not_opened(const std::string &revision, const BackfillProgress &b) {
  std::string detail = "Backfill " + b.name + " belongs to revision " + b.revision + ".";
  if (b.last_error)
    detail += " Its last batch failed: " + *b.last_error;
  return Error(sqlstate::object_not_in_prerequisite_state,
               "revision " + revision + " requires backfill " + b.name + " to be done; it is " + b.state + " (" +
                   describe_progress(b) + ")",
               detail,
               "Fix the data, or register the backfill again with corrected SQL (allowed until it is done), then "
               "CALL migrate.run() again: it goes on from there.");
}

std::string describe_gate(const std::vector<BackfillProgress> &backfills) {
  std::string out = backfills.size() == 1 ? "backfill " : "backfills ";
  for (std::size_t i = 0; i < backfills.size(); ++i) {
    const auto &b = backfills[i];
    out += (i ? ", " : "") + b.name + " (" + b.state + ", " + describe_progress(b) + ")";
  }
  return out;
}

std::optional<std::string> RunBudget::exhausted(std::int64_t batches_run, std::int64_t now_us) const {
  if (limits_.max_batches && batches_run >= *limits_.max_batches)
    return "its max_batches (" + std::to_string(*limits_.max_batches) + ") for one call";
  if (limits_.max_duration_us && now_us - started_us_ >= *limits_.max_duration_us)
    return "its max_duration (" + seconds(*limits_.max_duration_us) + ") for one call";
  if (call_deadline_us_ && now_us >= *call_deadline_us_)
    return "the call's max_duration";
  return std::nullopt;
}

} // namespace migrate
