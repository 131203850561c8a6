// The commands that prove a migration before it runs (docs/proving.md):
// lint, rehearse, drift, and test (a throwaway database, the round trip of
// every revision and lint: one CI step). Each loads the files in a
// transaction it rolls back, so a database is left exactly as it was; only
// `test` creates (and drops) a database.
#include "cli/args.hpp"
#include "cli/catalog_client.hpp"
#include "cli/cli.hpp"
#include "cli/fleet.hpp"
#include "cli/versions.hpp"
#include "core/roundtrip.hpp"
#include "core/text.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <random>
#include <set>
#include <csignal>
#include <unistd.h>

namespace migrate::cli {

namespace {

// While the engine runs steps it rolls back (rehearse, check_roundtrip): a
// progress line on a terminal (the time so far); a "Running upgrade a -> b"
// NOTICE, should the engine send one, only moves it (printed, it would read
// as a real upgrade); other notices print as usual.
class RehearsedSteps {
public:
  RehearsedSteps(Connection &c, Output &out, const char *what) : c_(c), out_(out), progress_(out, what, 0) {
    c_.set_notice_handler([this](const ServerMessage &m) {
      if (is_step_notice(m))
        progress_.advance(++steps_);
      else
        print_notice(out_, m);
    });
    c_.set_tick([this] { progress_.tick(); });
  }
  ~RehearsedSteps() {
    c_.set_tick({});
    Output &out = out_;
    c_.set_notice_handler([&out](const ServerMessage &m) { print_notice(out, m); });
  }

private:
  Connection &c_;
  Output &out_;
  Progress progress_;
  std::size_t steps_ = 0;
};

// Where a revision's text is in the files: "versions/b2_email.sql:14", or
// "revision b2" for one the database holds and no file defines.
std::string revision_place(const RevisionDirectory &dir, const std::string &id, std::size_t line) {
  const RevisionFile *f = dir.find(id);
  if (!f)
    return "revision " + id;
  return f->path + ":" + std::to_string(line ? line : f->lines.revision);
}

// --- lint ---------------------------------------------------------------

struct LintFinding {
  std::string revision;
  int statement = 0, line = 0; // line: within the revision's upgrade SQL (0: none)
  std::string rule, severity, object, message, hint;
};

struct LintCount {
  std::size_t errors = 0, warnings = 0;
  std::string text() const {
    return plural(errors, "error", "errors") + ", " + plural(warnings, "warning", "warnings");
  }
};

std::vector<LintFinding> read_lint(Connection &c, const std::string &target) {
  Result r =
      c.exec("SELECT revision, statement, line, rule, severity, object, message, hint FROM migrate.lint($1)", {target});
  std::vector<LintFinding> out;
  for (int i = 0; i < r.rows(); ++i)
    out.push_back(LintFinding{r.text(i, 0), std::atoi(r.text(i, 1).c_str()), std::atoi(r.text(i, 2).c_str()),
                              r.text(i, 3), r.text(i, 4), r.text(i, 5), r.text(i, 6), r.text(i, 7)});
  return out;
}

// "versions/b2_email.sql:14: error: index-not-concurrent: message", then its
// HINT: line N of the upgrade SQL is line upgrade_body + N - 1 of the file,
// which holds the SQL exactly as the engine does.
LintCount print_lint(Output &out, const RevisionDirectory &dir, const std::vector<LintFinding> &findings) {
  LintCount n;
  for (const auto &f : findings) {
    const RevisionFile *file = dir.find(f.revision);
    std::size_t line = 0;
    if (file && f.line > 0 && file->lines.upgrade_body)
      line = file->lines.upgrade_body + static_cast<std::size_t>(f.line) - 1;
    else if (file)
      line = file->lines.upgrade;
    std::string where = revision_place(dir, f.revision, line);
    if (!file && f.line > 0)
      where += ", line " + std::to_string(f.line) + " of its upgrade SQL";
    out.out(where + ": " + f.severity + ": " + f.rule + ": " + f.message);
    if (!f.hint.empty())
      out.out("HINT:  " + f.hint);
    ++(f.severity == "error" ? n.errors : n.warnings);
  }
  return n;
}

// --- rehearse -----------------------------------------------------------

// A statement for a table cell: whitespace runs as one space, at most
// `chars` characters (never cutting one), "..." when cut.
std::string cell_sql(const std::string &sql, std::size_t chars) {
  std::string s;
  bool space = false;
  for (char ch : sql) {
    if (ch == ' ' || ch == '\n' || ch == '\r' || ch == '\t') {
      space = !s.empty();
      continue;
    }
    if (space)
      s += ' ';
    space = false;
    s += ch;
  }
  std::size_t count = 0;
  for (std::size_t i = 0; i < s.size(); ++i)
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80 && ++count > chars)
      return s.substr(0, i) + "...";
  return s;
}

std::string milliseconds(const std::string &epoch_seconds) {
  if (epoch_seconds.empty())
    return "";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f ms", std::strtod(epoch_seconds.c_str(), nullptr) * 1000.0);
  return buf;
}

// --- test ---------------------------------------------------------------

struct RoundTrip {
  std::string revision;
  std::optional<bool> ok; // nullopt: not checked (irreversible, transactional => false, not reached)
  std::string difference;
};

std::vector<RoundTrip> read_roundtrip(Connection &c, const std::string &target) {
  Result r = c.exec("SELECT revision, ok, difference FROM migrate.check_roundtrip($1)", {target});
  std::vector<RoundTrip> out;
  for (int i = 0; i < r.rows(); ++i)
    out.push_back(
        RoundTrip{r.text(i, 0), r.is_null(i, 1) ? std::nullopt : std::optional<bool>(r.boolean(i, 1)), r.text(i, 2)});
  return out;
}

// A failed round trip points at the downgrade section (what did not undo
// the upgrade), else at the revision line.
std::size_t roundtrip_line(const RevisionDirectory &dir, const std::string &id) {
  const RevisionFile *f = dir.find(id);
  return f && f->lines.downgrade ? f->lines.downgrade : 0;
}

struct TestResult {
  std::size_t revisions = 0, failed = 0, not_checked = 0;
  LintCount lint;
};

// Prints one check_roundtrip() row (or one made here, same shape) and counts it.
void report_trip(Output &out, const RevisionDirectory &dir, const RoundTrip &r, TestResult &t,
                 const std::string &how = "") {
  ++t.revisions;
  if (!r.ok.has_value()) {
    ++t.not_checked;
    // The engine's reason may say "not checked" itself.
    const std::string prefix = "not checked: ";
    const std::string why =
        r.difference.compare(0, prefix.size(), prefix) == 0 ? r.difference.substr(prefix.size()) : r.difference;
    out.out(prefix + r.revision + " (" + revision_place(dir, r.revision, 0) + "): " + why);
    return;
  }
  if (*r.ok) {
    out.out("ok: round trip of " + r.revision + " (" + revision_place(dir, r.revision, 0) + ")" + how +
            (r.difference.empty() ? "" : ": " + r.difference));
    return;
  }
  ++t.failed;
  out.out(revision_place(dir, r.revision, roundtrip_line(dir, r.revision)) + ": FAILED: round trip of " + r.revision +
          how);
  for (std::size_t start = 0; start < r.difference.size();) {
    std::size_t end = std::min(r.difference.find('\n', start), r.difference.size());
    out.out("    " + r.difference.substr(start, end - start));
    start = end + 1;
  }
}

Fingerprint read_schema(Connection &c) {
  Result r = c.exec("SELECT kind, name, definition FROM migrate.fingerprint()");
  Fingerprint f;
  for (int i = 0; i < r.rows(); ++i)
    f.push_back({r.text(i, 0), r.text(i, 1), r.text(i, 2)});
  sort_fingerprint(f);
  return f;
}

// The round trip of a transactional => false revision, which
// check_roundtrip() cannot run inside its transaction, run for real with
// CALL migrate.run() in a database test owns (committed; it is dropped
// afterwards): its parents, the schema, the revision, down to its parents
// (`X-1`), the schema again, the revision again. The database is left with
// the revision applied, so that the check of what follows it can go on.
// Returns false when the stairway cannot go on (a step failed).
bool worker_round_trip(Connection &c, Output &out, const RevisionDirectory &dir, const std::string &id, TestResult &t) {
  const RevisionFile *f = dir.find(id);
  RoundTrip r{id, true, ""};
  RehearsedSteps quiet(c, out, "round trip through CALL migrate.run()"); // its steps as progress, not lines
  // run()'s own reports ("7 revisions applied, each committed", a gate's
  // backfills) say nothing here; its WARNINGs and errors still show.
  c.exec("SET client_min_messages = warning");
  auto run = [&](const std::string &target, const char *direction, const char *phase) {
    try {
      c.exec("CALL migrate.run($1, $2)", {target, std::string(direction)});
      return true;
    } catch (const ServerError &e) {
      r.ok = false;
      r.difference +=
          (r.difference.empty() ? "" : "\n") + roundtrip::describe_failure(phase, e.report.sqlstate, e.report.message);
      return false;
    }
  };
  struct Reset {
    Connection &c;
    ~Reset() {
      try {
        c.exec("RESET client_min_messages");
      } catch (...) { // the connection is gone: nothing to reset
      }
    }
  } reset{c};
  const std::string how = ", run by CALL migrate.run()";
  if (f)
    for (const auto &parent : f->content.graph.down_revisions)
      if (!run(parent, "upgrade", roundtrip::upgrade_phase)) {
        report_trip(out, dir, r, t, how);
        return false;
      }
  Fingerprint before = read_schema(c);
  if (!run(id, "upgrade", roundtrip::upgrade_phase)) {
    report_trip(out, dir, r, t, how);
    return false;
  }
  if (f && !f->content.downgrade_sql) {
    report_trip(out, dir, RoundTrip{id, std::nullopt, roundtrip::irreversible()}, t);
    return true;
  }
  if (!run(id + "-1", "downgrade", roundtrip::downgrade_phase)) {
    report_trip(out, dir, r, t, how);
    return false;
  }
  r.difference = roundtrip::describe(before, read_schema(c));
  r.ok = r.difference.empty();
  const bool again = run(id, "upgrade", roundtrip::upgrade_again_phase);
  if (!again)
    r.ok = false;
  report_trip(out, dir, r, t, how);
  return again;
}

// In `c` (a database at base): the extension, the files, check_roundtrip
// and lint to every head. `owned`: a throwaway database test created; what
// it does there is committed (the database is dropped afterwards), so a
// transactional => false revision is run for real by CALL migrate.run() and
// the check goes on after it. Otherwise everything is rolled back.
TestResult test_database(Connection &c, Output &out, const RevisionDirectory &dir, bool owned) {
  TestResult t;
  if (!owned)
    c.exec("BEGIN");
  Result has = c.exec("SELECT 1 FROM pg_catalog.pg_extension WHERE extname OPERATOR(pg_catalog.=) 'migrate'");
  if (has.rows() == 0)
    c.exec("CREATE EXTENSION migrate");
  else {
    std::vector<std::string> rows = read_version_rows(c);
    if (!rows.empty())
      throw Failure("the database is at " + join(rows, ", ") + ", not at base: test proves every revision from base",
                    {}, "Give an empty database with --dsn, or leave --dsn out for a throwaway database.");
  }
  Buffered per_file; // a line per revision says nothing here: every one is new
  out.info("pg_migrate", "loaded " + load_directory(c, dir, per_file).summary());
  // Lint sees every revision pending, before any is run.
  const std::vector<LintFinding> findings = read_lint(c, "heads");
  std::set<std::string> reported;
  for (bool again = true; again;) {
    again = false;
    std::vector<RoundTrip> trips;
    {
      RehearsedSteps quiet(c, out, "round trips");
      trips = read_roundtrip(c, "heads");
    }
    for (const auto &r : trips) {
      if (!reported.insert(r.revision).second)
        continue; // checked in an earlier pass, before a worker revision
      if (owned && !r.ok && r.difference == roundtrip::not_transactional()) {
        // What follows it is checked in the next pass, from its schema.
        again = worker_round_trip(c, out, dir, r.revision, t);
        if (!again)
          out.out("not checked: what follows " + r.revision + ": its round trip could not run to the end");
        break;
      }
      report_trip(out, dir, r, t);
    }
  }
  t.lint = print_lint(out, dir, findings);
  if (!owned)
    c.exec("ROLLBACK");
  return t;
}

// "pg_migrate_test_<pid>_<8 hex digits>": ours, never a user's text.
std::string scratch_name() {
  std::random_device random;
  char buf[64];
  std::snprintf(buf, sizeof buf, "pg_migrate_test_%ld_%08x", static_cast<long>(getpid()),
                static_cast<unsigned>(random()));
  return buf;
}

} // namespace

