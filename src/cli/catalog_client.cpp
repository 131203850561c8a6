#include "cli/catalog_client.hpp"

#include "core/text.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace migrate::cli {

std::vector<std::string> split_ids(const std::string &joined) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (!joined.empty() && start <= joined.size()) {
    std::size_t comma = joined.find(',', start);
    if (comma == std::string::npos)
      comma = joined.size();
    out.push_back(joined.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

std::string join_ids(const std::vector<std::string> &ids) {
  return join(ids, ",");
}

namespace {

// An interval column read as date_part('epoch', ...): seconds, maybe fractional.
std::optional<std::int64_t> epoch_ms(const std::optional<std::string> &seconds) {
  if (!seconds)
    return std::nullopt;
  return std::llround(std::strtod(seconds->c_str(), nullptr) * 1000.0);
}

std::optional<std::int64_t> epoch_us(const std::optional<std::string> &seconds) {
  if (!seconds)
    return std::nullopt;
  return std::llround(std::strtod(seconds->c_str(), nullptr) * 1e6);
}

Param interval_ms(const std::optional<std::int64_t> &ms) {
  if (!ms)
    return std::nullopt;
  return std::to_string(*ms) + " ms";
}

Param interval_us(const std::optional<std::int64_t> &us) {
  if (!us)
    return std::nullopt;
  return std::to_string(*us) + " us";
}

const char *const select_revisions =
    "SELECT id, pg_catalog.array_to_string(down_revisions, ','), pg_catalog.array_to_string(depends_on, ','), "
    "pg_catalog.array_to_string(branch_labels, ','), message, upgrade_sql, downgrade_sql, transactional, "
    "pg_catalog.array_to_string(requires_backfills, ','), pg_catalog.date_part('epoch', lock_timeout), "
    "pg_catalog.date_part('epoch', statement_timeout), checksum, pg_catalog.array_to_string(lint_ignore, ',') "
    "FROM migrate.revisions WHERE id OPERATOR(pg_catalog.=) ANY (pg_catalog.string_to_array($1, ','))";

std::map<std::string, BackfillSpec> read_backfills(Connection &c, const std::vector<std::string> &names) {
  std::map<std::string, BackfillSpec> out;
  if (names.empty())
    return out;
  Result r = c.exec("SELECT name, revision, batch_sql, pg_catalog.date_part('epoch', pause), max_batches, "
                    "pg_catalog.date_part('epoch', max_duration) FROM migrate.backfill_jobs "
                    "WHERE name OPERATOR(pg_catalog.=) ANY (pg_catalog.string_to_array($1, ','))",
                    {join_ids(names)});
  for (int i = 0; i < r.rows(); ++i) {
    BackfillSpec s;
    s.name = r.text(i, 0);
    s.revision = r.text(i, 1);
    s.batch_sql = r.text(i, 2);
    s.limits.pause_us = epoch_us(r.optional(i, 3)).value_or(0);
    if (auto n = r.optional(i, 4))
      s.limits.max_batches = std::strtoll(n->c_str(), nullptr, 10);
    s.limits.max_duration_us = epoch_us(r.optional(i, 5));
    out.emplace(s.name, std::move(s));
  }
  return out;
}

bool same_limits(const BackfillLimits &a, const BackfillLimits &b) {
  return a.pause_us == b.pause_us && a.max_batches == b.max_batches && a.max_duration_us == b.max_duration_us;
}

// Where a refusal of the server came from, for its CONTEXT.
template <class E>
[[noreturn]] void rethrow_at(E &e, const RevisionFile &file, std::size_t line, const std::string &what) {
  std::string &context = e.report.context;
  context += (context.empty() ? "" : "\n") + std::string("pg_migrate: registering ") + what + " of " + file.path + ":" +
             std::to_string(line);
  throw e;
}

} // namespace

std::string LoadReport::summary() const {
  std::string s = std::to_string(added.size()) + " new, " + std::to_string(updated.size()) + " updated, " +
                  std::to_string(unchanged.size()) + " unchanged";
  if (backfills_added || backfills_updated || backfills_unchanged)
    s += "; backfills: " + std::to_string(backfills_added) + " new, " + std::to_string(backfills_updated) +
         " updated, " + std::to_string(backfills_unchanged) + " unchanged";
  return s;
}

std::map<std::string, StoredContent> read_stored(Connection &c, const std::vector<std::string> &ids) {
  std::map<std::string, StoredContent> out;
  if (ids.empty())
    return out;
  Result r = c.exec(select_revisions, {join_ids(ids)});
  for (int i = 0; i < r.rows(); ++i) {
    StoredContent s;
    auto &rc = s.content;
    rc.graph = RevisionInfo{r.text(i, 0), split_ids(r.text(i, 1)), split_ids(r.text(i, 2)), split_ids(r.text(i, 3)),
                            r.text(i, 4)};
    rc.upgrade_sql = r.text(i, 5);
    rc.downgrade_sql = r.optional(i, 6);
    rc.transactional = r.boolean(i, 7);
    rc.requires_backfills = split_ids(r.text(i, 8));
    rc.lock_timeout_ms = epoch_ms(r.optional(i, 9));
    rc.statement_timeout_ms = epoch_ms(r.optional(i, 10));
    s.checksum = r.text(i, 11);
    rc.lint_ignore = split_ids(r.text(i, 12));
    out.emplace(rc.graph.id, std::move(s));
  }
  return out;
}

LoadReport load_directory(Connection &c, const RevisionDirectory &dir, Output &out) {
  LoadReport report;
  auto stored = read_stored(c, dir.ids());
  std::vector<std::string> backfill_names;
  for (const auto &f : dir.files())
    for (const auto &b : f.backfills)
      backfill_names.push_back(b.name);
  auto stored_backfills = read_backfills(c, backfill_names);

  // What to send: new or different revisions, then backfills (their revision must exist).
  std::vector<const RevisionFile *> to_send;
  for (const auto &f : dir.files()) {
    const auto &rc = f.content;
    auto it = stored.find(rc.graph.id);
    if (it == stored.end())
      to_send.push_back(&f);
    else if (canonical_form(it->second.content) != canonical_form(rc) ||
             it->second.content.lock_timeout_ms != rc.lock_timeout_ms ||
             it->second.content.statement_timeout_ms != rc.statement_timeout_ms ||
             it->second.content.lint_ignore != rc.lint_ignore)
      to_send.push_back(&f);
    else
      report.unchanged.push_back(rc.graph.id);
  }
  Progress progress(out, "load", to_send.size());
  c.set_tick([&] { progress.tick(); });
  std::vector<std::vector<Param>> calls;
  calls.reserve(to_send.size());
  for (const RevisionFile *f : to_send) {
    const auto &rc = f->content;
    const auto &g = rc.graph;
    calls.push_back({g.id, join_ids(g.down_revisions), rc.upgrade_sql, rc.downgrade_sql, g.message,
                     join_ids(g.branch_labels), join_ids(g.depends_on), rc.transactional ? "true" : "false",
                     join_ids(rc.requires_backfills), interval_ms(rc.lock_timeout_ms),
                     interval_ms(rc.statement_timeout_ms), join_ids(rc.lint_ignore)});
  }
  try {
    // Pipelined: a round trip per chunk of revisions, not one each.
    c.exec_batch("SELECT migrate.revision($1, pg_catalog.string_to_array($2, ','), $3, $4, $5, "
                 "pg_catalog.string_to_array($6, ','), pg_catalog.string_to_array($7, ','), $8::pg_catalog.bool, "
                 "pg_catalog.string_to_array($9, ','), $10::pg_catalog.interval, $11::pg_catalog.interval, "
                 "pg_catalog.string_to_array($12, ','))",
                 calls, [&](std::size_t i) {
                   const RevisionFile *f = to_send[i];
                   const std::string &id = f->content.graph.id;
                   const bool is_new = !stored.count(id);
                   (is_new ? report.added : report.updated).push_back(id);
                   out.info("pg_migrate.load",
                            std::string(is_new ? "new revision " : "updated revision ") + id + " (" + f->path + ")");
                   progress.advance(i + 1);
                 });
  } catch (BatchError &e) {
    c.set_tick({});
    const RevisionFile *f = to_send[e.index];
    rethrow_at(e, *f, f->lines.revision, "revision " + f->content.graph.id);
  }
  for (const auto &f : dir.files()) {
    for (std::size_t k = 0; k < f.backfills.size(); ++k) {
      const auto &b = f.backfills[k];
      auto it = stored_backfills.find(b.name);
      if (it != stored_backfills.end() && backfill_canonical_form(it->second) == backfill_canonical_form(b) &&
          same_limits(it->second.limits, b.limits)) {
        ++report.backfills_unchanged;
        continue;
      }
      try {
        c.exec("SELECT migrate.backfill($1, $2, $3, $4::pg_catalog.interval, $5::pg_catalog.int4, "
               "$6::pg_catalog.interval)",
               {b.name, b.revision, b.batch_sql, interval_us(b.limits.pause_us),
                b.limits.max_batches ? Param(std::to_string(*b.limits.max_batches)) : std::nullopt,
                interval_us(b.limits.max_duration_us)});
      } catch (ServerError &e) {
        c.set_tick({});
        rethrow_at(e, f, f.lines.backfills[k], "backfill " + b.name);
      }
      const bool is_new = it == stored_backfills.end();
      ++(is_new ? report.backfills_added : report.backfills_updated);
      out.info("pg_migrate.load",
               std::string(is_new ? "new backfill " : "updated backfill ") + b.name + " (" + f.path + ")");
    }
  }
  c.set_tick({});
  return report;
}

ServerGraph read_server_graph(Connection &c) {
  ServerGraph g;
  Result r = c.exec("SELECT id, pg_catalog.array_to_string(down_revisions, ','), "
                    "pg_catalog.array_to_string(depends_on, ','), pg_catalog.array_to_string(branch_labels, ','), "
                    "message, transactional FROM migrate.revisions ORDER BY created_at, id COLLATE \"C\"");
  g.infos.reserve(static_cast<std::size_t>(r.rows()));
  for (int i = 0; i < r.rows(); ++i) {
    g.infos.push_back(RevisionInfo{r.text(i, 0), split_ids(r.text(i, 1)), split_ids(r.text(i, 2)),
                                   split_ids(r.text(i, 3)), r.text(i, 4)});
    g.transactional[r.text(i, 0)] = r.boolean(i, 5);
  }
  return g;
}

std::vector<std::string> read_version_rows(Connection &c) {
  Result r = c.exec("SELECT version_num FROM migrate.version ORDER BY version_num COLLATE \"C\"");
  std::vector<std::string> out;
  for (int i = 0; i < r.rows(); ++i)
    out.push_back(r.text(i, 0));
  return out;
}

std::vector<std::string> stamp_rows(Connection &c, const std::vector<std::string> &targets) {
  std::string sql = "SELECT * FROM migrate.stamp(";
  std::vector<Param> params;
  for (std::size_t i = 0; i < targets.size(); ++i) {
    sql += (i ? ", $" : "$") + std::to_string(i + 1) + "::pg_catalog.text";
    params.emplace_back(targets[i]);
  }
  Result r = c.exec(sql + ")", params);
  std::vector<std::string> rows;
  for (int i = 0; i < r.rows(); ++i)
    rows.push_back(r.text(i, 0));
  std::sort(rows.begin(), rows.end());
  return rows;
}

} // namespace migrate::cli
