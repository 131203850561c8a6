#include "core/lint.hpp"

#include "core/error.hpp"
#include "core/identifier.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

namespace migrate::lint {

const char *severity_name(Severity severity) {
  return severity == Severity::error ? "error" : "warning";
}

const std::vector<Rule> &rules() {
  static const std::vector<Rule> all = {
      {"table-rewrite", "a statement rewrites a table with rows under an ACCESS EXCLUSIVE lock"},
      {"index-not-concurrent", "CREATE INDEX without CONCURRENTLY blocks writes while it reads a table with rows"},
      {"constraint-not-valid", "a FOREIGN KEY or CHECK is validated against existing rows while the table is locked"},
      {"not-null-scan", "SET NOT NULL scans the table unless a validated CHECK (col IS NOT NULL) proves it"},
      {"unique-without-index", "ADD PRIMARY KEY, UNIQUE or EXCLUDE builds its index under an ACCESS EXCLUSIVE lock"},
      {"required-column", "ADD COLUMN ... NOT NULL without a DEFAULT fails on a table with rows"},
      {"vacuum-full", "VACUUM FULL rewrites tables under an ACCESS EXCLUSIVE lock"},
      {"cluster", "CLUSTER rewrites tables under an ACCESS EXCLUSIVE lock"},
      {"drop-table", "a running application may still use the table"},
      {"drop-column", "a running application may still use the column"},
      {"rename-table", "a running application may still use the old name"},
      {"rename-column", "a running application may still use the old name"},
      {"enum-value-in-transaction", "a value added by ALTER TYPE ... ADD VALUE is used before it is committed"},
      {"syntax-error", "PostgreSQL's parser refuses the revision's SQL"},
      {"not-analyzed", "lint could not analyze a statement"},
  };
  return all;
}

bool is_rule(const std::string &name) {
  const auto &all = rules();
  return std::any_of(all.begin(), all.end(), [&](const Rule &r) { return name == r.name; });
}

std::string rule_names() {
  std::string known;
  for (const auto &r : rules())
    known += (known.empty() ? "" : ", ") + std::string(r.name);
  return known;
}

void check_ignore_list(const std::string &revision, const std::vector<std::string> &names) {
  for (const auto &name : names)
    if (!is_rule(name))
      throw Error(sqlstate::invalid_parameter_value,
                  "lint_ignore of revision " + revision + " names an unknown rule \"" + name.substr(0, 200) + "\"",
                  "Known rules: " + rule_names() + ".", "See docs/proving.md for what each rule checks.");
  check_no_duplicates("lint_ignore", names);
}

std::string pretty_size(std::int64_t bytes) {
  // pg_size_pretty's steps: a unit is used while the number stays below
  // 10240 of it (so "9216 bytes", "10 kB"), rounded half up.
  static const char *units[] = {"bytes", "kB", "MB", "GB", "TB", "PB"};
  double size = static_cast<double>(bytes);
  int unit = 0;
  while (unit < 5 && std::abs(size) >= 10 * 1024 - 0.5) {
    size /= 1024;
    ++unit;
  }
  return std::to_string(static_cast<std::int64_t>(std::floor(size + 0.5))) + " " + units[unit];
}

namespace {

std::string thousands(double value) {
  std::string digits = std::to_string(static_cast<std::int64_t>(std::llround(value)));
  std::string out;
  const int n = static_cast<int>(digits.size());
  for (int i = 0; i < n; ++i) {
    out += digits[i];
    if ((n - i - 1) % 3 == 0 && i + 1 < n)
      out += ',';
  }
  return out;
}

// "public.orders (about 3,000,000 rows, 380 MB)": the size lint decided on.
std::string sized(const Table &t) {
  std::string what = t.partitioned ? "all partitions: " : "";
  if (t.rows)
    return t.name + " (" + what + "about " + thousands(*t.rows) + " rows, " + pretty_size(t.bytes) + ")";
  return t.name + " (" + what + pretty_size(t.bytes) + " on disk, never analyzed)";
}

const char *later_revision_hint = "Validate it in a later revision and run the plan with CALL migrate.run(), which "
                                  "commits after each revision: VALIDATE CONSTRAINT takes only a SHARE UPDATE "
                                  "EXCLUSIVE lock, so reads and writes go on while it scans.";

// A table as the plan has left it so far.
struct TableState {
  bool created = false; // by a statement of the plan
  bool gone = false;    // dropped or renamed by a statement of the plan
  Table facts;          // the catalog's, carried over a rename
  std::set<std::string> added_columns;
};

// A CHECK or FOREIGN KEY the plan adds, by table and name.
struct AddedConstraint {
  std::vector<std::string> proves_not_null;
  bool validated = false;
  bool added_not_valid = false;
  int transaction = 0;
};

struct AddedLabel {
  std::string type, label, revision;
  int statement = 0;
};

class Linter {
public:
  explicit Linter(const Options &options) : options_(options) {}