int cmd_lint(const Invocation &inv) {
  Args args(inv.args, {{"strict", 0, false}});
  args.expect_positional(0, 1, "lint [TARGET] [--strict]");
  const std::string target = args.positional().empty() ? "head" : args.positional()[0];
  const bool strict = args.flag("strict");
  RevisionDirectory dir = read_versions(inv.options.dir);
  return run_on_databases(inv.options, [&](Connection &c, Output &out) -> Outcome {
    LintCount n = with_files_loaded(c, dir, out, [&] { return print_lint(out, dir, read_lint(c, target)); });
    const bool failed = n.errors > 0 || (strict && n.warnings > 0);
    const std::string summary = "lint to " + target + ": " + n.text();
    out.out((failed ? "FAILED: " : "ok: ") + summary);
    return {!failed, summary};
  });
}

int cmd_rehearse(const Invocation &inv) {
  Args args(inv.args, {});
  args.expect_positional(0, 1, "rehearse [TARGET]");
  const std::string target = args.positional().empty() ? "head" : args.positional()[0];
  RevisionDirectory dir = read_versions(inv.options.dir);
  return run_on_databases(inv.options, [&](Connection &c, Output &out) -> Outcome {
    Result r = with_files_loaded(c, dir, out, [&] {
      RehearsedSteps quiet(c, out, "rehearse");
      return c.exec("SELECT revision, statement, sql, pg_catalog.date_part('epoch', duration), "
                    "pg_catalog.array_to_string(locks, ', '), pg_catalog.array_to_string(rewritten, ', '), rows, note "
                    "FROM migrate.rehearse($1)",
                    {target});
    });
    std::vector<std::string> revisions;
    for (int i = 0; i < r.rows();) {
      const std::string revision = r.text(i, 0);
      std::vector<std::vector<std::string>> rows;
      for (; i < r.rows() && r.text(i, 0) == revision; ++i)
        rows.push_back({r.text(i, 1), milliseconds(r.text(i, 3)), r.text(i, 6), r.text(i, 4), r.text(i, 5),
                        cell_sql(r.text(i, 2), 60), r.text(i, 7)});
      revisions.push_back(revision);
      out.out("-- " + revision + " (" + revision_place(dir, revision, 0) + ")");
      for (const auto &line :
           format_table({"statement", "duration", "rows", "locks taken", "rewritten", "sql", "note"}, rows))
        out.out(line);
      out.out("");
    }
    const std::string summary = "rehearsed " + plural(revisions.size(), "revision", "revisions") + " to " + target +
                                " (" + plural(static_cast<std::size_t>(r.rows()), "statement", "statements") +
                                "), rolled back";
    out.out("-- " + summary);
    return {true, summary};
  });
}

