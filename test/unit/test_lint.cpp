// The lint rules on made-up facts: what the PostgreSQL side would read from a
// statement and the catalog, without a server.
#include "core/lint.hpp"

#include "core/error.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

namespace migrate::lint {
namespace {

constexpr std::int64_t kB = 1024;

Table table(const std::string &name, std::int64_t bytes, std::optional<double> rows = std::nullopt) {
  Table t;
  t.name = name;
  t.exists = true;
  t.bytes = bytes;
  t.rows = rows;
  return t;
}
const Table orders = table("public.orders", 48 * kB, 1000);          // small, with rows
const Table events = table("public.events", 800 * 1024 * kB, 9.5e6); // large
const Table empty = table("public.empty", 0, 0);
const Table unanalyzed = table("public.fresh", 16 * kB); // rows unknown
Table missing(const std::string &name) {
  Table t;
  t.name = name;
  return t;
}

Action act(Op op, const Table &t, const std::string &column = {}) {
  Action a;
  a.op = op;
  a.table = t;
  a.column = column;
  return a;
}

Statement stmt(int number, std::vector<Action> actions, std::vector<std::string> literals = {}) {
  Statement s;
  s.number = number;
  s.line = number;
  s.actions = std::move(actions);
  s.literals = std::move(literals);
  return s;
}

Revision rev(const std::string &id, std::vector<Statement> statements, std::vector<std::string> ignore = {},
             bool transactional = true) {
  Revision r;
  r.id = id;
  r.transactional = transactional;
  r.ignore = std::move(ignore);
  r.statements = std::move(statements);
  return r;
}

std::vector<Finding> run(const std::vector<Revision> &plan, bool commit_per_revision = false) {
  Options o;
  o.large_table_bytes = 10 * 1024 * kB;
  o.commit_per_revision = commit_per_revision;
  return lint(plan, o);
}

std::vector<Finding> one(Action a) {
  return run({rev("r1", {stmt(1, {std::move(a)})})});
}

std::vector<std::string> rules_of(const std::vector<Finding> &findings) {
  std::vector<std::string> out;
  for (const auto &f : findings)
    out.push_back(f.rule);
  return out;
}

Action type_change(const Table &t, std::optional<bool> rewrites) {
  Action a = act(Op::alter_column_type, t, "total");
  a.old_type = "integer";
  a.new_type = "bigint";
  a.rewrites = rewrites;
  return a;
}

TEST(Lint, ATypeChangeThatRewritesATableWithRowsIsFound) {
  auto f = one(type_change(orders, true));
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].rule, "table-rewrite");
  EXPECT_EQ(f[0].severity, Severity::warning); // 48 kB: below the large-table size
  EXPECT_EQ(f[0].object, "public.orders.total");
  EXPECT_EQ(f[0].revision, "r1");
  EXPECT_EQ(f[0].statement, 1);
  EXPECT_NE(f[0].message.find("about 1,000 rows, 48 kB"), std::string::npos) << f[0].message;
  EXPECT_NE(f[0].message.find("integer is not binary-coercible to bigint"), std::string::npos) << f[0].message;
}

TEST(Lint, SeverityGrowsWithTheTable) {
  auto f = one(type_change(events, true));
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].severity, Severity::error);
  EXPECT_NE(f[0].message.find("about 9,500,000 rows, 800 MB"), std::string::npos) << f[0].message;
}

TEST(Lint, ABinaryCoercibleChangeOrAnEmptyTableIsNotFound) {
  EXPECT_TRUE(one(type_change(orders, false)).empty());
  EXPECT_TRUE(one(type_change(empty, true)).empty());
  EXPECT_TRUE(one(type_change(missing("public.nowhere"), true)).empty());
}

TEST(Lint, AnUnknownTypeChangeCountsAsARewrite) {
  auto f = one(type_change(orders, std::nullopt));
  ASSERT_EQ(f.size(), 1u);
  EXPECT_NE(f[0].message.find("cannot tell"), std::string::npos) << f[0].message;
}

TEST(Lint, ATableWithoutStatisticsIsJudgedByItsSizeOnDisk) {
  auto f = one(type_change(unanalyzed, true));
  ASSERT_EQ(f.size(), 1u);
  EXPECT_NE(f[0].message.find("16 kB on disk, never analyzed"), std::string::npos) << f[0].message;
}

