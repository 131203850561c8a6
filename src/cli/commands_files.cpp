// The commands that work on the files alone and never connect: init, new,
// merge, heads, branches, history, show, graph, check, bundle, and the
// offline SQL of upgrade/downgrade --sql.
#include "cli/alembic_format.hpp"
#include "cli/args.hpp"
#include "cli/cli.hpp"
#include "cli/output.hpp"
#include "cli/sql_script.hpp"
#include "cli/versions.hpp"
#include "core/graphviz.hpp"
#include "core/history.hpp"
#include "core/identifier.hpp"
#include "core/planner.hpp"
#include "core/revision_file.hpp"
#include "core/step_text.hpp"
#include "core/targets.hpp"
#include "core/text.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <random>
#include <sys/wait.h>
#include <unistd.h>

namespace migrate::cli {

namespace fs = std::filesystem;

namespace {

Output &out() {
  return console();
}

std::string describe_heads(const RevisionDirectory &dir, const std::vector<RevisionGraph::Vertex> &heads) {
  std::vector<std::string> parts;
  for (auto v : heads) {
    const auto &info = dir.graph().info(v);
    parts.push_back(info.id + (info.message.empty() ? "" : " (" + info.message + ")"));
  }
  return join(parts, ", ");
}

std::string today() {
  std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y%m%d", &local);
  return buf;
}

// Alembic's ids: 12 hex digits (the tail of a random UUID).
std::string hex_id(const RevisionGraph &graph) {
  std::random_device random;
  std::uniform_int_distribution<int> digit(0, 15);
  for (;;) {
    std::string id;
    for (int i = 0; i < 12; ++i)
      id += "0123456789abcdef"[digit(random)];
    if (!graph.find(id) && !graph.label_owner(id))
      return id;
  }
}

std::string one_line_message(const std::string &message) {
  if (message.find_first_of("\r\n") != std::string::npos)
    throw UsageError("the message must be one line");
  const char *blank = " \t\f\v";
  auto b = message.find_first_not_of(blank);
  if (b == std::string::npos)
    return "";
  return message.substr(b, message.find_last_not_of(blank) - b + 1);
}

// The id of a new revision: --id, or one in --id-style (hex by default).
std::string new_id(const Args &args, const RevisionDirectory &dir, const std::string &slug) {
  auto style = args.value("id-style").value_or("hex");
  if (style != "hex" && style != "date")
    throw UsageError("--id-style must be hex or date, not \"" + style + "\"");
  std::string id;
  if (auto given = args.value("id")) {
    id = *given;
    check_identifier("revision id", id);
  } else if (style == "date") {
    id = next_date_id(today(), slug, dir.ids());
  } else {
    id = hex_id(dir.graph());
  }
  if (dir.graph().find(id))
    throw Failure("revision " + id + " exists already", "It is defined in " + dir.find(id)->path + ".");
  if (auto owner = dir.graph().label_owner(id))
    throw Failure("revision id \"" + id + "\" is already a branch label of revision " + dir.graph().id(*owner));
  return id;
}

std::vector<std::string> new_labels(const Args &args, const RevisionDirectory &dir) {
  std::vector<std::string> labels;
  for (const auto &label : args.values("branch-label")) {
    check_identifier("branch label", label);
    if (auto owner = dir.graph().label_owner(label))
      throw Failure("Branch name '" + label + "' already used by revision " + dir.graph().id(*owner));
    if (dir.graph().find(label))
      throw Failure("branch label \"" + label + "\" is also a revision id");
    labels.push_back(label);
  }
  check_no_duplicates("branch labels", labels);
  return labels;
}

std::string write_revision(const std::string &dir_name, const RevisionContent &c) {
  RevisionFileOptions options;
  options.allow_empty_upgrade = true;
  std::string text = render_revision_file(c, {}, options);
  std::string name = revision_file_name(c.graph.id, revision_slug(c.graph.message));
  std::string path = write_new_file(dir_name, name, text);
  out().log("Generating " + path + " ... done");
  out().out(path);
  return path;
}

std::vector<std::string> split_list(const std::string &list) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= list.size()) {
    std::size_t comma = std::min(list.find(',', start), list.size());
    std::string item = list.substr(start, comma - start);
    item.erase(0, item.find_first_not_of(" \t"));
    item.erase(item.find_last_not_of(" \t") + 1);
    if (item.empty())
      throw UsageError("an empty item in the list \"" + list + "\"");
    out.push_back(item);
    start = comma + 1;
  }
  return out;
}