  void revision(const Revision &r) {
    revision_ = &r;
    if (options_.commit_per_revision || !r.transactional)
      next_transaction();
    if (r.syntax_error) {
      report("syntax-error", Severity::error, "", 0, r.syntax_error_line,
             "the revision's SQL does not parse: " + *r.syntax_error,
             "The revision cannot run. Register it again with corrected SQL (it is pending, so it may change).");
      return;
    }
    for (const auto &s : r.statements) {
      if (!r.transactional && options_.commit_per_revision && &s != &r.statements.front())
        next_transaction(); // each statement of a non-transactional revision commits on its own
      statement_ = &s;
      check_enum_uses(s);
      if (s.error)
        report("not-analyzed", Severity::warning, "", "this statement could not be analyzed: " + *s.error,
               "lint skipped it. It may still run; check it by hand or with a rehearsal.");
      for (const auto &a : s.actions)
        action(a);
    }
  }

  std::vector<Finding> take() { return std::move(findings_); }

private:
  void next_transaction() {
    ++transaction_;
    labels_.clear(); // committed: usable from here on
  }

  void report(const char *rule, Severity severity, const std::string &object, int statement, int line,
              std::string message, std::string hint) {
    const auto &ignore = revision_->ignore;
    if (std::find(ignore.begin(), ignore.end(), rule) != ignore.end())
      return;
    findings_.push_back(
        Finding{revision_->id, statement, line, rule, severity, object, std::move(message), std::move(hint)});
  }
  void report(const char *rule, Severity severity, const std::string &object, std::string message, std::string hint) {
    report(rule, severity, object, statement_->number, statement_->line, std::move(message), std::move(hint));
  }

  TableState state_of(const Table &t) const {
    auto it = tables_.find(t.name);
    if (it == tables_.end())
      return TableState{false, false, t, {}};
    TableState s = it->second;
    s.facts.name = t.name;
    return s;
  }

  // A table that existed before the plan and is still there.
  static bool live(const TableState &s) { return !s.created && !s.gone && s.facts.exists; }

  // How bad holding a lock on the table while it is read or rewritten is:
  // nothing for a table the plan created or an empty one; an error from
  // migrate.lint_large_table on.
  std::optional<Severity> lock_severity(const TableState &s) const {
    if (!live(s) || s.facts.bytes == 0)
      return std::nullopt;
    return s.facts.bytes >= options_.large_table_bytes ? Severity::error : Severity::warning;
  }

  std::string column_of(const Action &a) const { return a.table.name + "." + a.column; }