TEST(Lint, AddColumnRewritesOnlyForTheReasonsPostgreSQLHas) {
  for (auto why : {AddColumnRewrite::volatile_default, AddColumnRewrite::identity, AddColumnRewrite::serial,
                   AddColumnRewrite::stored_generated, AddColumnRewrite::constrained_domain}) {
    Action a = act(Op::add_column, orders, "c");
    a.add_rewrite = why;
    EXPECT_EQ(rules_of(one(a)), std::vector<std::string>{"table-rewrite"});
  }
  EXPECT_TRUE(one(act(Op::add_column, orders, "c")).empty()); // no default, or a non-volatile one
}

TEST(Lint, ARequiredColumnFailsOnRows) {
  Action a = act(Op::add_column, orders, "c");
  a.required = true;
  auto f = one(a);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].rule, "required-column");
  EXPECT_EQ(f[0].severity, Severity::error);
  a.table = empty;
  EXPECT_TRUE(one(a).empty());
  a.table = unanalyzed; // may hold rows: a warning
  ASSERT_EQ(one(a).size(), 1u);
  EXPECT_EQ(one(a)[0].severity, Severity::warning);
}

TEST(Lint, IndexesWithoutConcurrently) {
  Action a = act(Op::create_index, events);
  a.index = "events_at_idx";
  auto f = one(a);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].rule, "index-not-concurrent");
  EXPECT_EQ(f[0].severity, Severity::error);
  EXPECT_NE(f[0].hint.find("transactional => false"), std::string::npos);
  a.concurrently = true;
  EXPECT_TRUE(one(a).empty());
  a.concurrently = false;
  a.table = empty;
  EXPECT_TRUE(one(a).empty());
}

TEST(Lint, APartitionedTableGetsThePerPartitionHint) {
  Action a = act(Op::create_index, events);
  a.table.partitioned = true;
  auto f = one(a);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_NE(f[0].hint.find("ON ONLY"), std::string::npos) << f[0].hint;
  EXPECT_NE(f[0].message.find("all partitions"), std::string::npos) << f[0].message;
}

TEST(Lint, ConstraintsWithoutNotValid) {
  Action check = act(Op::add_check, orders);
  check.constraint = "total_positive";
  Action fk = act(Op::add_foreign_key, orders);
  fk.referenced = "public.customers";
  EXPECT_EQ(rules_of(one(check)), std::vector<std::string>{"constraint-not-valid"});
  auto f = one(fk);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_NE(f[0].message.find("SHARE ROW EXCLUSIVE lock on both tables"), std::string::npos) << f[0].message;
  check.not_valid = fk.not_valid = true;
  EXPECT_TRUE(one(check).empty());
  EXPECT_TRUE(one(fk).empty());
}

TEST(Lint, ValidatingInTheTransactionThatAddedItGainsNothing) {
  Action add = act(Op::add_check, orders);
  add.constraint = "c";
  add.not_valid = true;
  Action validate = act(Op::validate_constraint, orders);
  validate.constraint = "c";
  // upgrade(): one transaction for the whole plan.
  auto f = run({rev("r1", {stmt(1, {add})}), rev("r2", {stmt(1, {validate})})});
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].rule, "constraint-not-valid");
  EXPECT_EQ(f[0].revision, "r2");
  // CALL migrate.run() commits in between.
  EXPECT_TRUE(run({rev("r1", {stmt(1, {add})}), rev("r2", {stmt(1, {validate})})}, true).empty());
  // ... but not inside one revision.
  EXPECT_EQ(run({rev("r1", {stmt(1, {add}), stmt(2, {validate})})}, true).size(), 1u);
}

TEST(Lint, SetNotNullScansUnlessACheckProvesIt) {
  Action set = act(Op::set_not_null, orders, "total");
  EXPECT_EQ(rules_of(one(set)), std::vector<std::string>{"not-null-scan"});
  set.proven_by_check = true;
  EXPECT_TRUE(one(set).empty());
  set.proven_by_check = false;
  set.already_not_null = true;
  EXPECT_TRUE(one(set).empty());
}

TEST(Lint, ACheckTheplanAddsAndValidatesProvesNotNullLater) {
  Action add = act(Op::add_check, orders);
  add.constraint = "total_nn";
  add.not_valid = true;
  add.proves_not_null = {"total"};
  Action validate = act(Op::validate_constraint, orders);
  validate.constraint = "total_nn";
  Action set = act(Op::set_not_null, orders, "total");
  auto f = run({rev("r1", {stmt(1, {add})}), rev("r2", {stmt(1, {validate})}), rev("r3", {stmt(1, {set})})}, true);
  EXPECT_TRUE(f.empty()) << f[0].rule;
  // Not validated: SET NOT NULL scans.
  f = run({rev("r1", {stmt(1, {add})}), rev("r3", {stmt(1, {set})})}, true);
  EXPECT_EQ(rules_of(f), std::vector<std::string>{"not-null-scan"});
  // A check on another column proves nothing about this one.
  add.proves_not_null = {"other"};
  f = run({rev("r1", {stmt(1, {add})}), rev("r2", {stmt(1, {validate})}), rev("r3", {stmt(1, {set})})}, true);
  EXPECT_EQ(rules_of(f), std::vector<std::string>{"not-null-scan"});
}