// The vertices a target names, for merge and new --head.
std::vector<RevisionGraph::Vertex> named(const RevisionGraph &graph, const std::string &spec, bool *base) {
  std::vector<RevisionGraph::Vertex> out;
  for (const Position &n : TargetResolver(graph).revisions(Spec{spec})) {
    if (n.is_revision())
      out.push_back(n.vertex);
    else if (base)
      *base = true;
  }
  return out;
}

} // namespace

int cmd_init(const Invocation &inv) {
  Args args(inv.args, {});
  args.expect_positional(0, 0, "init");
  const std::string &dir = inv.options.dir;
  std::error_code ec;
  if (fs::exists(dir, ec)) {
    if (!fs::is_directory(dir, ec))
      throw Failure(dir + " exists and is not a directory");
    if (!fs::is_empty(dir, ec))
      throw Failure("directory " + dir + " exists and is not empty", {},
                    "It holds revisions already; `pg_migrate new -m MSG` adds one.");
    out().log("Directory " + dir + " exists already (empty)");
    return exit_ok;
  }
  fs::create_directories(dir, ec);
  if (ec)
    throw Failure("could not create " + dir + ": " + ec.message());
  out().log("Creating directory " + dir + " ... done");
  return exit_ok;
}

int cmd_new(const Invocation &inv) {
  const char *usage = "new -m MSG [--id ID] [--id-style hex|date] [--head REV] [--branch-label L] "
                      "[--depends-on REV] [--non-transactional]";
  Args args(inv.args, {{"message", 'm', true},
                       {"id", 0, true},
                       {"id-style", 0, true},
                       {"head", 0, true},
                       {"branch-label", 0, true},
                       {"depends-on", 0, true},
                       {"non-transactional", 0, false}});
  args.expect_positional(0, 0, usage);
  auto message = args.value("message");
  if (!message)
    throw UsageError(std::string("-m MSG is required; usage: pg_migrate ") + usage);
  RevisionContent c;
  c.graph.message = one_line_message(*message);
  RevisionDirectory dir = read_versions(inv.options.dir, Strictness::browse);
  const RevisionGraph &graph = dir.graph();
  c.graph.id = new_id(args, dir, revision_slug(c.graph.message));
  if (auto head = args.value("head")) {
    bool base = false;
    c.graph.down_revisions = graph.ids(named(graph, *head, &base));
  } else {
    auto heads = graph.heads();
    if (heads.size() > 1)
      throw Failure("the revisions have " + std::to_string(heads.size()) + " heads: " + describe_heads(dir, heads),
                    "A new revision builds on one head.",
                    "Name it with --head REV (or --head LABEL@head), or join the heads first: pg_migrate merge -m "
                    "\"merge heads\" heads");
    c.graph.down_revisions = graph.ids(heads);
  }
  for (const auto &list : args.values("depends-on"))
    for (const auto &dep : split_list(list)) {
      if (graph.label_owner(dep) && !graph.find(dep)) {
        c.graph.depends_on.push_back(dep); // a branch label stays a label, as Alembic keeps it
        continue;
      }
      auto v = TargetResolver(graph).revision(dep);
      if (!v)
        throw Failure("--depends-on " + dep + " does not name a revision");
      c.graph.depends_on.push_back(graph.id(*v));
    }
  c.graph.branch_labels = new_labels(args, dir);
  c.transactional = !args.flag("non-transactional");
  c.downgrade_sql = std::string(); // an empty section to fill in; delete it to make the revision irreversible
  write_revision(inv.options.dir, c);
  return exit_ok;
}

