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

// What the engine will do: its own plan (migrate.plan()) of the files just
// loaded, so that the client never guesses. How many steps (for progress),
// and whether one of them needs CALL migrate.run(): a step for the worker
// (a non-transactional revision) or a gate whose backfills are not done.
// A plan the engine refuses is refused here, in the engine's words.
struct Preview {
  std::vector<std::string> revisions;          // the steps, in order
  std::vector<std::vector<std::string>> gates; // each step's backfills not done
  bool worker = false;
  bool gated() const {
    return std::any_of(gates.begin(), gates.end(), [](const auto &g) { return !g.empty(); });
  }
};

Preview preview(Connection &c, bool upgrade, const std::string &target) {
  Preview p;
  Result r = c.exec("SELECT revision, runner, pg_catalog.array_to_string(gated_by, ',') FROM migrate.plan($1, $2)",
                    {target, upgrade ? "upgrade" : "downgrade"});
  for (int i = 0; i < r.rows(); ++i) {
    p.revisions.push_back(r.text(i, 0));
    p.worker |= r.text(i, 1) == "worker";
    p.gates.push_back(split_ids(r.text(i, 2)));
  }
  return p;
}

// What a gate waits for: "backfill fill_email", "backfills a, b".
std::string gate_backfills(const std::vector<std::string> &names) {
  return (names.size() == 1 ? "backfill " : "backfills ") + join(names, ", ");
}

struct MotionRequest {
  bool upgrade = true;
  std::string target;
  std::string at_gate = "run"; // CALL migrate.run()'s at_gate: run or stop
};