TEST(Lint, UniqueConstraintsWithoutAnIndex) {
  Action a = act(Op::add_unique, orders);
  a.constraint_kind = "PRIMARY KEY";
  auto f = one(a);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].rule, "unique-without-index");
  EXPECT_NE(f[0].hint.find("PRIMARY KEY USING INDEX"), std::string::npos) << f[0].hint;
  a.using_index = true;
  EXPECT_TRUE(one(a).empty());
  a.using_index = false;
  a.constraint_kind = "EXCLUDE";
  EXPECT_NE(one(a)[0].hint.find("cannot use an existing index"), std::string::npos);
}

TEST(Lint, RewritesByPersistenceAccessMethodAndTablespace) {
  Action logged = act(Op::set_persistence, events);
  logged.new_name = "LOGGED";
  EXPECT_EQ(rules_of(one(logged)), std::vector<std::string>{"table-rewrite"});
  logged.rewrites = false; // already logged
  EXPECT_TRUE(one(logged).empty());
  Action am = act(Op::set_access_method, events);
  am.rewrites = false;
  EXPECT_TRUE(one(am).empty());
  Action space = act(Op::set_tablespace, events);
  EXPECT_EQ(rules_of(one(space)), std::vector<std::string>{"table-rewrite"});
}

TEST(Lint, VacuumFullAndCluster) {
  EXPECT_EQ(rules_of(one(act(Op::vacuum_full, orders))), std::vector<std::string>{"vacuum-full"});
  EXPECT_EQ(rules_of(one(act(Op::cluster, orders))), std::vector<std::string>{"cluster"});
  EXPECT_TRUE(one(act(Op::vacuum_full, empty)).empty());
  auto every = one(act(Op::vacuum_full, Table{}));
  ASSERT_EQ(every.size(), 1u);
  EXPECT_EQ(every[0].severity, Severity::error);
  EXPECT_EQ(every[0].object, "");
}

TEST(Lint, DropsAndRenamesOfWhatAnApplicationMayUse) {
  EXPECT_EQ(rules_of(one(act(Op::drop_table, orders))), std::vector<std::string>{"drop-table"});
  EXPECT_EQ(rules_of(one(act(Op::drop_table, empty))), std::vector<std::string>{"drop-table"}); // no rows, still used
  EXPECT_EQ(rules_of(one(act(Op::drop_column, orders, "note"))), std::vector<std::string>{"drop-column"});
  Action rename = act(Op::rename_table, orders);
  rename.new_name = "public.purchases";
  EXPECT_EQ(rules_of(one(rename)), std::vector<std::string>{"rename-table"});
  Action column = act(Op::rename_column, orders, "note");
  column.new_name = "remark";
  EXPECT_EQ(rules_of(one(column)), std::vector<std::string>{"rename-column"});
  for (const auto &f : one(column))
    EXPECT_EQ(f.severity, Severity::warning);
  EXPECT_TRUE(one(act(Op::drop_table, missing("public.gone"))).empty()); // DROP TABLE IF EXISTS of nothing
}

TEST(Lint, WhatThePlanCreatedHasNoRowsAndNoReaders) {
  // The table exists in neither the catalog (pg side) nor... it is created by r1.
  Table fresh = missing("public.fresh_t");
  auto f = run({rev("r1", {stmt(1, {act(Op::create_table, fresh)})}),
                rev("r2", {stmt(1, {act(Op::create_index, fresh), type_change(fresh, true),
                                    act(Op::set_not_null, fresh, "total"), act(Op::drop_column, fresh, "x")}),
                           stmt(2, {act(Op::drop_table, fresh)})})});
  EXPECT_TRUE(f.empty()) << f[0].rule;
  // Dropped and created again in the plan: the new one is empty too, even if
  // the catalog (read before the plan) has rows for that name.
  f = run({rev("r1", {stmt(1, {act(Op::drop_table, orders)}), stmt(2, {act(Op::create_table, orders)}),
                      stmt(3, {act(Op::create_index, orders)})})});
  EXPECT_EQ(rules_of(f), std::vector<std::string>{"drop-table"});
  // A column the plan added is not one an application uses yet.
  Action add = act(Op::add_column, orders, "draft");
  EXPECT_TRUE(run({rev("r1", {stmt(1, {add}), stmt(2, {act(Op::drop_column, orders, "draft")})})}).empty());
}