  void action(const Action &a) {
    TableState s = state_of(a.table);
    const auto severity = lock_severity(s);
    switch (a.op) {
    case Op::create_table:
      tables_[a.table.name] = TableState{true, false, a.table, {}};
      break;
    case Op::drop_table:
      if (live(s))
        report("drop-table", Severity::warning, a.table.name,
               "DROP TABLE " + sized(s.facts) +
                   ": a running application that still uses it fails, and its rows are gone",
               "Deploy the application without the table first, then drop it in a later revision (expand, then "
               "contract).");
      tables_[a.table.name] = TableState{false, true, a.table, {}};
      break;
    case Op::rename_table:
      if (live(s))
        report("rename-table", Severity::warning, a.table.name,
               "renaming " + a.table.name + " to " + a.new_name +
                   ": queries of a running application that name the old table fail",
               "Keep the old name working while both versions of the application run (for example an updatable view "
               "named like the old table), and drop it once the old version is gone.");
      {
        TableState renamed = s;
        renamed.gone = false;
        renamed.facts.name = a.new_name;
        tables_[a.new_name] = renamed;
        s.gone = true;
        tables_[a.table.name] = s;
      }
      break;
    case Op::add_column:
      add_column(a, s, severity);
      break;
    case Op::drop_column:
      if (live(s) && !s.added_columns.count(a.column))
        report("drop-column", Severity::warning, column_of(a),
               "DROP COLUMN " + a.column + " of " + a.table.name +
                   ": a running application that still reads or writes it fails",
               "Deploy the application without the column first (and without SELECT * that maps it), then drop it "
               "in a later revision.");
      break;
    case Op::rename_column:
      if (live(s) && !s.added_columns.count(a.column))
        report("rename-column", Severity::warning, column_of(a),
               "renaming column " + a.column + " of " + a.table.name + " to " + a.new_name +
                   ": queries of a running application that name the old column fail",
               "Add the new column, keep both in step while both versions of the application run (a trigger or the "
               "application itself), then drop the old one.");
      if (s.added_columns.count(a.column))
        tables_[a.table.name].added_columns.insert(a.new_name);
      break;
    case Op::alter_column_type:
      if (severity && a.rewrites != false)
        report("table-rewrite", *severity, column_of(a),
               "ALTER COLUMN " + a.column + " TYPE " + a.new_type + " rewrites table " + sized(s.facts) +
                   " and rebuilds its indexes under an ACCESS EXCLUSIVE lock: " + type_change_reason(a),
               "Add a column of the new type, fill it with a backfill (migrate.backfill), and switch over in a later "
               "revision. PostgreSQL changes a type in place when the stored bytes stay valid: varchar(n) to a longer "
               "varchar or to text, numeric(p,s) to a larger p, to a domain without constraints, timestamp to "
               "timestamptz when TimeZone is UTC.");
      break;
    case Op::set_not_null:
      if (severity && !a.already_not_null && !a.proven_by_check && !proven_in_plan(a))
        report("not-null-scan", *severity, column_of(a),
               "SET NOT NULL on " + a.column + " scans table " + sized(s.facts) +
                   " under an ACCESS EXCLUSIVE lock to check that no row holds NULL",
               "Add CHECK (" + a.column +
                   " IS NOT NULL) NOT VALID, validate it in a later revision, then SET NOT "
                   "NULL: PostgreSQL 12+ skips the scan when a validated CHECK proves the column is not null. Drop the "
                   "CHECK afterwards.");
      break;
    case Op::add_check:
    case Op::add_foreign_key:
      add_constraint(a, s, severity);
      break;
    case Op::add_unique:
      if (severity && !a.using_index)
        report("unique-without-index", *severity, a.table.name, unique_message(a, s.facts), unique_hint(a));
      break;
    case Op::validate_constraint:
      validate(a, s, severity);
      break;
    case Op::set_persistence:
      if (severity && a.rewrites != false)
        report("table-rewrite", *severity, a.table.name,
               "SET " + a.new_name + " rewrites table " + sized(s.facts) + " under an ACCESS EXCLUSIVE lock",
               "There is no way around the rewrite: run it when the table may be locked for that long.");
      break;
    case Op::set_access_method:
      if (severity && a.rewrites != false)
        report("table-rewrite", *severity, a.table.name,
               "SET ACCESS METHOD " + a.new_name + " rewrites table " + sized(s.facts) +
                   " under an ACCESS EXCLUSIVE lock",
               "There is no way around the rewrite: run it when the table may be locked for that long.");
      break;
    case Op::set_tablespace:
      if (severity && a.rewrites != false)
        report("table-rewrite", *severity, a.table.name,
               "SET TABLESPACE " + a.new_name + " copies table " + sized(s.facts) +
                   " file by file under an ACCESS EXCLUSIVE lock",
               "There is no way around the copy: run it when the table may be locked for that long.");
      break;
    case Op::create_index:
      if (severity && !a.concurrently)
        report("index-not-concurrent", *severity, a.table.name,
               "CREATE INDEX " + (a.index.empty() ? std::string() : a.index + " ") + "blocks writes to table " +
                   sized(s.facts) + " (SHARE lock) while it reads the whole table",
               a.table.partitioned
                   ? "PostgreSQL 15 cannot build an index on a partitioned table CONCURRENTLY: CREATE INDEX ... ON "
                     "ONLY the parent, CREATE INDEX CONCURRENTLY on each partition (a revision registered with "
                     "transactional => false, run by CALL migrate.run()), then ALTER INDEX ... ATTACH PARTITION."
                   : "Use CREATE INDEX CONCURRENTLY in a revision registered with transactional => false; CALL "
                     "migrate.run() runs it outside a transaction.");
      break;
    case Op::vacuum_full:
    case Op::cluster:
      maintenance(a, s, severity);
      break;
    case Op::add_enum_value:
      // PostgreSQL 15 refuses the value until its transaction commits, even
      // when the same transaction created the type.
      labels_.push_back(AddedLabel{a.table.name, a.label, revision_->id, statement_->number});
      break;
    }
  }

