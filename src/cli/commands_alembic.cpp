// Coming from Alembic: `import-alembic` writes one revision file per Alembic
// revision, rendered by the project's own Alembic in offline mode, and
// `stamp --from-alembic` sets a database's version rows to its
// alembic_version rows (docs/alembic.md).
#include "cli/alembic_reader.hpp"
#include "cli/args.hpp"
#include "cli/catalog_client.hpp"
#include "cli/cli.hpp"
#include "cli/fleet.hpp"
#include "cli/versions.hpp"
#include "core/engine_lock.hpp"
#include "core/error.hpp"
#include "core/revision_file.hpp"
#include "core/text.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <set>

namespace migrate::cli {

namespace fs = std::filesystem;

namespace {

// An Alembic upgrade() that emits nothing, outside a merge: the engine needs
// a statement (only merges may be empty), so the file gets one that does nothing.
const char *const empty_upgrade = "SELECT; -- upgrade() emits no SQL in Alembic";

bool blank(const std::string &s) {
  return s.find_first_not_of(" \t\r\n") == std::string::npos;
}

// The versions directory must not hold anything yet: an import never mixes
// with existing files.
void refuse_filled_directory(const std::string &dir) {
  std::error_code ec;
  if (!fs::exists(dir, ec))
    return;
  if (!fs::is_directory(dir, ec))
    throw Failure(dir + " exists and is not a directory");
  if (!fs::is_empty(dir, ec))
    throw Failure("directory " + dir + " exists and is not empty", {},
                  "Import into a new directory: pg_migrate --dir DIR import-alembic ...");
}

RevisionContent to_content(const AlembicRevision &r) {
  RevisionContent c;
  c.graph.id = r.id;
  c.graph.down_revisions = r.revises;
  c.graph.depends_on = r.depends_on;
  c.graph.branch_labels = r.branch_labels;
  c.graph.message = r.message;
  c.upgrade_sql = blank(r.upgrade_sql) && r.revises.size() < 2 ? empty_upgrade : r.upgrade_sql;
  c.downgrade_sql = r.downgrade_sql;
  c.transactional = r.transactional;
  return c;
}

// The Alembic script's own name with .sql (its default template is
// <id>_<slug>.py, as ours); ours when that name holds other characters.
std::string file_name(const AlembicRevision &r) {
  std::string stem = fs::path(r.path).stem().string();
  bool plain = !stem.empty() && stem[0] != '.' && stem.size() <= 200;
  for (char ch : stem)
    plain = plain && (std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == '-' || ch == '.');
  return plain ? stem + ".sql" : revision_file_name(r.id, revision_slug(r.message));
}

struct ImportedFile {
  const AlembicRevision *revision;
  std::string name, text;
};

std::string list_ids(const std::vector<std::string> &ids) {
  const std::size_t shown = 10;
  std::vector<std::string> head(ids.begin(), ids.begin() + static_cast<long>(std::min(ids.size(), shown)));
  return join(head, ", ") + (ids.size() > shown ? ", ... (" + std::to_string(ids.size()) + " in all)" : "");
}

void report_refusals(const AlembicProject &p, const fs::path &project_dir, Output &out) {
  std::vector<std::string> ids;
  for (const auto &r : p.refused) {
    std::string where = (project_dir / r.path).lexically_normal().string();
    std::string what = r.direction == "revision" ? "" : " " + r.direction + "()";
    out.log(where + ": revision " + r.id + ":" + what + " cannot be rendered offline: " + r.reason);
    if (std::find(ids.begin(), ids.end(), r.id) == ids.end())
      ids.push_back(r.id);
  }
  throw Failure(plural(ids.size(), "revision", "revisions") + " cannot be imported: " + list_ids(ids),
                "Each revision is rendered as alembic upgrade --sql renders it, without a database: Python that "
                "reads one (results of op.get_bind().execute(), sqlalchemy.inspect(), reflection) cannot be "
                "rendered, and transactions are the file's business (transactional: false). Nothing was written.",
                "Rewrite those revisions so that the SQL decides (a WHERE clause, a DO block), then import "
                "again; or write their files by hand after importing the rest.");
}

} // namespace

int cmd_import_alembic(const Invocation &inv) {
  const char *usage = "import-alembic [--python PATH] ALEMBIC_INI";
  Args args(inv.args, {{"python", 0, true}});
  args.expect_positional(1, 1, usage);
  const std::string &dir = inv.options.dir;
  refuse_filled_directory(dir);
  Output &out = console();
  AlembicReaderOptions options{args.positional()[0], args.value("python")};
  AlembicProject project = read_alembic_project(options, out);
  const fs::path project_dir = fs::path(options.ini).parent_path();
  if (!project.refused.empty())
    report_refusals(project, project_dir, out);

  // Every file rendered and read back as a directory before one is written.
  std::vector<ImportedFile> files;
  std::set<std::string> names;
  std::vector<std::string> unwritable;
  for (const auto &r : project.revisions) {
    const std::string script = (project_dir / r.path).lexically_normal().string();
    try {
      std::string text = render_revision_file(to_content(r), {});
      std::string name = file_name(r);
      if (!names.insert(name).second && !names.insert(name = r.id + ".sql").second)
        throw Error(sqlstate::duplicate_object, "its file name " + name + " is taken by another revision");
      files.push_back({&r, name, std::move(text)});
    } catch (const Error &e) {
      out.log(script + ": revision " + r.id + " cannot be written as a revision file: " + e.what());
      if (!e.hint().empty())
        out.log("HINT:  " + e.hint());
      unwritable.push_back(r.id);
    }
  }
  if (!unwritable.empty())
    throw Failure(plural(unwritable.size(), "revision", "revisions") + " cannot be imported: " + list_ids(unwritable),
                  "Nothing was written.",
                  "Revision ids and branch labels in files are letters, digits and _ (1 to 128).");
  std::vector<SourceFile> sources;
  for (const auto &f : files)
    sources.push_back({(fs::path(dir) / f.name).string(), f.text});
  RevisionDirectory checked(sources); // throws RevisionFileErrors, naming the files to be

  std::vector<std::pair<std::string, std::string>> contents;
  for (const auto &f : files)
    contents.emplace_back(f.name, f.text);
  refuse_filled_directory(dir);
  write_new_directory(dir, contents);

  std::vector<std::string> non_transactional, irreversible, no_op_downgrades;
  for (const auto &f : files) {
    const AlembicRevision &r = *f.revision;
    const std::string path = (fs::path(dir) / f.name).string();
    out.log("Generating " + path + " ... done");
    for (const auto &w : r.warnings)
      out.log("WARNING:  revision " + r.id + ": " + w);
    // Alembic's bookkeeping is never emitted by the import: a mention is the
    // revision's own SQL (a hand-made fix of the version table), kept as written.
    if (r.upgrade_sql.find(project.version_table) != std::string::npos ||
        (r.downgrade_sql && r.downgrade_sql->find(project.version_table) != std::string::npos))
      out.log("WARNING:  revision " + r.id + ": its own SQL mentions " + project.version_table +
              ", Alembic's version table, which pg_migrate does not use: review " + path);
    if (!r.transactional)
      non_transactional.push_back(r.id);
    if (!r.downgrade_sql)
      irreversible.push_back(r.id);
    else if (blank(*r.downgrade_sql) && r.revises.size() < 2)
      no_op_downgrades.push_back(r.id);
  }
  if (!non_transactional.empty())
    out.info("pg_migrate.import", "transactional: false (autocommit_block): " + list_ids(non_transactional));
  if (!irreversible.empty())
    out.info("pg_migrate.import",
             "irreversible (downgrade() raises NotImplementedError, or is missing): " + list_ids(irreversible));
  if (!no_op_downgrades.empty())
    out.info("pg_migrate.import", "a downgrade that runs nothing (downgrade() emits no SQL; delete the section to "
                                  "make a revision irreversible): " +
                                      list_ids(no_op_downgrades));
  std::string table = project.version_table_schema.empty() ? project.version_table
                                                           : project.version_table_schema + "." + project.version_table;
  out.info("pg_migrate.import", "next: pg_migrate check; then, on each database Alembic manages: pg_migrate stamp "
                                "--from-alembic" +
                                    (table == "alembic_version" ? std::string() : " --table " + table));
  out.out("imported " + plural(files.size(), "revision", "revisions") + " from " + options.ini + " into " + dir +
          " (Alembic " + project.alembic_version + ", " + project.python + ")");
  return exit_ok;
}

namespace {

// The rows of Alembic's version table, sorted. The name is resolved by the
// server (to_regclass, the caller's search_path, as Alembic finds it) and
// quoted by the server (format %I): never put into SQL as given.
std::vector<std::string> read_alembic_rows(Connection &c, const std::string &table) {
  Result found = c.exec("SELECT pg_catalog.format('%I.%I', n.nspname, r.relname) FROM pg_catalog.pg_class r "
                        "JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) r.relnamespace "
                        "WHERE r.oid OPERATOR(pg_catalog.=) pg_catalog.to_regclass($1)",
                        {table});
  if (found.rows() == 0)
    throw Failure("no table " + table + " in this database", {},
                  "Name Alembic's version table with --table [SCHEMA.]NAME (env.py's version_table and "
                  "version_table_schema); an unqualified name is looked up on the search_path.");
  Result rows = c.exec("SELECT v FROM (SELECT version_num::pg_catalog.text AS v FROM " + found.text(0, 0) +
                       ") AS alembic ORDER BY v COLLATE pg_catalog.\"C\"");
  std::vector<std::string> out;
  for (int i = 0; i < rows.rows(); ++i)
    if (out.empty() || out.back() != rows.text(i, 0))
      out.push_back(rows.text(i, 0));
  return out;
}

} // namespace

int stamp_from_alembic(const Invocation &inv, const std::string &table) {
  RevisionDirectory dir = read_versions(inv.options.dir);
  return run_on_databases(inv.options, [&](Connection &c, Output &out) -> Outcome {
    c.exec("BEGIN");
    load_directory(c, dir, out);
    c.exec("SELECT pg_catalog.pg_advisory_xact_lock($1)", {std::to_string(engine_lock_key)});
    const std::vector<std::string> target = read_alembic_rows(c, table);
    for (const auto &id : target)
      if (!dir.find(id))
        throw Failure(table + " names revision " + id + ", which no file in " + inv.options.dir + " defines",
                      "Nothing was changed.",
                      "Import the Alembic project this database was migrated with: pg_migrate import-alembic.");
    const std::vector<std::string> before = read_version_rows(c);
    const std::string at = target.empty() ? "base" : join(target, ", ");
    if (before == target) {
      c.exec("COMMIT");
      out.info("pg_migrate", "the database is at " + at + " already, as " + table + " says");
      return {true, "at " + at + " already"};
    }
    // Version rows are heads of what is applied: none is another's ancestor
    // (Alembic never leaves its table so; stamping such rows would keep both).
    RevisionGraph graph(read_server_graph(c).infos);
    for (const auto &id : target) {
      std::vector<RevisionGraph::Vertex> others;
      for (const auto &other : target)
        if (other != id)
          others.push_back(*graph.find(other));
      if (graph.ancestors(others, false).test(*graph.find(id)))
        throw Failure(table + " holds " + join(target, ", ") + ", which cannot all be version rows at once",
                      "Revision " + id + " is an ancestor of another row. Nothing was changed.",
                      "Correct " + table + " with alembic stamp, then stamp again.");
    }
    // The engine moves the rows (journal, drift()'s reference): the old rows
    // go, then every Alembic row is stamped at once, as Alembic's stamp of
    // several revisions does from no rows.
    if (!before.empty())
      stamp_rows(c, {"base"});
    if (!target.empty())
      stamp_rows(c, target);
    const std::vector<std::string> after = read_version_rows(c);
    if (after != target) // rows that are heads of what is applied stamp to themselves; a safety net
      throw Failure("stamping " + table + "'s rows gives " + (after.empty() ? "base" : join(after, ", ")) +
                        ", not the same rows",
                    "Nothing was changed.", "Correct " + table + " with alembic stamp, then stamp again.");
    c.exec("COMMIT");
    out.info("pg_migrate", "the database is at " + at + ", as " + table + " says");
    return {true, "at " + at};
  });
}

} // namespace migrate::cli