int cmd_merge(const Invocation &inv) {
  const char *usage = "merge -m MSG [--id ID] [--id-style hex|date] [--branch-label L] heads|REV...";
  Args args(inv.args, {{"message", 'm', true}, {"id", 0, true}, {"id-style", 0, true}, {"branch-label", 0, true}});
  args.expect_positional(1, 1000, usage);
  auto message = args.value("message");
  if (!message)
    throw UsageError(std::string("-m MSG is required; usage: pg_migrate ") + usage);
  RevisionDirectory dir = read_versions(inv.options.dir, Strictness::browse);
  const RevisionGraph &graph = dir.graph();
  // The checks migrate.merge() makes, with its messages.
  std::vector<RevisionGraph::Vertex> parents;
  for (const auto &spec : args.positional()) {
    bool base = false;
    auto vs = named(graph, spec, &base);
    if (base)
      throw Failure("merge target '" + spec + "' does not name a revision");
    for (auto v : vs) {
      if (std::find(parents.begin(), parents.end(), v) != parents.end())
        throw Failure("Duplicate head revisions specified");
      parents.push_back(v);
    }
  }
  for (auto v : parents)
    if (!graph.is_head(v))
      throw Failure("Revision " + graph.id(v) + " is not a head revision", {},
                    "A merge joins heads: see pg_migrate heads.");
  if (parents.size() < 2)
    throw Failure("a merge needs two or more heads, got " + std::to_string(parents.size()), {},
                  "Name the heads to join, or say heads for all of them.");
  RevisionContent c;
  c.graph.message = one_line_message(*message);
  c.graph.id = new_id(args, dir, revision_slug(c.graph.message));
  c.graph.down_revisions = graph.ids(parents);
  c.graph.branch_labels = new_labels(args, dir);
  c.downgrade_sql = std::string(); // undoing a merge runs nothing
  write_revision(inv.options.dir, c);
  return exit_ok;
}

int cmd_heads(const Invocation &inv) {
  Args args(inv.args, {{"verbose", 'v', false}});
  args.expect_positional(0, 0, "heads [-v]");
  RevisionDirectory dir = read_versions(inv.options.dir, Strictness::browse);
  LineFormat f;
  f.branches = true;
  f.tree = false;
  for (auto v : dir.graph().heads())
    out().out(args.flag("verbose") ? log_entry(dir, v) : head_only(dir, v, f));
  return exit_ok;
}

int cmd_branches(const Invocation &inv) {
  Args args(inv.args, {{"verbose", 'v', false}});
  args.expect_positional(0, 0, "branches [-v]");
  RevisionDirectory dir = read_versions(inv.options.dir, Strictness::browse);
  const RevisionGraph &g = dir.graph();
  const bool verbose = args.flag("verbose");
  LineFormat point;
  point.branches = true;
  LineFormat child = point;
  child.doc = verbose;
  for (auto v : g.newest_first()) {
    if (!g.is_branch_point(v))
      continue;
    std::string block = verbose ? log_entry(dir, v) : head_only(dir, v, point);
    for (auto c : g.children(v))
      block += "\n" + std::string(g.id(v).size(), ' ') + " -> " + head_only(dir, c, child);
    out().out(block + "\n");
  }
  return exit_ok;
}

int cmd_show(const Invocation &inv) {
  Args args(inv.args, {});
  args.expect_positional(1, 1, "show REV");
  const std::string &spec = args.positional()[0];
  if (spec == "current")
    throw Failure("show current needs the database", {}, "pg_migrate current -v shows the applied revisions.");
  RevisionDirectory dir = read_versions(inv.options.dir, Strictness::browse);
  for (const Position &n : TargetResolver(dir.graph()).revisions(Spec{spec}))
    if (n.is_revision())
      out().out(log_entry(dir, n.vertex, {}, true));
  return exit_ok;
}