  static std::string type_change_reason(const Action &a) {
    if (a.using_expression)
      return "its USING expression computes new values";
    if (!a.rewrites)
      return "the column's current type is not in the catalog yet, so lint cannot tell whether " + a.new_type +
             " keeps its bytes";
    return a.old_type + " is not binary-coercible to " + a.new_type;
  }

  void add_column(const Action &a, const TableState &s, std::optional<Severity> severity) {
    static const std::map<AddColumnRewrite, const char *> why = {
        {AddColumnRewrite::volatile_default, "its default is volatile, so it is computed for every row"},
        {AddColumnRewrite::identity, "an identity column gets a value from its sequence in every row"},
        {AddColumnRewrite::serial, "a serial column gets a value from its sequence in every row"},
        {AddColumnRewrite::stored_generated, "a stored generated column is computed for every row"},
        {AddColumnRewrite::constrained_domain, "its domain has constraints, checked against every row"},
    };
    if (severity && a.add_rewrite != AddColumnRewrite::none)
      report("table-rewrite", *severity, column_of(a),
             "ADD COLUMN " + a.column + " rewrites table " + sized(s.facts) +
                 " under an ACCESS EXCLUSIVE lock: " + why.at(a.add_rewrite),
             "Add the column without a default, or with a non-volatile one (PostgreSQL 11+ stores it in the catalog "
             "without a rewrite); fill it with a backfill (migrate.backfill); set the volatile default afterwards "
             "with ALTER COLUMN ... SET DEFAULT, which applies to new rows only.");
    if (a.required && live(s) && s.facts.bytes > 0)
      report("required-column", s.facts.rows && *s.facts.rows > 0 ? Severity::error : Severity::warning, column_of(a),
             "ADD COLUMN " + a.column + " NOT NULL without a DEFAULT fails on table " + sized(s.facts) +
                 " unless it is empty: existing rows would hold NULL",
             "Give the column a non-volatile DEFAULT (no rewrite), or add it nullable, fill it with a backfill and "
             "set NOT NULL in a later revision.");
    tables_[a.table.name] = s;
    tables_[a.table.name].added_columns.insert(a.column);
  }

  void add_constraint(const Action &a, const TableState &s, std::optional<Severity> severity) {
    const bool foreign = a.op == Op::add_foreign_key;
    if (severity && !a.not_valid) {
      std::string what = foreign
                             ? "FOREIGN KEY" + (a.constraint.empty() ? "" : " " + a.constraint) + " to " + a.referenced
                             : "CHECK" + (a.constraint.empty() ? "" : " " + a.constraint);
      std::string lock = foreign ? "a SHARE ROW EXCLUSIVE lock on both tables (writes wait)"
                                 : "an ACCESS EXCLUSIVE lock (reads and writes wait)";
      report("constraint-not-valid", *severity, a.table.name,
             (a.inline_column ? "ADD COLUMN " + a.column + " with a " : "ADD ") + what + " checks every row of " +
                 sized(s.facts) + " while holding " + lock,
             a.inline_column ? "Add the column first, then the constraint with NOT VALID; validate it in a later "
                               "revision."
                             : "Add it with NOT VALID (new and updated rows are checked at once), and VALIDATE "
                               "CONSTRAINT in a later revision: validation takes only a SHARE UPDATE EXCLUSIVE "
                               "lock.");
    }
    if (!a.constraint.empty())
      constraints_[key(a.table.name, a.constraint)] =
          AddedConstraint{a.proves_not_null, !a.not_valid, a.not_valid, transaction_};
  }

