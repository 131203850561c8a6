#include "pg/catalog.hpp"

#include "core/error.hpp"
#include "core/text.hpp"
#include "pg/fingerprint.hpp"
#include "pg/guard.hpp"
#include "pg/spi.hpp"

#include <map>
#include <string>

namespace migrate::pg {

namespace {

// What 0.2.0 added to migrate.revisions. The new library serves 0.1.0's
// declarations too until ALTER EXTENSION migrate UPDATE runs: then the
// column is not there, and nothing can have set it.
bool has_lint_ignore() {
  return catalog_has("revisions", "lint_ignore");
}

std::vector<Cell> content_args(const RevisionContent &c, const std::string &checksum) {
  std::vector<Cell> args = {c.graph.id,
                            c.graph.down_revisions,
                            c.graph.depends_on,
                            c.graph.branch_labels,
                            c.graph.message,
                            c.upgrade_sql,
                            c.downgrade_sql ? Cell{*c.downgrade_sql} : null_cell(),
                            c.transactional,
                            checksum,
                            c.requires_backfills,
                            c.lock_timeout_ms ? Cell{*c.lock_timeout_ms} : null_cell(),
                            c.statement_timeout_ms ? Cell{*c.statement_timeout_ms} : null_cell(),
                            c.lint_ignore};
  if (!has_lint_ignore()) {
    if (!c.lint_ignore.empty())
      throw Error(sqlstate::object_not_in_prerequisite_state,
                  "migrate.revisions has no lint_ignore column: the extension's SQL is older than its library", {},
                  "Run ALTER EXTENSION migrate UPDATE.");
    args.pop_back();
  }
  return args;
}

} // namespace

void lock_catalog() {
  query("SELECT pg_catalog.pg_advisory_xact_lock($1)", {engine_lock_key});
}

std::vector<RevisionInfo> load_graph_infos() {
  Rows rows = query("SELECT id, down_revisions, depends_on, branch_labels, message "
                    "FROM migrate.revisions ORDER BY created_at, id COLLATE pg_catalog.\"C\"");
  std::vector<RevisionInfo> infos;
  infos.reserve(rows.size());
  for (auto &row : rows)
    infos.push_back(
        RevisionInfo{std::move(std::get<std::string>(row[0])), std::move(std::get<std::vector<std::string>>(row[1])),
                     std::move(std::get<std::vector<std::string>>(row[2])),
                     std::move(std::get<std::vector<std::string>>(row[3])), std::move(std::get<std::string>(row[4]))});
  return infos;
}

namespace {

struct CatalogVersion {
  TransactionId xmin = InvalidTransactionId;
  std::int64_t changes = -1;
  bool mine = false; // written by the current transaction (or one of its subtransactions)
  bool operator==(const CatalogVersion &o) const { return xmin == o.xmin && changes == o.changes; }
};

// A graph cached for one role must not answer another that may not read the
// catalog (SET ROLE in one backend): check the privilege a fresh load needs.
void check_can_read_revisions() {
  pg_call([] {
    Oid relid = get_relname_relid("revisions", get_namespace_oid("migrate", false));
    AclResult result = pg_class_aclcheck(relid, GetUserId(), ACL_SELECT);
    if (result != ACLCHECK_OK)
      aclcheck_error(result, OBJECT_TABLE, "revisions");
  });
}

CatalogVersion catalog_version() {
  Rows rows = query("SELECT xmin::text, changes FROM migrate.catalog_state WHERE id = 1");
  if (rows.size() != 1)
    throw Error(sqlstate::data_corrupted, "migrate.catalog_state must hold exactly one row", {},
                "Recreate the extension, or restore the row: INSERT INTO migrate.catalog_state VALUES (1, 0).");
  CatalogVersion v;
  v.xmin = static_cast<TransactionId>(std::stoul(text(rows[0][0])));
  v.changes = std::get<std::int64_t>(rows[0][1]);
  TransactionId xmin = v.xmin;
  v.mine = pg_call([&] { return TransactionIdIsCurrentTransactionId(xmin); });
  return v;
}

// One graph per backend; destroyed at exit without calling PostgreSQL.
struct GraphCache {
  CatalogVersion version;
  std::shared_ptr<const RevisionGraph> graph;
};
GraphCache graph_cache;

} // namespace

std::shared_ptr<const RevisionGraph> load_graph() {
  check_can_read_revisions();
  CatalogVersion version = catalog_version();
  if (!version.mine && graph_cache.graph && graph_cache.version == version)
    return graph_cache.graph;
  auto graph = std::make_shared<const RevisionGraph>(load_graph_infos());
  if (!version.mine)
    graph_cache = GraphCache{version, graph};
  return graph;
}

void note_catalog_change() {
  if (catalog_version().mine)
    return;
  execute("UPDATE migrate.catalog_state SET changes = changes + 1 WHERE id = 1", {});
}

std::map<std::string, StoredRevision> load_revisions(const std::vector<std::string> &ids) {
  if (ids.empty())
    return {};
  Rows rows = query(has_lint_ignore() ? "SELECT id, down_revisions, depends_on, branch_labels, message, upgrade_sql, "
                                        "downgrade_sql, transactional, checksum, created_at::text, requires_backfills, "
                                        "(extract(epoch FROM lock_timeout) * 1000)::bigint, "
                                        "(extract(epoch FROM statement_timeout) * 1000)::bigint, lint_ignore "
                                        "FROM migrate.revisions WHERE id = ANY ($1)"
                                      : "SELECT id, down_revisions, depends_on, branch_labels, message, upgrade_sql, "
                                        "downgrade_sql, transactional, checksum, created_at::text, requires_backfills, "
                                        "(extract(epoch FROM lock_timeout) * 1000)::bigint, "
                                        "(extract(epoch FROM statement_timeout) * 1000)::bigint, '{}'::text[] "
                                        "FROM migrate.revisions WHERE id = ANY ($1)",
                    {ids});
  std::map<std::string, StoredRevision> out;
  for (const Row &r : rows) {
    StoredRevision s;
    s.content.graph = RevisionInfo{text(r[0]), text_array(r[1]), text_array(r[2]), text_array(r[3]), text(r[4])};
    s.content.upgrade_sql = text(r[5]);
    s.content.downgrade_sql = optional_text(r[6]);
    s.content.transactional = boolean(r[7]);
    s.checksum = text(r[8]);
    s.created_at = text(r[9]);
    s.content.requires_backfills = text_array(r[10]);
    s.content.lock_timeout_ms = optional_integer(r[11]);
    s.content.statement_timeout_ms = optional_integer(r[12]);
    s.content.lint_ignore = text_array(r[13]);
    out.emplace(s.content.graph.id, std::move(s));
  }
  return out;
}

std::optional<StoredRevision> load_revision(const std::string &id) {
  auto found = load_revisions({id});
  if (found.empty())
    return std::nullopt;
  return std::move(found.begin()->second);
}

std::vector<std::string> version_rows_for_update() {
  std::vector<std::string> out;
  for (const Row &r :
       query("SELECT version_num FROM migrate.version ORDER BY version_num COLLATE pg_catalog.\"C\" FOR UPDATE"))
    out.push_back(text(r[0]));
  // Under REPEATABLE READ or SERIALIZABLE the transaction's snapshot may predate
  // another session's committed move. FOR UPDATE catches a changed row, not rows
  // added to an empty table: compare with what is committed now.
  if (pg_call([] { return IsolationUsesXactSnapshot(); })) {
    std::vector<std::string> now;
    for (const Row &r :
         query_latest("SELECT version_num FROM migrate.version ORDER BY version_num COLLATE pg_catalog.\"C\""))
      now.push_back(text(r[0]));
    if (now != out)
      throw Error(sqlstate::serialization_failure,
                  "could not serialize access: another session moved the database after this transaction began",
                  "This transaction sees version rows {" + join(out, ",") + "}; committed now: {" + join(now, ",") +
                      "}.",
                  "Retry the transaction.");
  }
  return out;
}

void write_version_rows(const std::vector<std::string> &rows) {
  execute("DELETE FROM migrate.version", {});
  execute("INSERT INTO migrate.version (version_num) SELECT pg_catalog.unnest($1::text[])", {rows});
  record_fingerprint(rows); // what migrate.drift() compares with
}

void write_version_change(const std::vector<std::string> &replaced, const std::vector<std::string> &written,
                          const std::vector<std::string> &rows_after) {
  execute("DELETE FROM migrate.version WHERE version_num = ANY ($1::text[])", {replaced});
  execute("INSERT INTO migrate.version (version_num) SELECT pg_catalog.unnest($1::text[])", {written});
  record_fingerprint(rows_after); // what migrate.drift() compares with
}

std::string clock_now() {
  return text(query("SELECT pg_catalog.clock_timestamp()::text").front()[0]);
}

void append_journal(const std::vector<JournalEntry> &entries, const std::string &call_started) {
  if (entries.empty())
    return;
  std::vector<std::string> revision, direction, from, to, offset, micros;
  for (const auto &e : entries) {
    revision.push_back(e.revision);
    direction.push_back(e.direction);
    from.push_back(join(e.from_heads, ","));
    to.push_back(join(e.to_heads, ","));
    offset.push_back(std::to_string(e.started_offset_us));
    micros.push_back(std::to_string(e.duration_us));
  }
  // Ids never hold a comma (identifiers are [A-Za-z0-9_]), so a joined list splits back exactly.
  execute(
      "INSERT INTO migrate.journal (revision, direction, from_heads, to_heads, started_at, duration) "
      "SELECT r, d, COALESCE(pg_catalog.string_to_array(NULLIF(f, ''), ','), '{}'), "
      "COALESCE(pg_catalog.string_to_array(NULLIF(t, ''), ','), '{}'), "
      "$7::timestamptz + pg_catalog.make_interval(secs => o::bigint / 1e6), "
      "pg_catalog.make_interval(secs => us::bigint / 1e6) "
      "FROM ROWS FROM (pg_catalog.unnest($1::text[]), pg_catalog.unnest($2::text[]), pg_catalog.unnest($3::text[]), "
      "pg_catalog.unnest($4::text[]), pg_catalog.unnest($5::text[]), pg_catalog.unnest($6::text[])) "
      "AS j(r, d, f, t, o, us)",
      {revision, direction, from, to, offset, micros, call_started});
}

std::vector<std::string> version_rows() {
  std::vector<std::string> out;
  for (const Row &r : query("SELECT version_num FROM migrate.version ORDER BY version_num COLLATE pg_catalog.\"C\""))
    out.push_back(text(r[0]));
  return out;
}

VertexSet applied_set(const RevisionGraph &graph, const std::vector<std::string> &versions) {
  std::vector<RevisionGraph::Vertex> at;
  for (const auto &id : versions) {
    auto v = graph.find(id);
    if (!v)
      throw Error(sqlstate::data_corrupted,
                  "migrate.version names revision \"" + excerpt(id) + "\", which is not registered", {},
                  "Register the revision again, or correct the version with migrate.stamp().");
    at.push_back(*v);
  }
  return graph.ancestors(at, true);
}

bool revision_exists(const std::string &id) {
  return !query("SELECT 1 FROM migrate.revisions WHERE id = $1", {id}).empty();
}

std::optional<std::string> label_owner(const std::string &label) {
  Rows rows = query_replanned("SELECT id FROM migrate.revisions WHERE branch_labels @> ARRAY[$1]", {label});
  if (rows.empty())
    return std::nullopt;
  return text(rows.front()[0]);
}

void insert_revision(const RevisionContent &c, const std::string &checksum) {
  execute(has_lint_ignore() ? "INSERT INTO migrate.revisions (id, down_revisions, depends_on, branch_labels, message, "
                              "upgrade_sql, downgrade_sql, transactional, checksum, requires_backfills, lock_timeout, "
                              "statement_timeout, lint_ignore) "
                              "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::float8 * interval '1 ms', "
                              "$12::float8 * interval '1 ms', $13)"
                            : "INSERT INTO migrate.revisions (id, down_revisions, depends_on, branch_labels, message, "
                              "upgrade_sql, downgrade_sql, transactional, checksum, requires_backfills, lock_timeout, "
                              "statement_timeout) "
                              "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::float8 * interval '1 ms', "
                              "$12::float8 * interval '1 ms')",
          content_args(c, checksum));
}

void update_revision(const RevisionContent &c, const std::string &checksum) {
  execute(has_lint_ignore() ? "UPDATE migrate.revisions SET down_revisions = $2, depends_on = $3, branch_labels = $4, "
                              "message = $5, upgrade_sql = $6, downgrade_sql = $7, transactional = $8, checksum = $9, "
                              "requires_backfills = $10, lock_timeout = $11::float8 * interval '1 ms', "
                              "statement_timeout = $12::float8 * interval '1 ms', lint_ignore = $13 WHERE id = $1"
                            : "UPDATE migrate.revisions SET down_revisions = $2, depends_on = $3, branch_labels = $4, "
                              "message = $5, upgrade_sql = $6, downgrade_sql = $7, transactional = $8, checksum = $9, "
                              "requires_backfills = $10, lock_timeout = $11::float8 * interval '1 ms', "
                              "statement_timeout = $12::float8 * interval '1 ms' WHERE id = $1",
          content_args(c, checksum));
}

bool catalog_has(const char *table, const char *column) {
  return pg_call([&] {
    Oid schema = get_namespace_oid("migrate", true);
    Oid relid = OidIsValid(schema) ? get_relname_relid(table, schema) : InvalidOid;
    if (!OidIsValid(relid))
      return false;
    return column == nullptr || get_attnum(relid, column) != InvalidAttrNumber;
  });
}

} // namespace migrate::pg