int cmd_drift(const Invocation &inv) {
  Args args(inv.args, {});
  args.expect_positional(0, 0, "drift");
  return run_on_databases(inv.options, [&](Connection &c, Output &out) -> Outcome {
    Result r = c.exec("SELECT kind, name, change, detail FROM migrate.drift()");
    if (r.rows() == 0) {
      out.out("ok: no drift: the schema is as the engine's last move left it");
      return {true, "no drift"};
    }
    std::vector<std::vector<std::string>> rows;
    for (int i = 0; i < r.rows(); ++i)
      rows.push_back({r.text(i, 0), r.text(i, 1), r.text(i, 2), r.text(i, 3)});
    for (const auto &line : format_table({"kind", "name", "change", "detail"}, rows))
      out.out(line);
    const std::string summary = "drift: " + plural(rows.size(), "object changed", "objects changed") +
                                " out of band since the engine's last move";
    out.out("FAILED: " + summary);
    return {false, summary};
  });
}

int cmd_test(const Invocation &inv) {
  Args args(inv.args, {{"strict", 0, false}, {"maintenance-db", 0, true}});
  args.expect_positional(0, 0, "test [--strict] [--maintenance-db DBNAME]");
  if (inv.options.dsns.size() > 1)
    throw UsageError("test runs on one database: give --dsn once (or not at all, for a throwaway database)");
  if (!inv.options.dsns.empty() && args.value("maintenance-db"))
    throw UsageError("--maintenance-db creates a throwaway database; with --dsn, test uses that database");
  const bool strict = args.flag("strict");
  RevisionDirectory dir = read_versions(inv.options.dir);
  Output &out = console();
  auto report = [&](const TestResult &t) {
    const bool failed = t.failed > 0 || t.lint.errors > 0 || (strict && t.lint.warnings > 0);
    std::string summary = plural(t.revisions, "revision", "revisions") + ": " +
                          plural(t.failed, "round trip failed", "round trips failed") +
                          (t.not_checked ? ", " + std::to_string(t.not_checked) + " not checked" : "") +
                          "; lint: " + t.lint.text();
    out.out((failed ? "FAILED: " : "ok: ") + summary);
    return failed ? exit_failed : exit_ok;
  };
  auto print_notices = [&](Connection &c) {
    c.set_notice_handler([&](const ServerMessage &m) { print_notice(out, m); });
  };

  if (!inv.options.dsns.empty()) {
    Connection c(inv.options.dsns.front());
    print_notices(c);
    return report(test_database(c, out, dir, false));
  }

  // A throwaway database, as createdb makes one: through the maintenance
  // database of the server libpq's defaults (PG* variables) name.
  DeferredInterrupts deferred; // a Ctrl-C between statements still drops the database
  Connection maintenance("", args.value("maintenance-db").value_or("postgres"));
  print_notices(maintenance);
  const std::string name = scratch_name();
  const std::string quoted = maintenance.exec("SELECT pg_catalog.quote_ident($1)", {name}).text(0, 0);
  maintenance.exec("CREATE DATABASE " + quoted);
  out.info("pg_migrate", "created database " + name + " for the test");
  auto drop = [&] {
    clear_interrupted();
    // A Ctrl-C now would cancel the cleanup itself: held back until the
    // database is gone (FORCE: nothing can make the drop wait on others).
    sigset_t sigint, before;
    sigemptyset(&sigint);
    sigaddset(&sigint, SIGINT);
    sigprocmask(SIG_BLOCK, &sigint, &before);
    try {
      maintenance.exec("DROP DATABASE IF EXISTS " + quoted + " WITH (FORCE)");
    } catch (...) {
      sigprocmask(SIG_SETMASK, &before, nullptr);
      throw;
    }
    sigprocmask(SIG_SETMASK, &before, nullptr);
    out.info("pg_migrate", "dropped database " + name);
  };
  int rc;
  try {
    TestResult t;
    {
      Connection c("", name);
      print_notices(c);
      t = test_database(c, out, dir, true);
    } // closed before the drop
    rc = report(t);
  } catch (const std::exception &e) {
    // The failure first, then the drop (also after a Ctrl-C: it cancels the
    // statement running, which fails here).
    bool reported = true;
    if (auto *s = dynamic_cast<const ServerError *>(&e))
      out.server_message(s->report);
    else if (auto *f = dynamic_cast<const Failure *>(&e))
      out.failure(*f);
    else
      reported = dynamic_cast<const Reported *>(&e) != nullptr;
    try {
      drop();
    } catch (const ServerError &d) {
      out.server_message(d.report);
      out.log("error: could not drop database " + name + "; drop it by hand");
    }
    if (reported)
      throw Reported();
    throw;
  }
  drop();
  return rc;
}

} // namespace migrate::cli