  void validate(const Action &a, const TableState &s, std::optional<Severity> severity) {
    auto found = constraints_.find(key(a.table.name, a.constraint));
    if (found == constraints_.end())
      return;
    AddedConstraint &c = found->second;
    if (severity && c.added_not_valid && c.transaction == transaction_)
      report("constraint-not-valid", *severity, a.table.name,
             "VALIDATE CONSTRAINT " + a.constraint +
                 " runs in the transaction that added it NOT VALID: the lock "
                 "ADD CONSTRAINT took is held while it checks every row of " +
                 sized(s.facts),
             later_revision_hint);
    c.validated = true;
  }

  static std::string key(const std::string &table, const std::string &constraint) {
    return table + '\x1f' + constraint;
  }

  bool proven_in_plan(const Action &a) const {
    for (const auto &[k, c] : constraints_)
      if (c.validated && k.compare(0, a.table.name.size() + 1, a.table.name + '\x1f') == 0 &&
          std::find(c.proves_not_null.begin(), c.proves_not_null.end(), a.column) != c.proves_not_null.end())
        return true;
    return false;
  }

  static std::string unique_message(const Action &a, const Table &t) {
    std::string what = a.constraint_kind + (a.constraint.empty() ? "" : " " + a.constraint);
    if (a.inline_column)
      return "ADD COLUMN " + a.column + " " + a.constraint_kind + " builds an index on " + sized(t) +
             " under an ACCESS EXCLUSIVE lock";
    return "ADD " + what + " builds its index on " + sized(t) + " under an ACCESS EXCLUSIVE lock";
  }

  static std::string unique_hint(const Action &a) {
    if (a.constraint_kind == "EXCLUDE")
      return "An exclusion constraint cannot use an existing index: run it when the table may be locked for that "
             "long.";
    return "CREATE UNIQUE INDEX CONCURRENTLY first (a revision registered with transactional => false, run by CALL "
           "migrate.run()), then ADD CONSTRAINT ... " +
           a.constraint_kind + " USING INDEX, which only takes the lock briefly.";
  }

  void maintenance(const Action &a, const TableState &s, std::optional<Severity> severity) {
    const bool vacuum = a.op == Op::vacuum_full;
    const char *rule = vacuum ? "vacuum-full" : "cluster";
    const std::string command = vacuum ? "VACUUM FULL" : "CLUSTER";
    const char *hint = vacuum ? "Plain VACUUM reclaims space for reuse without the lock; pg_repack or pg_squeeze "
                                "compact a table online."
                              : "pg_repack reorders a table online; otherwise run it when the table may be locked "
                                "for that long.";
    if (a.table.name.empty())
      report(rule, Severity::error, "",
             command + " without a table rewrites every " + (vacuum ? "table" : "previously clustered table") +
                 " of the database, each under an ACCESS EXCLUSIVE lock",
             hint);
    else if (severity)
      report(rule, *severity, a.table.name,
             command + " rewrites table " + sized(s.facts) + " under an ACCESS EXCLUSIVE lock", hint);
  }

  void check_enum_uses(const Statement &s) {
    for (const auto &added : labels_)
      if (std::find(s.literals.begin(), s.literals.end(), added.label) != s.literals.end())
        report("enum-value-in-transaction", Severity::error, added.type,
               "'" + added.label.substr(0, 200) + "' is used in the transaction that added it to " + added.type +
                   " (revision " + added.revision + ", statement " + std::to_string(added.statement) +
                   "): PostgreSQL refuses a new enum value until it is committed (55P04)",
               options_.commit_per_revision
                   ? "Use the value in a later revision: CALL migrate.run() commits after each revision."
                   : "Use the value in a later revision and run the plan with CALL migrate.run(), which commits "
                     "after each revision; upgrade() runs the whole plan in one transaction.");
  }

  Options options_;
  const Revision *revision_ = nullptr;
  const Statement *statement_ = nullptr;
  int transaction_ = 0;
  std::map<std::string, TableState> tables_;
  std::map<std::string, AddedConstraint> constraints_;
  std::vector<AddedLabel> labels_;
  std::vector<Finding> findings_;
};

} // namespace

std::vector<Finding> lint(const std::vector<Revision> &plan, const Options &options) {
  Linter linter(options);
  for (const auto &r : plan)
    linter.revision(r);
  return linter.take();
}

} // namespace migrate::lint
