#include "pg/backfill_catalog.hpp"

#include "pg/spi.hpp"

namespace migrate::pg {

namespace {

// The columns StoredBackfill holds, durations in microseconds.
#define BACKFILL_COLUMNS                                                                                               \
  "id, name, revision, batch_sql, (extract(epoch FROM pause) * 1000000)::bigint, max_batches, "                        \
  "(extract(epoch FROM max_duration) * 1000000)::bigint, checksum, state, batches, rows_done, resume_key "

StoredBackfill from_row(const Row &r) {
  StoredBackfill b;
  b.id = integer(r[0]);
  b.spec.name = text(r[1]);
  b.spec.revision = text(r[2]);
  b.spec.batch_sql = text(r[3]);
  b.spec.limits.pause_us = integer(r[4]);
  b.spec.limits.max_batches = optional_integer(r[5]);
  b.spec.limits.max_duration_us = optional_integer(r[6]);
  b.checksum = text(r[7]);
  b.state = text(r[8]);
  b.batches = integer(r[9]);
  b.rows_done = integer(r[10]);
  b.resume_key = optional_text(r[11]);
  return b;
}

Cell optional_cell(const std::optional<std::int64_t> &v) {
  return v ? Cell{*v} : null_cell();
}

} // namespace

std::optional<StoredBackfill> load_backfill(const std::string &name) {
  Rows rows = query("SELECT " BACKFILL_COLUMNS "FROM migrate.backfill_jobs WHERE name = $1", {name});
  if (rows.empty())
    return std::nullopt;
  return from_row(rows.front());
}

std::optional<StoredBackfill> load_backfill(std::int64_t id) {
  Rows rows = query("SELECT " BACKFILL_COLUMNS "FROM migrate.backfill_jobs WHERE id = $1", {id});
  if (rows.empty())
    return std::nullopt;
  return from_row(rows.front());
}

void insert_backfill(const BackfillSpec &s, const std::string &checksum) {
  execute("INSERT INTO migrate.backfill_jobs (name, revision, batch_sql, pause, max_batches, max_duration, checksum) "
          "VALUES ($1, $2, $3, $4::float8 * interval '1 microsecond', $5::integer, "
          "$6::float8 * interval '1 microsecond', $7)",
          {s.name, s.revision, s.batch_sql, s.limits.pause_us, optional_cell(s.limits.max_batches),
           optional_cell(s.limits.max_duration_us), checksum});
}

void update_backfill(const BackfillSpec &s, const std::string &checksum) {
  execute("UPDATE migrate.backfill_jobs SET revision = $2, batch_sql = $3, checksum = $4 WHERE name = $1",
          {s.name, s.revision, s.batch_sql, checksum});
  update_backfill_limits(s);
}

void update_backfill_limits(const BackfillSpec &s) {
  execute("UPDATE migrate.backfill_jobs SET pause = $2::float8 * interval '1 microsecond', "
          "max_batches = $3::integer, max_duration = $4::float8 * interval '1 microsecond' "
          "WHERE name = $1",
          {s.name, s.limits.pause_us, optional_cell(s.limits.max_batches), optional_cell(s.limits.max_duration_us)});
}

std::vector<StoredBackfill> unfinished_backfills(const std::optional<std::vector<std::string>> &names) {
  Rows rows = query("SELECT " BACKFILL_COLUMNS "FROM migrate.backfill_jobs "
                    "WHERE state <> 'done' AND ($1::text[] IS NULL OR name = ANY ($1::text[])) "
                    "ORDER BY created_at, name COLLATE pg_catalog.\"C\"",
                    {names ? Cell{*names} : null_cell()});
  std::vector<StoredBackfill> out;
  for (const Row &r : rows)
    out.push_back(from_row(r));
  return out;
}

std::vector<std::string> unknown_backfills(const std::vector<std::string> &names) {
  Rows rows = query("SELECT n FROM pg_catalog.unnest($1::text[]) AS n "
                    "WHERE NOT EXISTS (SELECT 1 FROM migrate.backfill_jobs b WHERE b.name = n)",
                    {names});
  std::vector<std::string> out;
  for (const Row &r : rows)
    out.push_back(text(r[0]));
  return out;
}

std::map<std::string, BackfillProgress> backfill_progress(const std::vector<std::string> &names) {
  std::map<std::string, BackfillProgress> out;
  if (names.empty())
    return out;
  Rows rows = query("SELECT name, revision, state, batches, rows_done, last_error "
                    "FROM migrate.backfills WHERE name = ANY ($1)",
                    {names});
  for (const Row &r : rows)
    out.emplace(text(r[0]), BackfillProgress{text(r[0]), text(r[1]), text(r[2]), integer(r[3]), integer(r[4]),
                                             optional_text(r[5])});
  return out;
}

std::optional<std::int64_t> backfill_runner_pid(const std::string &name) {
  Rows rows = query("SELECT runner_pid FROM migrate.backfills WHERE name = $1", {name});
  return rows.empty() ? std::nullopt : optional_integer(rows.front()[0]);
}

void record_batch(std::int64_t id, std::uint64_t rows, const std::optional<std::string> &resume_key) {
  execute("UPDATE migrate.backfill_jobs SET "
          "batches = batches + CASE WHEN $2 > 0 THEN 1 ELSE 0 END, rows_done = rows_done + $2, "
          "resume_key = coalesce($3, resume_key), "
          "started_at = coalesce(started_at, pg_catalog.clock_timestamp()), "
          "last_batch_at = pg_catalog.clock_timestamp(), "
          "state = CASE WHEN $2 = 0 THEN 'done' ELSE 'pending' END, "
          "finished_at = CASE WHEN $2 = 0 THEN pg_catalog.clock_timestamp() END, last_error = NULL "
          "WHERE id = $1",
          {id, static_cast<std::int64_t>(rows), resume_key ? Cell{*resume_key} : null_cell()});
}

void record_failure(std::int64_t id, const std::string &error) {
  execute("UPDATE migrate.backfill_jobs SET state = 'failed', last_error = $2, "
          "started_at = coalesce(started_at, pg_catalog.clock_timestamp()), "
          "last_batch_at = pg_catalog.clock_timestamp() WHERE id = $1",
          {id, error});
}

std::vector<std::string> reset_backfills(const std::vector<std::string> &revisions) {
  std::vector<std::string> out;
  if (revisions.empty())
    return out;
  Rows rows = query("WITH reset AS (UPDATE migrate.backfill_jobs SET state = 'pending', batches = 0, rows_done = 0, "
                    "resume_key = NULL, started_at = NULL, last_batch_at = NULL, finished_at = NULL, "
                    "last_error = NULL "
                    "WHERE revision = ANY ($1) AND (state <> 'pending' OR batches > 0 OR last_error IS NOT NULL) "
                    "RETURNING name) SELECT name FROM reset ORDER BY name COLLATE pg_catalog.\"C\"",
                    {revisions});
  for (const Row &r : rows)
    out.push_back(text(r[0]));
  return out;
}

} // namespace migrate::pg