TEST(Lint, ARenamedTableKeepsItsRows) {
  Action rename = act(Op::rename_table, orders);
  rename.new_name = "public.purchases";
  auto f = run({rev("r1", {stmt(1, {rename}), stmt(2, {act(Op::create_index, missing("public.purchases"))})})});
  EXPECT_EQ(rules_of(f), (std::vector<std::string>{"rename-table", "index-not-concurrent"}));
  EXPECT_NE(f[1].message.find("public.purchases (about 1,000 rows"), std::string::npos) << f[1].message;
}

TEST(Lint, AnEnumValueUsedInTheTransactionThatAddedIt) {
  Table mood = missing("public.mood");
  mood.exists = true;
  Action add = act(Op::add_enum_value, mood);
  add.label = "happy";
  // Same revision: fails under upgrade() and under run().
  for (bool per_revision : {false, true}) {
    auto f = run({rev("r1", {stmt(1, {add}), stmt(2, {}, {"happy"})})}, per_revision);
    ASSERT_EQ(f.size(), 1u);
    EXPECT_EQ(f[0].rule, "enum-value-in-transaction");
    EXPECT_EQ(f[0].severity, Severity::error);
    EXPECT_EQ(f[0].statement, 2);
  }
  // A later revision: fails under upgrade(), works under run().
  std::vector<Revision> plan = {rev("r1", {stmt(1, {add})}), rev("r2", {stmt(1, {}, {"happy"})})};
  EXPECT_EQ(run(plan).size(), 1u);
  EXPECT_TRUE(run(plan, true).empty());
  // Another literal: nothing.
  EXPECT_TRUE(run({rev("r1", {stmt(1, {add}), stmt(2, {}, {"sad"})})}).empty());
  // A non-transactional revision commits each statement.
  EXPECT_TRUE(run({rev("r1", {stmt(1, {add}), stmt(2, {}, {"happy"})}, {}, false)}, true).empty());
}

TEST(Lint, ARevisionSilencesRulesForItselfOnly) {
  Action a = type_change(orders, true);
  auto f = run({rev("r1", {stmt(1, {a})}, {"table-rewrite"}), rev("r2", {stmt(1, {a})})});
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].revision, "r2");
  // Silencing one rule leaves the others.
  Action index = act(Op::create_index, orders);
  f = run({rev("r1", {stmt(1, {a, index})}, {"table-rewrite"})});
  EXPECT_EQ(rules_of(f), std::vector<std::string>{"index-not-concurrent"});
}

TEST(Lint, SyntaxErrorsAndUnanalyzedStatements) {
  Revision broken = rev("r1", {});
  broken.syntax_error = "syntax error at or near \"SELEC\"";
  broken.syntax_error_line = 3;
  Statement odd = stmt(1, {});
  odd.error = "function nosuch() does not exist";
  auto f = run({broken, rev("r2", {odd})});
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[0].rule, "syntax-error");
  EXPECT_EQ(f[0].severity, Severity::error);
  EXPECT_EQ(f[0].line, 3);
  EXPECT_EQ(f[0].statement, 0);
  EXPECT_EQ(f[1].rule, "not-analyzed");
  EXPECT_EQ(f[1].severity, Severity::warning);
}

TEST(Lint, TheIgnoreListNamesKnownRules) {
  EXPECT_NO_THROW(check_ignore_list("r1", {"table-rewrite", "drop-column"}));
  auto e = test::catch_error([] { check_ignore_list("r1", {"table-rewrites"}); });
  ASSERT_TRUE(e);
  EXPECT_STREQ(e->sqlstate(), sqlstate::invalid_parameter_value);
  EXPECT_NE(std::string(e->what()).find("unknown rule \"table-rewrites\""), std::string::npos);
  EXPECT_NE(e->detail().find("index-not-concurrent"), std::string::npos);
  EXPECT_THROW(check_ignore_list("r1", {"cluster", "cluster"}), Error);
  for (const auto &r : rules())
    EXPECT_TRUE(is_rule(r.name));
}

TEST(Lint, SizesPrintAsPgSizePrettyDoes) {
  EXPECT_EQ(pretty_size(0), "0 bytes");
  EXPECT_EQ(pretty_size(8192), "8192 bytes");
  EXPECT_EQ(pretty_size(10 * 1024), "10 kB");
  EXPECT_EQ(pretty_size(49152), "48 kB");
  EXPECT_EQ(pretty_size(800LL * 1024 * 1024), "800 MB");
  EXPECT_EQ(pretty_size(20LL * 1024 * 1024 * 1024), "20 GB");
}

} // namespace
} // namespace migrate::lint
