// The commands that talk to a database (or a fleet of them): load, upgrade,
// downgrade, stamp, current, plan, history -i, check --db. Each database's
// work is one transaction (or, for a plan with non-transactional revisions,
// the load's transaction and then CALL migrate.run()).
#include "cli/alembic_format.hpp"
#include "cli/args.hpp"
#include "cli/catalog_client.hpp"
#include "cli/cli.hpp"
#include "cli/fleet.hpp"
#include "cli/versions.hpp"
#include "core/error.hpp"
#include "core/planner.hpp"
#include "core/text.hpp"

#include <algorithm>

namespace migrate::cli {

namespace {

std::string describe_rows(const std::vector<std::string> &rows) {
  return rows.empty() ? "base" : join(rows, ", ");
}

bool is_step_notice(const ServerMessage &m) {
  return m.message.rfind("Running upgrade ", 0) == 0 || m.message.rfind("Running downgrade ", 0) == 0;
}

// While a command runs: notices printed and counted as steps, a progress line on a terminal.
class StepWatch {
public:
  StepWatch(Connection &c, Output &out, const char *what, std::size_t total)
      : c_(c), out_(out), progress_(out, what, total) {
    c_.set_notice_handler([this](const ServerMessage &m) {
      print_notice(out_, m);
      if (is_step_notice(m))
        progress_.advance(++steps_);
    });
    c_.set_tick([this] { progress_.tick(); });
  }
  ~StepWatch() {
    c_.set_tick({});
    Output &out = out_;
    c_.set_notice_handler([&out](const ServerMessage &m) { print_notice(out, m); });
  }
  std::size_t steps() const { return steps_; }

private:
  Connection &c_;
  Output &out_;
  Progress progress_;
  std::size_t steps_ = 0;
};

// What the engine will do, planned with the core over the engine's own
// catalog: how many steps (for progress), and whether one of them must run
// outside a transaction (then CALL migrate.run()). When the core refuses,
// the engine will refuse too, in its own words: let it.
struct Preview {
  bool known = false;
  std::size_t steps = 0;
  bool non_transactional = false;
};

Preview preview(Connection &c, bool upgrade, const std::string &target) {
  Preview p;
  ServerGraph sg = read_server_graph(c);
  auto rows = read_version_rows(c);
  try {
    RevisionGraph graph(sg.infos);
    Planner planner(graph);
    auto steps = upgrade ? planner.upgrade(rows, target) : planner.downgrade(rows, target);
    p.known = true;
    p.steps = steps.size();
    for (const auto &s : steps)
      p.non_transactional |= !sg.transactional[graph.id(s.revision)];
  } catch (const Error &) {
  }
  return p;
}

std::string plural(std::size_t n, const char *one, const char *many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

// Load, then move: the body of upgrade and downgrade.
Outcome move(Connection &c, Output &out, const RevisionDirectory &dir, bool upgrade, const std::string &target) {
  c.exec("BEGIN");
  LoadReport loaded = load_directory(c, dir, out);
  Preview p = preview(c, upgrade, target);
  std::size_t steps;
  {
    StepWatch watch(c, out, upgrade ? "upgrade" : "downgrade", p.steps);
    // CALL migrate.run() upgrades only, for now (issue 11 adds its downgrades):
    // a downgrade through a non-transactional revision is refused by downgrade().
    if (upgrade && p.non_transactional) {
      c.exec("COMMIT"); // the load; each revision commits on its own from here
      c.exec("CALL migrate.run($1)", {target});
    } else {
      c.exec(upgrade ? "SELECT revision FROM migrate.upgrade($1)" : "SELECT revision FROM migrate.downgrade($1)",
             {target});
      c.exec("COMMIT");
    }
    steps = watch.steps();
  }
  std::string at = describe_rows(read_version_rows(c));
  out.info("pg_migrate", std::string(upgrade ? "upgraded " : "downgraded ") + plural(steps, "revision", "revisions") +
                             "; the database is at " + at);
  return {true, "loaded " + loaded.summary() + "; " + (upgrade ? "upgraded " : "downgraded ") +
                    plural(steps, "revision", "revisions") + "; at " + at};
}

std::string changed_fields(const RevisionContent &file, const RevisionContent &db) {
  std::vector<std::string> fields;
  if (file.graph.down_revisions != db.graph.down_revisions)
    fields.push_back("revises");
  if (file.graph.depends_on != db.graph.depends_on)
    fields.push_back("depends-on");
  if (file.graph.branch_labels != db.graph.branch_labels)
    fields.push_back("branch-labels");
  if (file.graph.message != db.graph.message)
    fields.push_back("message");
  if (file.transactional != db.transactional)
    fields.push_back("transactional");
  if (file.requires_backfills != db.requires_backfills)
    fields.push_back("requires-backfills");
  if (file.upgrade_sql != db.upgrade_sql)
    fields.push_back("the upgrade SQL");
  if (file.downgrade_sql != db.downgrade_sql)
    fields.push_back("the downgrade SQL");
  return join(fields, ", ");
}

std::string how_far_behind(const RevisionDirectory &dir, const std::vector<std::string> &rows,
                           const std::string &dir_name) {
  std::vector<RevisionStep> steps;
  try {
    steps = Planner(dir.graph()).upgrade(rows, "heads");
  } catch (const Error &e) {
    return "cannot say how far behind " + dir_name + ": " + e.what();
  }
  if (steps.empty())
    return "up to date with " + dir_name;
  std::vector<std::string> ids;
  for (const auto &s : steps)
    ids.push_back(dir.graph().id(s.revision));
  return plural(steps.size(), "revision", "revisions") + " behind " + dir_name + " (" + join(ids, ", ") + ")";
}

} // namespace

int cmd_load(const Invocation &inv) {
  Args args(inv.args, {});
  args.expect_positional(0, 0, "load");
  RevisionDirectory dir = read_versions(inv.options.dir);
  return run_on_databases(inv.options, [&](Connection &c, Output &out) -> Outcome {
    c.exec("BEGIN");
    LoadReport r = load_directory(c, dir, out);
    c.exec("COMMIT");
    out.out("loaded " + inv.options.dir + ": " + r.summary());
    return {true, r.summary()};
  });
}

int cmd_upgrade(const Invocation &inv) {
  const char *usage = "upgrade [TARGET] [--sql]";
  Args args(inv.args, {{"sql", 0, false}});
  args.expect_positional(0, 1, usage);
  const std::string target = args.positional().empty() ? "head" : args.positional()[0];
  if (args.flag("sql"))
    return offline_motion(inv, true, target);
  RevisionDirectory dir = read_versions(inv.options.dir);
  return run_on_databases(inv.options, [&](Connection &c, Output &out) { return move(c, out, dir, true, target); });
}

int cmd_downgrade(const Invocation &inv) {
  const char *usage = "downgrade TARGET | downgrade FROM:TO --sql";
  Args args(inv.args, {{"sql", 0, false}});
  args.expect_positional(1, 1, usage);
  const std::string target = args.positional()[0];
  if (args.flag("sql"))
    return offline_motion(inv, false, target);
  RevisionDirectory dir = read_versions(inv.options.dir);
  return run_on_databases(inv.options, [&](Connection &c, Output &out) { return move(c, out, dir, false, target); });
}

int cmd_stamp(const Invocation &inv) {
  // One target for now; several once migrate.stamp() is variadic (issue 11).
  const char *usage = "stamp TARGET | stamp --from-alembic [--table [SCHEMA.]NAME]";
  Args args(inv.args, {{"from-alembic", 0, false}, {"table", 0, true}});
  if (args.flag("from-alembic")) {
    args.expect_positional(0, 0, usage);
    return stamp_from_alembic(inv, args.value("table").value_or("alembic_version"));
  }
  if (args.value("table"))
    throw UsageError("--table goes with --from-alembic; usage: pg_migrate stamp --from-alembic --table NAME");
  args.expect_positional(1, 1, usage);
  const std::string target = args.positional()[0];
  RevisionDirectory dir = read_versions(inv.options.dir);
  return run_on_databases(inv.options, [&](Connection &c, Output &out) -> Outcome {
    c.exec("BEGIN");
    load_directory(c, dir, out);
    Result r = c.exec("SELECT * FROM migrate.stamp($1)", {target});
    c.exec("COMMIT");
    std::vector<std::string> rows;
    for (int i = 0; i < r.rows(); ++i)
      rows.push_back(r.text(i, 0));
    out.info("pg_migrate", "the database is at " + describe_rows(rows));
    return {true, "at " + describe_rows(rows)};
  });
}

int cmd_current(const Invocation &inv) {
  Args args(inv.args, {{"verbose", 'v', false}});
  args.expect_positional(0, 0, "current [-v]");
  const bool verbose = args.flag("verbose");
  return run_on_databases(inv.options, [&](Connection &c, Output &out) -> Outcome {
    Result current = c.exec("SELECT * FROM migrate.current()");
    Result heads = c.exec("SELECT * FROM migrate.heads()");
    std::vector<std::string> head_ids, lines;
    for (int i = 0; i < heads.rows(); ++i)
      head_ids.push_back(heads.text(i, 0));
    if (verbose)
      out.out("Current revision(s) for " + c.label() + ":");
    for (int i = 0; i < current.rows(); ++i) {
      std::string id = current.text(i, 0);
      bool head = std::find(head_ids.begin(), head_ids.end(), id) != head_ids.end();
      lines.push_back(id + (head ? " (head)" : ""));
      out.out(lines.back());
    }
    return {true, lines.empty() ? "base" : join(lines, ", ")};
  });
}

int cmd_plan(const Invocation &inv) {
  Args args(inv.args, {{"downgrade", 0, false}});
  args.expect_positional(1, 1, "plan [--downgrade] TARGET");
  const std::string target = args.positional()[0];
  const std::string direction = args.flag("downgrade") ? "downgrade" : "upgrade";
  RevisionDirectory dir = read_versions(inv.options.dir);
  return run_on_databases(inv.options, [&](Connection &c, Output &out) -> Outcome {
    // The files as upgrade would load them, then the engine's plan; nothing stays.
    c.exec("BEGIN");
    load_directory(c, dir, out);
    Result r = c.exec("SELECT step, revision, message, sql, pg_catalog.array_to_string(version_rows, ', ') "
                      "FROM migrate.plan($1, $2)",
                      {target, direction});
    c.exec("ROLLBACK");
    for (int i = 0; i < r.rows(); ++i) {
      std::string message = r.text(i, 2);
      out.out("-- " + r.text(i, 0) + ". " + direction + " " + r.text(i, 1) + (message.empty() ? "" : ": " + message) +
              " (version rows after: " + describe_rows(split_ids(r.text(i, 4))) + ")");
      out.out(r.text(i, 3));
    }
    if (r.rows() == 0)
      out.out("-- nothing to do");
    return {true, plural(static_cast<std::size_t>(r.rows()), "step", "steps")};
  });
}

int cmd_history(const Invocation &inv) {
  Args args(inv.args,
            {{"rev-range", 'r', true}, {"verbose", 'v', false}, {"indicate-current", 'i', false}, {"db", 0, false}});
  args.expect_positional(0, 0, "history [-r RANGE] [-v] [-i|--db]");
  auto range = args.value("rev-range");
  const bool verbose = args.flag("verbose");
  RevisionDirectory dir = read_versions(inv.options.dir, Strictness::browse);
  // As Alembic: the database is read for -i, or when the range says current.
  const bool needs_db =
      args.flag("indicate-current") || args.flag("db") || (range && range->find("current") != std::string::npos);
  if (!needs_db) {
    print_history(dir, range, {}, false, verbose, console());
    return exit_ok;
  }
  return run_on_databases(inv.options, [&](Connection &c, Output &out) -> Outcome {
    auto rows = read_version_rows(c);
    print_history(dir, range, rows, true, verbose, out);
    return {true, "at " + describe_rows(rows)};
  });
}

int check_database(const Invocation &inv) {
  RevisionDirectory dir = read_versions(inv.options.dir);
  auto heads = dir.graph().heads();
  if (heads.size() > 1)
    throw Failure(inv.options.dir + " has " + std::to_string(heads.size()) +
                      " heads: " + join(dir.graph().ids(heads), ", "),
                  "A deploy to head needs exactly one.", "Join them with: pg_migrate merge -m \"merge heads\" heads");
  return run_on_databases(inv.options, [&](Connection &c, Output &out) -> Outcome {
    ServerGraph sg = read_server_graph(c);
    auto rows = read_version_rows(c);
    RevisionGraph server(sg.infos);
    std::vector<RevisionGraph::Vertex> at;
    for (const auto &id : rows) {
      auto v = server.find(id);
      if (!v)
        throw Failure("migrate.version names revision \"" + id + "\", which is not registered");
      at.push_back(*v);
    }
    auto applied = server.ids(server.members(server.ancestors(at, true)));
    auto stored = read_stored(c, applied);
    std::size_t problems = 0;
    bool all_in_files = true;
    for (const auto &id : applied) {
      const RevisionFile *f = dir.find(id);
      const StoredContent &s = stored.at(id);
      if (!f) {
        ++problems;
        all_in_files = false;
        out.log("error: revision " + id + " is applied in the database, but no file in " + inv.options.dir +
                " defines it");
        out.log("HINT:  Restore its file (pg_migrate show and git history help), or downgrade below it.");
      } else if (canonical_form(f->content) != canonical_form(s.content)) {
        ++problems;
        out.log(f->path + ":" + std::to_string(f->lines.revision) + ": revision " + id +
                " is applied in the database, and its file changed since (" + changed_fields(f->content, s.content) +
                ")");
        out.log("DETAIL:  The database holds checksum " + s.checksum + ".");
        out.log("HINT:  An applied revision cannot change: put the change in a new revision, and restore this "
                "file.");
      }
    }
    std::string state = "at " + describe_rows(rows);
    if (all_in_files)
      state += "; " + how_far_behind(dir, rows, inv.options.dir);
    if (problems) {
      std::string summary =
          state + "; " + plural(problems, "applied revision differs", "applied revisions differ") + " from the files";
      out.out("FAILED: " + summary);
      return {false, summary};
    }
    out.out("ok: " + state);
    return {true, state};
  });
}

} // namespace migrate::cli