// Load, then move: the body of upgrade and downgrade. One transaction with
// upgrade() or downgrade(); when the plan needs CALL migrate.run(), the load
// commits first and run() commits after each revision (and each batch of a
// gate's backfills).
Outcome move(Connection &c, Output &out, const RevisionDirectory &dir, const MotionRequest &m) {
  const char *direction = m.upgrade ? "upgrade" : "downgrade";
  c.exec("BEGIN");
  LoadReport loaded = load_directory(c, dir, out);
  Preview p = preview(c, m.upgrade, m.target);
  const bool by_run = p.worker || p.gated();
  std::size_t steps;
  {
    StepWatch watch(c, out, direction, p.revisions.size());
    if (by_run) {
      c.exec("COMMIT"); // the load; each revision commits on its own from here
      c.exec("CALL migrate.run($1, $2, $3)", {m.target, direction, m.at_gate});
    } else {
      c.exec(m.upgrade ? "SELECT revision FROM migrate.upgrade($1)" : "SELECT revision FROM migrate.downgrade($1)",
             {m.target});
      c.exec("COMMIT");
    }
    steps = watch.steps();
  }
  std::string at = describe_rows(read_version_rows(c));
  std::string done = std::string(m.upgrade ? "upgraded " : "downgraded ") + plural(steps, "revision", "revisions");
  // run() ends early without an error only at a gate, with at_gate 'stop'
  // (its NOTICE says where the backfills are).
  if (steps < p.revisions.size() && !p.gates[steps].empty()) {
    const std::string &gated = p.revisions[steps];
    const std::string backfills = gate_backfills(p.gates[steps]);
    out.info("pg_migrate", done + "; stopped at the gate of revision " + gated + ", which requires " + backfills +
                               " to be done; the database is at " + at);
    out.info("pg_migrate", "run the backfills (CALL migrate.run_backfills(), or its pg_cron job), then pg_migrate "
                           "upgrade again");
    return {true, "loaded " + loaded.summary() + "; " + done + "; stopped at the gate of " + gated + " (" + backfills +
                      " not done); at " + at};
  }
  std::vector<std::string> opened;
  for (std::size_t i = 0; i < p.gates.size() && i < steps; ++i)
    if (!p.gates[i].empty())
      opened.push_back(p.revisions[i] + " (" + gate_backfills(p.gates[i]) + ")");
  if (!opened.empty())
    done += ", opening the " + std::string(opened.size() == 1 ? "gate of " : "gates of ") + join(opened, ", ");
  out.info("pg_migrate", done + "; the database is at " + at);
  return {true, "loaded " + loaded.summary() + "; " + done + "; at " + at};
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

namespace {

// --at-gate stop|run: what CALL migrate.run() does at a backfill gate.
std::string at_gate_option(const Args &args) {
  std::string value = args.value("at-gate").value_or("run");
  if (value != "run" && value != "stop")
    throw UsageError("--at-gate must be run or stop, not \"" + excerpt(value) + "\"");
  return value;
}

} // namespace

int cmd_upgrade(const Invocation &inv) {
  const char *usage = "upgrade [TARGET] [--at-gate run|stop] [--sql]";
  Args args(inv.args, {{"sql", 0, false}, {"at-gate", 0, true}});
  args.expect_positional(0, 1, usage);
  MotionRequest m;
  m.target = args.positional().empty() ? "head" : args.positional()[0];
  m.at_gate = at_gate_option(args);
  if (args.flag("sql")) {
    if (args.value("at-gate"))
      throw UsageError("--at-gate is for online upgrades: a --sql script cannot run backfills (render up to the gate, "
                       "run them, then render the rest)");
    return offline_motion(inv, true, m.target);
  }
  RevisionDirectory dir = read_versions(inv.options.dir);
  return run_on_databases(inv.options, [&](Connection &c, Output &out) { return move(c, out, dir, m); });
}

int cmd_downgrade(const Invocation &inv) {
  const char *usage = "downgrade TARGET | downgrade FROM:TO --sql";
  Args args(inv.args, {{"sql", 0, false}, {"at-gate", 0, true}});
  if (args.value("at-gate"))
    throw UsageError("--at-gate is for upgrade: a downgrade passes no backfill gate");
  args.expect_positional(1, 1, usage);
  MotionRequest m;
  m.upgrade = false;
  m.target = args.positional()[0];
  if (args.flag("sql"))
    return offline_motion(inv, false, m.target);
  RevisionDirectory dir = read_versions(inv.options.dir);
  return run_on_databases(inv.options, [&](Connection &c, Output &out) { return move(c, out, dir, m); });
}

int cmd_stamp(const Invocation &inv) {
  const char *usage = "stamp TARGET... | stamp --from-alembic [--table [SCHEMA.]NAME]";
  Args args(inv.args, {{"from-alembic", 0, false}, {"table", 0, true}});
  if (args.flag("from-alembic")) {
    args.expect_positional(0, 0, usage);
    return stamp_from_alembic(inv, args.value("table").value_or("alembic_version"));
  }
  if (args.value("table"))
    throw UsageError("--table goes with --from-alembic; usage: pg_migrate stamp --from-alembic --table NAME");
  args.expect_positional(1, 1000, usage);
  const std::vector<std::string> targets = args.positional();
  RevisionDirectory dir = read_versions(inv.options.dir);
  return run_on_databases(inv.options, [&](Connection &c, Output &out) -> Outcome {
    c.exec("BEGIN");
    load_directory(c, dir, out);
    std::vector<std::string> rows = stamp_rows(c, targets);
    c.exec("COMMIT");
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
    Result r = with_files_loaded(c, dir, out, [&] {
      return c.exec("SELECT step, revision, message, sql, pg_catalog.array_to_string(version_rows, ','), runner, "
                    "pg_catalog.array_to_string(gated_by, ',') FROM migrate.plan($1, $2)",
                    {target, direction});
    });
    bool worker = false, gated = false;
    for (int i = 0; i < r.rows(); ++i) {
      const std::string message = r.text(i, 2), runner = r.text(i, 5);
      const std::vector<std::string> gate = split_ids(r.text(i, 6));
      std::string how = "runner: " + runner;
      if (runner == "worker")
        how += ", outside a transaction";
      if (!gate.empty())
        how += "; gated by " + gate_backfills(gate) + ", not done";
      worker |= runner == "worker";
      gated |= !gate.empty();
      out.out("-- " + r.text(i, 0) + ". " + direction + " " + r.text(i, 1) + (message.empty() ? "" : ": " + message) +
              " (version rows after: " + describe_rows(split_ids(r.text(i, 4))) + "; " + how + ")");
      out.out(r.text(i, 3));
    }
    const std::string steps = plural(static_cast<std::size_t>(r.rows()), "step", "steps");
    const char *them = r.rows() == 1 ? " it" : " them";
    if (r.rows() == 0)
      out.out("-- nothing to do");
    else if (worker || gated)
      out.out("-- " + steps + ": pg_migrate " + direction + " takes" + them +
              " with CALL migrate.run(), a commit after each" +
              (gated ? ", running a gate's backfills where it reaches it (--at-gate stop: ends there)" : "") + ".");
    else
      out.out("-- " + steps + ": pg_migrate " + direction + " takes" + them + " in one transaction (migrate." +
              direction + "()).");
    return {true, steps};
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
