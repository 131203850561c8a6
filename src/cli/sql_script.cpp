#include "cli/sql_script.hpp"

#include "cli/cli.hpp"
#include "core/engine_lock.hpp"
#include "core/revision_file.hpp"
#include "core/step_text.hpp"
#include "core/text.hpp"

#include <algorithm>

namespace migrate::cli {

std::string quote_literal(std::string_view text) {
  const bool backslash = text.find('\\') != std::string_view::npos;
  std::string out = backslash ? "E'" : "'";
  for (char c : text) {
    if (c == '\'' || (backslash && c == '\\'))
      out += c;
    out += c;
  }
  return out + "'";
}

std::string dollar_quote(std::string_view text) {
  // No "$tag" inside the text: then "$tag$" first occurs where we put it
  // (a delimiter has only one border, "$", so it cannot begin inside the text).
  std::string tag = "migrate";
  for (int n = 1; text.find("$" + tag) != std::string_view::npos; ++n)
    tag = "migrate_" + std::to_string(n);
  return "$" + tag + "$" + std::string(text) + "$" + tag + "$";
}

std::string id_array(const std::vector<std::string> &ids) {
  std::string out = "'{";
  for (std::size_t i = 0; i < ids.size(); ++i)
    out += (i ? ",\"" : "\"") + ids[i] + "\""; // ids [A-Za-z0-9_], rule names [a-z-]: nothing to escape
  return out + "}'";
}

namespace {

const std::string lock_key = std::to_string(engine_lock_key);

// Text for a "--" comment: one line.
std::string comment(std::string text) {
  std::replace_if(
      text.begin(), text.end(), [](char c) { return c == '\n' || c == '\r'; }, ' ');
  return text;
}

std::string ms_interval(std::int64_t ms) {
  return quote_literal(std::to_string(ms) + " ms");
}

std::string us_interval(std::int64_t us) {
  return quote_literal(std::to_string(us) + " us");
}

std::string registration(const RevisionFile &f) {
  const auto &c = f.content;
  const auto &g = c.graph;
  std::string s = "-- " + comment(f.path) + "\nSELECT migrate.revision(" + quote_literal(g.id) + ", " +
                  id_array(g.down_revisions) + ", " + dollar_quote(c.upgrade_sql);
  if (c.downgrade_sql)
    s += ",\n    downgrade_sql => " + dollar_quote(*c.downgrade_sql);
  if (!g.message.empty())
    s += ",\n    message => " + quote_literal(g.message);
  if (!g.branch_labels.empty())
    s += ",\n    branch_labels => " + id_array(g.branch_labels);
  if (!g.depends_on.empty())
    s += ",\n    depends_on => " + id_array(g.depends_on);
  if (!c.transactional)
    s += ",\n    transactional => false";
  if (!c.requires_backfills.empty())
    s += ",\n    requires_backfills => " + id_array(c.requires_backfills);
  if (c.lock_timeout_ms)
    s += ",\n    lock_timeout => " + ms_interval(*c.lock_timeout_ms);
  if (c.statement_timeout_ms)
    s += ",\n    statement_timeout => " + ms_interval(*c.statement_timeout_ms);
  if (!c.lint_ignore.empty())
    s += ",\n    lint_ignore => " + id_array(c.lint_ignore);
  return s + ") AS registered \\gset migrate_\n";
}

std::string backfill_registration(const RevisionFile &f, const BackfillSpec &b) {
  std::string s = "-- " + comment(f.path) + ": backfill " + b.name + "\nSELECT migrate.backfill(" +
                  quote_literal(b.name) + ", " + quote_literal(b.revision) + ", " + dollar_quote(b.batch_sql);
  if (b.limits.pause_us)
    s += ",\n    pause => " + us_interval(b.limits.pause_us);
  if (b.limits.max_batches)
    s += ",\n    max_batches => " + std::to_string(*b.limits.max_batches);
  if (b.limits.max_duration_us)
    s += ",\n    max_duration => " + us_interval(*b.limits.max_duration_us);
  return s + ") AS registered \\gset migrate_\n";
}

std::string registrations(const RevisionDirectory &dir) {
  std::string s;
  for (const auto &f : dir.files())
    s += registration(f);
  for (const auto &f : dir.files())
    for (const auto &b : f.backfills)
      s += backfill_registration(f, b);
  return s;
}

// Raises 55000 unless migrate.version holds exactly `rows`.
std::string check_rows(const std::vector<std::string> &rows) {
  const std::string expected = id_array(rows);
  return "DO $check$\n"
         "DECLARE\n"
         "  rows_now pg_catalog.text[] := ARRAY(SELECT v.version_num FROM migrate.version v\n"
         "                                      ORDER BY v.version_num COLLATE \"C\");\n"
         "BEGIN\n"
         "  IF rows_now OPERATOR(pg_catalog.<>) " +
         expected +
         "::pg_catalog.text[] THEN\n"
         "    RAISE EXCEPTION USING ERRCODE = '55000',\n"
         "      MESSAGE = pg_catalog.format('this script moves the database from version rows %s, but they are %s', " +
         quote_literal(rows.empty() ? "{} (base)" : expected.substr(1, expected.size() - 2)) +
         ", rows_now::pg_catalog.text),\n"
         "      DETAIL = 'Nothing was run.',\n"
         "      HINT = 'Render the script from where the database is: pg_migrate upgrade FROM:TO --sql.';\n"
         "  END IF;\n"
         "END\n"
         "$check$;\n";
}

// The engine's gate, as upgrade() checks it: the first backfill named that
// is not done stops the script, in the engine's words (55000, or 42704 when
// no such backfill is registered).
std::string check_gate(const std::string &revision, const std::vector<std::string> &required) {
  const std::string rev = quote_literal(revision);
  return "DO $gate$\n"
         "DECLARE\n"
         "  b record;\n"
         "BEGIN\n"
         "  FOR b IN SELECT r.name, j.revision, j.state, j.batches, j.rows_done FROM pg_catalog.unnest(" +
         id_array(required) +
         "::pg_catalog.text[]) WITH ORDINALITY AS r(name, n)\n"
         "           LEFT JOIN migrate.backfill_jobs j ON j.name OPERATOR(pg_catalog.=) r.name ORDER BY r.n LOOP\n"
         "    IF b.state IS NULL THEN\n"
         "      RAISE EXCEPTION USING ERRCODE = '42704',\n"
         "        MESSAGE = pg_catalog.format('revision %s requires backfill %s, which is not registered', " +
         rev +
         ", b.name),\n"
         "        DETAIL = 'Nothing was run in this transaction.';\n"
         "    ELSIF b.state OPERATOR(pg_catalog.<>) 'done' THEN\n"
         "      RAISE EXCEPTION USING ERRCODE = '55000',\n"
         "        MESSAGE = pg_catalog.format('revision %s requires backfill %s to be done; it is %s (%s %s, %s "
         "%s)', " +
         rev +
         ",\n"
         "          b.name, b.state, b.batches, CASE WHEN b.batches OPERATOR(pg_catalog.=) 1 THEN 'batch' ELSE "
         "'batches' END,\n"
         "          b.rows_done, CASE WHEN b.rows_done OPERATOR(pg_catalog.=) 1 THEN 'row' ELSE 'rows' END),\n"
         "        DETAIL = pg_catalog.format('Nothing was run in this transaction. Backfill %s belongs to revision "
         "%s.', b.name, b.revision),\n"
         "        HINT = 'Run CALL migrate.run_backfills() (or let its pg_cron job finish it), then run this script "
         "again from where the database is.';\n"
         "    END IF;\n"
         "  END LOOP;\n"
         "END\n"
         "$gate$;\n";
}

// The SQL of a step as psql reads it: ends with a line end and a semicolon.
std::string step_body(const std::string &sql) {
  if (sql.find_first_not_of(" \t\r\n\f\v") == std::string::npos)
    return "";
  std::string out = sql;
  auto last = out.find_last_not_of(" \t\r\n\f\v");
  out.resize(last + 1);
  return out + (out.back() == ';' ? "\n" : "\n;\n");
}

// Sets a revision's own timeouts around its SQL, and puts the caller's back.
struct Timeouts {
  std::string before, after;
};
Timeouts timeouts(const RevisionContent &c, bool local) {
  Timeouts t;
  const char *scope = local ? "true" : "false";
  auto one = [&](const char *name, const std::optional<std::int64_t> &ms) {
    if (!ms)
      return;
    std::string var = std::string("saved_") + name;
    t.before += std::string("SELECT pg_catalog.current_setting('") + name + "') AS " + var + " \\gset migrate_\n" +
                "SELECT pg_catalog.set_config('" + name + "', '" + std::to_string(*ms) + "ms', " + scope +
                ") AS set \\gset migrate_\n";
    t.after += std::string("SELECT pg_catalog.set_config('") + name + "', :'migrate_" + var + "', " + scope +
               ") AS set \\gset migrate_\n";
  };
  one("lock_timeout", c.lock_timeout_ms);
  one("statement_timeout", c.statement_timeout_ms);
  return t;
}

std::string version_statements(const VersionChange &change) {
  std::string s;
  for (const auto &id : change.deleted)
    s += "DELETE FROM migrate.version WHERE version_num OPERATOR(pg_catalog.=) " + quote_literal(id) + ";\n";
  for (const auto &[from, to] : change.updated)
    s += "UPDATE migrate.version SET version_num = " + quote_literal(to) +
         " WHERE version_num OPERATOR(pg_catalog.=) " + quote_literal(from) + ";\n";
  for (const auto &id : change.inserted)
    s += "INSERT INTO migrate.version (version_num) VALUES (" + quote_literal(id) + ");\n";
  return s;
}

std::string journal_statement(const std::string &revision, bool upgrade, const std::vector<std::string> &from,
                              const std::vector<std::string> &to) {
  return "INSERT INTO migrate.journal (revision, direction, from_heads, to_heads, started_at, duration)\n"
         "VALUES (" +
         quote_literal(revision) + ", " + (upgrade ? "'upgrade'" : "'downgrade'") + ", " + id_array(from) + ", " +
         id_array(to) +
         ", :'migrate_step_started', pg_catalog.clock_timestamp() OPERATOR(pg_catalog.-) "
         ":'migrate_step_started'::pg_catalog.timestamptz);\n";
}

// What the engine does to a downgraded revision's backfills (their data is gone with its schema).
std::string reset_backfills(const std::string &revision) {
  return "UPDATE migrate.backfill_jobs SET state = 'pending', batches = 0, rows_done = 0, resume_key = NULL,\n"
         "    started_at = NULL, last_batch_at = NULL, finished_at = NULL, last_error = NULL\n"
         "WHERE revision OPERATOR(pg_catalog.=) " +
         quote_literal(revision) +
         " AND (state OPERATOR(pg_catalog.<>) 'pending' OR batches OPERATOR(pg_catalog.>) 0 OR last_error IS NOT "
         "NULL);\n";
}

const char *const begin_transaction = "BEGIN;\nSELECT pg_catalog.pg_advisory_xact_lock(";

} // namespace

std::string bundle_script(const RevisionDirectory &dir, const std::string &dir_name) {
  std::size_t backfills = 0;
  for (const auto &f : dir.files())
    backfills += f.backfills.size();
  return "-- pg_migrate bundle of " + comment(dir_name) + ": " + std::to_string(dir.files().size()) +
         " revisions and " + std::to_string(backfills) +
         " backfills, parents first.\n"
         "-- psql -f this file, or \\i it in a pg_regress suite; loading it again changes nothing.\n"
         "BEGIN;\n" +
         registrations(dir) + "COMMIT;\n";
}

std::string motion_script(const RevisionDirectory &dir, const std::string &dir_name, const OfflineMotion &m) {
  const RevisionGraph &graph = dir.graph();
  // Refusals first: the engine would refuse these before running anything.
  std::vector<std::string> upgraded;
  for (const auto &step : m.steps) {
    const auto &c = dir.file(step.revision).content;
    if (!step.upgrade && !c.downgrade_sql)
      throw Failure("revision " + c.graph.id + " is irreversible: it has no downgrade section", {},
                    "The script would stop there. Downgrade to it, not through it, or stamp past it.");
    if (step.upgrade) {
      for (const auto &name : c.requires_backfills)
        for (const auto &other : m.steps)
          for (const auto &b : dir.file(other.revision).backfills)
            if (b.name == name && std::find(upgraded.begin(), upgraded.end(), b.revision) != upgraded.end())
              throw Failure("revision " + c.graph.id + " requires backfill " + name + " of revision " + b.revision +
                                ", which this same script upgrades: the backfill cannot have run",
                            {},
                            "Render and run the script up to " + b.revision + " first (upgrade " + b.revision +
                                " --sql), run CALL migrate.run_backfills(), then render " + b.revision + ":" +
                                m.range.substr(m.range.find(':') + 1) +
                                "; or let pg_migrate upgrade (online) run it at the gate.");
      upgraded.push_back(c.graph.id);
    }
  }
  bool non_transactional = false;
  for (const auto &step : m.steps)
    non_transactional |= !dir.file(step.revision).content.transactional;

  std::string s = "-- pg_migrate " + std::string(m.upgrade ? "upgrade " : "downgrade ") + comment(m.range) +
                  " --sql, from " + comment(dir_name) + ": " + std::to_string(m.steps.size()) +
                  " steps.\n"
                  "-- For psql (psql -f this file): it stops at the first error.\n"
                  "\\set ON_ERROR_STOP on\n"
                  "SET client_encoding = 'UTF8';\n";
  if (non_transactional)
    s += "-- Some revisions run outside a transaction: hold the engine's lock for the whole script.\n"
         "SELECT pg_catalog.pg_advisory_lock(" +
         lock_key + ") AS locked \\gset migrate_\n";
  s += std::string("\n") + begin_transaction + lock_key + ") AS locked \\gset migrate_\n" + check_rows(m.rows_from) +
       "\n-- Every revision of the files, as pg_migrate load registers them.\n" + registrations(dir);

  VersionRows rows(graph, m.rows_from);
  bool in_transaction = true;
  for (const auto &step : m.steps) {
    const auto &c = dir.file(step.revision).content;
    const std::vector<std::string> before = rows.rows();
    if (!c.transactional && in_transaction) {
      s += "COMMIT;\n";
      in_transaction = false;
    }
    if (c.transactional && !in_transaction) {
      s += std::string("\n") + begin_transaction + lock_key + ") AS locked \\gset migrate_\n" + check_rows(before);
      in_transaction = true;
    }
    if (step.upgrade && !c.requires_backfills.empty())
      s += check_gate(c.graph.id, c.requires_backfills);
    s += "\n-- Running " + comment(describe_step(graph, step)) + (c.transactional ? "" : " (outside a transaction)") +
         "\n";
    s += "SELECT pg_catalog.clock_timestamp() AS step_started \\gset migrate_\n";
    Timeouts t = timeouts(c, c.transactional);
    s += t.before + step_body(step.upgrade ? c.upgrade_sql : *c.downgrade_sql) + t.after;
    if (!in_transaction) {
      // The version rows move in a transaction of their own, as CALL migrate.run() does.
      s += std::string("\n") + begin_transaction + lock_key + ") AS locked \\gset migrate_\n" + check_rows(before);
      in_transaction = true;
    }
    VersionChange change = rows.apply(step);
    // The journal keeps what the step replaced and wrote, as the engine's does.
    s += version_statements(change) + journal_statement(c.graph.id, step.upgrade, change.replaced(), change.written());
    if (!step.upgrade && !dir.file(step.revision).backfills.empty())
      s += reset_backfills(c.graph.id);
  }
  s += "\nCOMMIT;\n";
  if (non_transactional)
    s += "SELECT pg_catalog.pg_advisory_unlock(" + lock_key + ") AS unlocked \\gset migrate_\n";
  return s;
}

} // namespace migrate::cli