int cmd_graph(const Invocation &inv) {
  Args args(inv.args, {{"png", 0, true}});
  args.expect_positional(0, 0, "graph [--png FILE]");
  RevisionDirectory dir = read_versions(inv.options.dir, Strictness::browse);
  std::string dot = to_dot(dir.graph(), dir.graph().empty_set());
  auto png = args.value("png");
  if (!png) {
    std::fwrite(dot.data(), 1, dot.size(), stdout);
    return exit_ok;
  }
  // dot -Tpng -o FILE, its input on a pipe; no shell sees the file name.
  int fds[2];
  if (pipe(fds) != 0)
    throw Failure(std::string("pipe: ") + std::strerror(errno));
  pid_t pid = fork();
  if (pid < 0)
    throw Failure(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    dup2(fds[0], STDIN_FILENO);
    close(fds[0]);
    close(fds[1]);
    execlp("dot", "dot", "-Tpng", "-o", png->c_str(), static_cast<char *>(nullptr));
    std::fprintf(stderr, "pg_migrate: could not run dot (Graphviz): %s\n", std::strerror(errno));
    _exit(127);
  }
  close(fds[0]);
  const char *p = dot.data();
  std::size_t left = dot.size();
  while (left > 0) {
    ssize_t n = write(fds[1], p, left);
    if (n <= 0)
      break;
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  close(fds[1]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    throw Failure("dot failed to write " + *png, {}, "Graphviz's dot must be on PATH (apt-get install graphviz).");
  out().log("Wrote " + *png);
  return exit_ok;
}

int cmd_check(const Invocation &inv) {
  Args args(inv.args, {{"db", 0, false}});
  args.expect_positional(0, 0, "check [--db]");
  if (args.flag("db"))
    return check_database(inv);
  RevisionDirectory dir = read_versions(inv.options.dir, Strictness::check);
  auto heads = dir.graph().heads();
  if (heads.size() > 1)
    throw Failure(inv.options.dir + " has " + std::to_string(heads.size()) + " heads: " + describe_heads(dir, heads),
                  "A deploy to head needs exactly one.", "Join them with: pg_migrate merge -m \"merge heads\" heads");
  if (heads.empty()) {
    out().out("ok: " + inv.options.dir + " holds no revisions yet");
    return exit_ok;
  }
  out().out("ok: " + std::to_string(dir.files().size()) + " revisions, head " + describe_heads(dir, heads));
  return exit_ok;
}

int cmd_bundle(const Invocation &inv) {
  Args args(inv.args, {});
  args.expect_positional(0, 0, "bundle");
  RevisionDirectory dir = read_versions(inv.options.dir, Strictness::check);
  std::string script = bundle_script(dir, inv.options.dir);
  std::fwrite(script.data(), 1, script.size(), stdout);
  return exit_ok;
}

int offline_motion(const Invocation &inv, bool upgrade, const std::string &range) {
  RevisionDirectory dir = read_versions(inv.options.dir, Strictness::check);
  const RevisionGraph &graph = dir.graph();
  std::string from = "base", to = range;
  auto colon = range.find(':');
  if (colon != std::string::npos) {
    from = range.substr(0, colon);
    to = range.substr(colon + 1);
  } else if (!upgrade) {
    throw UsageError("downgrade with --sql requires FROM:TO, as Alembic's does (pg_migrate downgrade head:base --sql)");
  }
  if (from.empty() || to.empty())
    throw UsageError("a --sql range is FROM:TO, not \"" + range + "\"");
  OfflineMotion m;
  m.upgrade = upgrade;
  m.range = range;
  // FROM: where the database is. A database at several heads lists them: a1,b2.
  for (const auto &spec : split_list(from))
    for (const Position &n : TargetResolver(graph).revisions(Spec{spec}))
      if (n.is_revision() && std::find(m.rows_from.begin(), m.rows_from.end(), graph.id(n.vertex)) == m.rows_from.end())
        m.rows_from.push_back(graph.id(n.vertex));
  std::sort(m.rows_from.begin(), m.rows_from.end());
  Planner planner(graph);
  m.steps = upgrade ? planner.upgrade(m.rows_from, to) : planner.downgrade(m.rows_from, to);
  std::string script = motion_script(dir, inv.options.dir, m);
  // As Alembic in offline mode: the steps on stderr, the script on stdout.
  out().info("alembic.runtime.migration", "Generating static SQL");
  for (const auto &step : m.steps)
    out().info("alembic.runtime.migration", "Running " + describe_step(graph, step));
  std::fwrite(script.data(), 1, script.size(), stdout);
  return exit_ok;
}

} // namespace migrate::cli
