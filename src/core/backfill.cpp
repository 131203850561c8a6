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
                   const std::optional<BackfillProgress> &found, bool revision_applied) {
  const std::string nothing_run = "Nothing was run.";
  if (!found)
    return Error(sqlstate::undefined_object,
                 "revision " + revision + " requires backfill " + required + ", which is not registered", nothing_run,
                 "Register it with migrate.backfill('" + required + "', ...), run it, then upgrade.");
  std::string state = found->state;
  std::string message = "revision " + revision + " requires backfill " + required + " to be done; it is " + state +
                        " (" + describe_progress(*found) + ")";
  std::string detail = nothing_run + " Backfill " + required + " belongs to revision " + found->revision + ".";
  if (found->last_error)
    detail += " Its last batch failed: " + *found->last_error;
  std::string hint = revision_applied
                         ? "Run CALL migrate.run_backfills() (or let its pg_cron job finish it), then upgrade again."
                         : "Upgrade to " + found->revision +
                               " first, run CALL migrate.run_backfills(), then upgrade to " + revision + ".";
  return Error(sqlstate::object_not_in_prerequisite_state, message, detail, hint);
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
