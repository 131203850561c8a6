#include "core/revision_directory.hpp"
#include "core/revision_file.hpp"

#include "test_support.hpp"

#include <gtest/gtest.h>

namespace migrate {
namespace {

using test::catch_error;
using test::Strings;

RevisionFile parse(const std::string &text) {
  return parse_revision_file("versions/x.sql", text);
}

// The refusal of `text`: its line and message.
std::optional<RevisionFileError> refusal(const std::string &text) {
  return catch_error<RevisionFileError>([&] { parse(text); });
}

void expect_refusal(const std::string &text, std::size_t line, const std::string &message_part) {
  auto e = refusal(text);
  ASSERT_TRUE(e) << text;
  EXPECT_EQ(e->file(), "versions/x.sql");
  EXPECT_EQ(e->line(), line) << e->what();
  EXPECT_NE(e->message().find(message_part), std::string::npos) << "message: " << e->message();
  EXPECT_EQ(std::string(e->what()), "versions/x.sql:" + std::to_string(line) + ": " + e->message());
}

const std::string minimal = "-- revision: a1\n\n-- migrate:upgrade\nCREATE TABLE t (id int);\n";

TEST(RevisionFile, ReadsAMinimalFile) {
  auto f = parse(minimal);
  EXPECT_EQ(f.path, "versions/x.sql");
  EXPECT_EQ(f.content.graph.id, "a1");
  EXPECT_TRUE(f.content.graph.down_revisions.empty());
  EXPECT_EQ(f.content.graph.message, "");
  EXPECT_EQ(f.content.upgrade_sql, "CREATE TABLE t (id int);");
  EXPECT_FALSE(f.content.downgrade_sql) << "no downgrade section: irreversible";
  EXPECT_TRUE(f.content.transactional);
  EXPECT_FALSE(f.content.lock_timeout_ms);
  EXPECT_TRUE(f.backfills.empty());
  EXPECT_EQ(f.lines.revision, 1u);
  EXPECT_EQ(f.lines.upgrade, 3u);
}

TEST(RevisionFile, ReadsEveryHeader) {
  auto f = parse("-- revision: 20260221_01_add_users\n"
                 "-- revises: 20260215_02_analytics, 9b2a6f9e5c1d\n"
                 "--message:   add users, and more  \n"
                 "-- branch-labels: users,accounts\n"
                 "-- depends-on: analytics\n"
                 "-- transactional: false\n"
                 "-- requires-backfills: fill_a, fill_b\n"
                 "-- lock-timeout: 2s\n"
                 "-- statement-timeout: 5min\n"
                 "\n"
                 "-- migrate:upgrade\n"
                 "CREATE INDEX CONCURRENTLY i ON t (a);\n"
                 "-- migrate:downgrade\n"
                 "DROP INDEX CONCURRENTLY i;\n");
  const auto &g = f.content.graph;
  EXPECT_EQ(g.id, "20260221_01_add_users");
  EXPECT_EQ(g.down_revisions, (Strings{"20260215_02_analytics", "9b2a6f9e5c1d"}));
  EXPECT_EQ(g.message, "add users, and more");
  EXPECT_EQ(g.branch_labels, (Strings{"users", "accounts"}));
  EXPECT_EQ(g.depends_on, (Strings{"analytics"}));
  EXPECT_FALSE(f.content.transactional);
  EXPECT_EQ(f.content.requires_backfills, (Strings{"fill_a", "fill_b"}));
  EXPECT_EQ(f.content.lock_timeout_ms, 2000);
  EXPECT_EQ(f.content.statement_timeout_ms, 300000);
  EXPECT_EQ(f.content.downgrade_sql, "DROP INDEX CONCURRENTLY i;");
  EXPECT_EQ(f.lines.revises, 2u);
  EXPECT_EQ(f.lines.branch_labels, 4u);
  EXPECT_EQ(f.lines.depends_on, 5u);
  EXPECT_EQ(f.lines.requires_backfills, 7u);
  EXPECT_EQ(f.lines.downgrade, 13u);
}

TEST(RevisionFile, EmptyRevisesIsABase) {
  auto f = parse("-- revision: a1\n-- revises:\n-- migrate:upgrade\nSELECT 1;\n");
  EXPECT_TRUE(f.content.graph.down_revisions.empty());
}

TEST(RevisionFile, EmptyDowngradeSectionIsANoOp) {
  auto f = parse(minimal + "-- migrate:downgrade\n\n\n");
  ASSERT_TRUE(f.content.downgrade_sql);
  EXPECT_EQ(*f.content.downgrade_sql, "");
}

TEST(RevisionFile, BodiesLoseBlankEdgesAndCarriageReturnsOnly) {
  auto f = parse("-- revision: a1\r\n\r\n-- migrate:upgrade\r\n\r\n  \r\nCREATE TABLE t (\r\n\r\n  id int  \r\n);\r\n"
                 "\t\r\n-- migrate:downgrade\nDROP TABLE t;");
  EXPECT_EQ(f.content.upgrade_sql, "CREATE TABLE t (\n\n  id int  \n);");
  EXPECT_EQ(f.content.downgrade_sql, "DROP TABLE t;");
}

TEST(RevisionFile, SectionsMayComeInAnyOrderAndHoldComments) {
  auto f = parse("-- revision: a1\n-- migrate:downgrade\nDROP TABLE t;\n-- migrate:upgrade\n-- note: a comment\n"
                 "CREATE TABLE t ();\n");
  EXPECT_EQ(f.content.upgrade_sql, "-- note: a comment\nCREATE TABLE t ();");
  EXPECT_EQ(f.content.downgrade_sql, "DROP TABLE t;");
}

TEST(RevisionFile, AMergeMayHaveAnEmptyUpgrade) {
  auto f = parse("-- revision: m1\n-- revises: a1, b1\n-- migrate:upgrade\n-- migrate:downgrade\n");
  EXPECT_EQ(f.content.upgrade_sql, "");
  EXPECT_EQ(f.content.downgrade_sql, "");
}

TEST(RevisionFile, ReadsBackfillsWithTheirOptions) {
  auto f = parse(minimal + "-- migrate:backfill fill_kind\n"
                           "-- pause: 100ms\n"
                           "\n"
                           "-- max-batches: 50\n"
                           "-- max-duration: 1min\n"
                           "-- batches of 1000 rows\n"
                           "UPDATE t SET kind = 'x' WHERE id IN (SELECT id FROM t WHERE kind IS NULL LIMIT 1000) "
                           "RETURNING id;\n"
                           "-- migrate:backfill second\n"
                           "UPDATE t SET a = 1 WHERE false;\n");
  ASSERT_EQ(f.backfills.size(), 2u);
  const auto &b = f.backfills[0];
  EXPECT_EQ(b.name, "fill_kind");
  EXPECT_EQ(b.revision, "a1");
  EXPECT_EQ(b.limits.pause_us, 100000);
  EXPECT_EQ(b.limits.max_batches, 50);
  EXPECT_EQ(b.limits.max_duration_us, 60000000);
  EXPECT_EQ(b.batch_sql.substr(0, 22), "-- batches of 1000 row");
  EXPECT_EQ(f.backfills[1].limits.pause_us, 0);
  EXPECT_FALSE(f.backfills[1].limits.max_batches);
  EXPECT_FALSE(f.backfills[1].limits.max_duration_us);
  EXPECT_EQ(f.lines.backfills, (std::vector<std::size_t>{5, 12}));
}

TEST(RevisionFile, TheChecksumCoversWhatRegistrationWould) {
  // The same revision registered by hand: migrate.revision('a1', '{}', 'CREATE TABLE t (id int);').
  RevisionContent by_hand;
  by_hand.graph.id = "a1";
  by_hand.upgrade_sql = "CREATE TABLE t (id int);";
  EXPECT_EQ(canonical_form(parse(minimal).content), canonical_form(by_hand));
  // Timeouts are no content; the downgrade is.
  auto tuned = parse("-- revision: a1\n-- lock-timeout: 1s\n-- migrate:upgrade\nCREATE TABLE t (id int);\n");
  EXPECT_EQ(canonical_form(tuned.content), canonical_form(by_hand));
  EXPECT_NE(canonical_form(parse(minimal + "-- migrate:downgrade\n").content), canonical_form(by_hand));
}

TEST(RevisionFile, LintIgnoreIsAListOfRulesOutsideTheChecksum) {
  auto f = parse("-- revision: a1\n-- lint-ignore: table-rewrite,  drop-column\n\n-- migrate:upgrade\n"
                 "ALTER TABLE t ALTER c TYPE bigint;\n");
  EXPECT_EQ(f.content.lint_ignore, (Strings{"table-rewrite", "drop-column"}));
  EXPECT_EQ(f.lines.lint_ignore, 2u);
  EXPECT_EQ(canonical_form(f.content),
            canonical_form(parse("-- revision: a1\n-- migrate:upgrade\nALTER TABLE t ALTER c TYPE bigint;\n").content))
      << "silencing a rule changes nothing the revision does";
  auto empty = parse("-- revision: a1\n-- lint-ignore:\n-- migrate:upgrade\nSELECT 1;\n");
  EXPECT_TRUE(empty.content.lint_ignore.empty()) << "an empty list silences nothing";
  EXPECT_EQ(parse(minimal).lines.lint_ignore, 0u);
}

TEST(RevisionFile, UpgradeBodyIsTheLineWhereTheUpgradeSqlStarts) {
  // Line N of upgrade_sql is line upgrade_body + N - 1 of the file (lint findings).
  auto f = parse("-- revision: a1\n\n-- migrate:upgrade\n\n\nCREATE TABLE t (id int);\nSELECT 1;\n");
  EXPECT_EQ(f.lines.upgrade_body, 6u);
  EXPECT_EQ(f.content.upgrade_sql.substr(0, 6), "CREATE");
  EXPECT_EQ(parse(minimal).lines.upgrade_body, 4u);
  auto merge = parse("-- revision: m1\n-- revises: a1, b1\n-- migrate:upgrade\n\n-- migrate:downgrade\n");
  EXPECT_EQ(merge.lines.upgrade_body, 0u) << "no SQL";
}

TEST(RevisionFileRefusal, LintIgnore) {
  auto e = refusal("-- revision: a1\n-- lint-ignore: table-rewrite, no-such-rule\n-- migrate:upgrade\nSELECT 1;\n");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->line(), 2u);
  EXPECT_EQ(e->message(), "lint-ignore: unknown rule \"no-such-rule\"");
  EXPECT_NE(e->detail().find("Known rules: table-rewrite, index-not-concurrent"), std::string::npos) << e->detail();
  EXPECT_NE(e->detail().find("drop-column"), std::string::npos) << e->detail();
  expect_refusal("-- revision: a1\n-- lint-ignore: drop-table, drop-table\n-- migrate:upgrade\nSELECT 1;\n", 2,
                 "drop-table");
  expect_refusal(
      "-- revision: a1\n-- lint-ignore: drop-table\n-- lint-ignore: cluster\n-- migrate:upgrade\nSELECT 1;\n", 3,
      "duplicate header \"lint-ignore\"");
  expect_refusal("-- revision: a1\n-- lint-ignore: drop-table,\n-- migrate:upgrade\nSELECT 1;\n", 2, "malformed list");
  expect_refusal("-- revision: a1\n-- lint-ignore: Table-Rewrite\n-- migrate:upgrade\nSELECT 1;\n", 2, "unknown rule");
}

TEST(RevisionFileRefusal, MissingRevisionHeader) {
  expect_refusal("-- message: hi\n\n-- migrate:upgrade\nSELECT 1;\n", 3, "no \"-- revision:\" header");
  expect_refusal("", 1, "no \"-- revision:\" header");
  expect_refusal("-- message: hi\n", 1, "no \"-- revision:\" header");
}

TEST(RevisionFileRefusal, UnknownHeader) {
  expect_refusal("-- revision: a1\n-- author: me\n-- migrate:upgrade\nSELECT 1;\n", 2, "unknown header \"author\"");
  expect_refusal("-- Revision: a1\n-- migrate:upgrade\nSELECT 1;\n", 1, "unknown header \"Revision\"");
  auto e = refusal("-- revision: a1\n-- lock_timeout: 1s\n-- migrate:upgrade\nSELECT 1;\n");
  ASSERT_TRUE(e);
  EXPECT_NE(e->hint().find("lock-timeout"), std::string::npos) << "the hint lists the known headers";
}

TEST(RevisionFileRefusal, DuplicateHeader) {
  auto e = refusal("-- revision: a1\n-- message: x\n\n-- message: y\n-- migrate:upgrade\nSELECT 1;\n");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->line(), 4u);
  EXPECT_EQ(e->message(), "duplicate header \"message\"");
  EXPECT_EQ(e->detail(), "It is already given on line 2.");
  expect_refusal("-- revision: a1\n-- revision: a1\n-- migrate:upgrade\nSELECT 1;\n", 2, "duplicate header");
}

TEST(RevisionFileRefusal, TextBeforeTheFirstSection) {
  expect_refusal("-- revision: a1\n-- just a comment\n-- migrate:upgrade\nSELECT 1;\n", 2, "expected a header line");
  expect_refusal("-- revision: a1\nCREATE TABLE t ();\n-- migrate:upgrade\nSELECT 1;\n", 2, "expected a header line");
  expect_refusal("-- revision: a1\n--\n-- migrate:upgrade\nSELECT 1;\n", 2, "expected a header line");
}

TEST(RevisionFileRefusal, MalformedLists) {
  for (const char *value : {"a1,,b1", "a1,", ",a1", " , "})
    expect_refusal(std::string("-- revision: c1\n-- revises: ") + value + "\n-- migrate:upgrade\nSELECT 1;\n", 2,
                   "malformed list");
  expect_refusal("-- revision: c1\n-- revises: a1 b1\n-- migrate:upgrade\nSELECT 1;\n", 2,
                 "invalid revision id \"a1 b1\"");
  expect_refusal("-- revision: c1\n-- revises: a1, a1\n-- migrate:upgrade\nSELECT 1;\n", 2, "more than once");
  expect_refusal("-- revision: c1\n-- depends-on: x-y\n-- migrate:upgrade\nSELECT 1;\n", 2, "invalid revision id");
  expect_refusal("-- revision: c1\n-- branch-labels: head\n-- migrate:upgrade\nSELECT 1;\n", 2, "reserved word");
  expect_refusal("-- revision: c1\n-- requires-backfills: fill x\n-- migrate:upgrade\nSELECT 1;\n", 2,
                 "invalid backfill name");
}

TEST(RevisionFileRefusal, InvalidIds) {
  expect_refusal("-- revision: a-1\n-- migrate:upgrade\nSELECT 1;\n", 1, "invalid revision id \"a-1\"");
  expect_refusal("-- revision:\n-- migrate:upgrade\nSELECT 1;\n", 1, "revision id must not be empty");
  expect_refusal("-- revision: base\n-- migrate:upgrade\nSELECT 1;\n", 1, "reserved word");
  expect_refusal("-- revision: " + std::string(129, 'a') + "\n-- migrate:upgrade\nSELECT 1;\n", 1,
                 "invalid revision id");
}

TEST(RevisionFileRefusal, SelfReferences) {
  expect_refusal("-- revision: a1\n-- message: m\n-- revises: a1\n-- migrate:upgrade\nSELECT 1;\n", 3,
                 "revises itself");
  expect_refusal("-- revision: a1\n-- depends-on: a1\n-- migrate:upgrade\nSELECT 1;\n", 2, "depends on itself");
  expect_refusal("-- revision: a1\n-- branch-labels: a1\n-- migrate:upgrade\nSELECT 1;\n", 2, "own id");
}

TEST(RevisionFileRefusal, Transactional) {
  expect_refusal("-- revision: a1\n-- transactional: no\n-- migrate:upgrade\nSELECT 1;\n", 2, "neither true nor false");
  expect_refusal("-- revision: a1\n-- transactional:\n-- migrate:upgrade\nSELECT 1;\n", 2, "neither true nor false");
}

TEST(RevisionFileRefusal, Durations) {
  for (const char *value : {"2 seconds", "1.5s", "-1s", "2", "s", "99999999999ms", "25d", "2S", ""})
    expect_refusal(std::string("-- revision: a1\n-- lock-timeout: ") + value + "\n-- migrate:upgrade\nSELECT 1;\n", 2,
                   "is not a duration");
  expect_refusal("-- revision: a1\n-- statement-timeout: 1y\n-- migrate:upgrade\nSELECT 1;\n", 2,
                 "statement-timeout: \"1y\" is not a duration");
}

TEST(RevisionFileRefusal, Sections) {
  expect_refusal(minimal + "-- migrate:upgrade\nSELECT 2;\n", 5, "duplicate section \"upgrade\"");
  expect_refusal(minimal + "-- migrate:downgrade\n-- migrate:downgrade\n", 6, "duplicate section \"downgrade\"");
  expect_refusal(minimal + "-- migrate:downgrade now\nSELECT 1;\n", 5, "takes no argument");
  expect_refusal(minimal + "-- migrate:sideways\n", 5, "unknown section \"sideways\"");
  expect_refusal(minimal + "SELECT $$\n-- migrate: inside a string\n$$;\n", 6, "unknown section \"inside\"");
  expect_refusal("-- revision: a1\n-- migrate:downgrade\nSELECT 1;\n", 3, "no \"-- migrate:upgrade\" section");
  expect_refusal("-- revision: a1\n", 1, "no \"-- migrate:upgrade\" section");
  expect_refusal("-- revision: a1\n-- revises: b1\n-- migrate:upgrade\n\n-- migrate:downgrade\nSELECT 1;\n", 3,
                 "upgrade section of revision a1 is empty");
}

TEST(RevisionFile, AFreshFileMayBeReadForBrowsing) {
  const std::string fresh = "-- revision: a1\n-- revises: b1\n-- migrate:upgrade\n\n-- migrate:downgrade\n";
  expect_refusal(fresh, 3, "upgrade section of revision a1 is empty");
  auto f = parse_revision_file("versions/x.sql", fresh, RevisionFileOptions{true});
  EXPECT_EQ(f.content.upgrade_sql, "");
}

TEST(RevisionFileRefusal, Backfills) {
  const std::string head = minimal;
  expect_refusal(head + "-- migrate:backfill\nUPDATE t SET a = 1;\n", 5, "needs a name");
  expect_refusal(head + "-- migrate:backfill fill-x\nUPDATE t SET a = 1;\n", 5, "invalid backfill name");
  expect_refusal(head + "-- migrate:backfill f\nUPDATE t SET a = 1;\n-- migrate:backfill f\nUPDATE t SET a = 2;\n", 7,
                 "duplicate section \"backfill f\"");
  expect_refusal(head + "-- migrate:backfill f\n-- batch-size: 10\nUPDATE t SET a = 1;\n", 6,
                 "unknown option \"batch-size\" of backfill f");
  expect_refusal(head + "-- migrate:backfill f\n-- pause: 1s\n-- pause: 2s\nUPDATE t SET a = 1;\n", 7,
                 "duplicate option \"pause\"");
  // 2222222222222222222: libFuzzer (UBSan) found the digits multiplied past int64 before the length check.
  for (const char *n : {"0", "-1", "ten", "2147483648", "99999999999", "2222222222222222222"})
    expect_refusal(head + "-- migrate:backfill f\n-- max-batches: " + n + "\nUPDATE t SET a = 1;\n", 6,
                   "is not a whole number");
  expect_refusal(head + "-- migrate:backfill f\n-- max-duration: 0\nUPDATE t SET a = 1;\n", 6, "must be positive");
  expect_refusal(head + "-- migrate:backfill f\n-- pause: soon\nUPDATE t SET a = 1;\n", 6, "not a duration");
  expect_refusal(head + "-- migrate:backfill f\n-- pause: 1s\n\n", 5, "has no batch SQL");
  expect_refusal("-- revision: a1\n-- requires-backfills: f\n-- migrate:upgrade\nSELECT 1;\n"
                 "-- migrate:backfill f\nUPDATE t SET a = 1;\n",
                 2, "requires its own backfill f");
}

TEST(RevisionFileRefusal, BytesThatAreNotText) {
  const char with_nul[] = "-- revision: a1\n-- migrate:upgrade\nSELECT '\0';\n";
  expect_refusal(std::string(with_nul, sizeof with_nul - 1), 3, "NUL byte");
  expect_refusal("-- revision: a1\n-- message: caf\xc3\n-- migrate:upgrade\nSELECT 1;\n", 2,
                 "invalid UTF-8 at byte 16");
  expect_refusal("-- revision: a1\n-- migrate:upgrade\nSELECT '\xed\xa0\x80';\n", 3, "invalid UTF-8"); // a surrogate
  expect_refusal("-- revision: a1\n-- migrate:upgrade\nSELECT '\xc0\xaf';\n", 3, "invalid UTF-8");     // overlong
  EXPECT_EQ(parse("-- revision: a1\n-- message: café ☕ \xf0\x9f\x90\x98\n-- migrate:upgrade\nSELECT 1;\n")
                .content.graph.message,
            "café ☕ \xf0\x9f\x90\x98");
}

TEST(RevisionFileRefusal, ALoneCarriageReturnInAHeader) {
  expect_refusal("-- revision: a1\n-- message: hi\r-- revises: b\n-- migrate:upgrade\nSELECT 1;\n", 2,
                 "a carriage return inside header \"message\"");
}

TEST(RevisionFileRefusal, QuotesAtMost200BytesOfUserText) {
  auto e = refusal("-- revision: a1\n-- " + std::string(5000, 'k') + ": v\n-- migrate:upgrade\nSELECT 1;\n");
  ASSERT_TRUE(e);
  EXPECT_LT(e->message().size(), 260u);
}

TEST(RevisionFileRender, WritesTheCanonicalForm) {
  RevisionContent c;
  c.graph = test::rev("b2", {"a1"}, {}, {}, "add users");
  c.upgrade_sql = "CREATE TABLE users (id bigint PRIMARY KEY);";
  c.downgrade_sql = "DROP TABLE users;";
  EXPECT_EQ(render_revision_file(c, {}), "-- revision: b2\n"
                                         "-- revises: a1\n"
                                         "-- message: add users\n"
                                         "\n"
                                         "-- migrate:upgrade\n"
                                         "CREATE TABLE users (id bigint PRIMARY KEY);\n"
                                         "\n"
                                         "-- migrate:downgrade\n"
                                         "DROP TABLE users;\n");
}

TEST(RevisionFileRender, ReadsBackAsTheSameRevision) {
  RevisionContent c;
  c.graph = test::rev("c3", {"a1", "b2"}, {"core", "api"}, {"x9"}, "merge, and more");
  c.upgrade_sql = "ALTER TABLE t ADD c int;\n\n-- a comment\nSELECT 1;";
  c.downgrade_sql = "";
  c.transactional = false;
  c.requires_backfills = {"old_fill"};
  c.lock_timeout_ms = 1500;
  c.statement_timeout_ms = 0;
  c.lint_ignore = {"table-rewrite", "drop-column"};
  BackfillSpec b{"fill_c", "c3", "UPDATE t SET c = 1 WHERE c IS NULL;", {250000, 10, 120000000}};
  BackfillSpec plain{"fill_d", "c3", "-- no options\nUPDATE t SET d = 1;", {}};
  auto text = render_revision_file(c, {b, plain});
  auto f = parse(text);
  EXPECT_EQ(canonical_form(f.content), canonical_form(c));
  EXPECT_EQ(f.content.lock_timeout_ms, 1500);
  EXPECT_EQ(f.content.statement_timeout_ms, 0);
  EXPECT_EQ(f.content.lint_ignore, c.lint_ignore);
  ASSERT_EQ(f.backfills.size(), 2u);
  EXPECT_EQ(backfill_canonical_form(f.backfills[0]), backfill_canonical_form(b));
  EXPECT_EQ(f.backfills[0].limits.pause_us, 250000);
  EXPECT_EQ(f.backfills[0].limits.max_batches, 10);
  EXPECT_EQ(f.backfills[0].limits.max_duration_us, 120000000);
  EXPECT_EQ(f.backfills[1].batch_sql, plain.batch_sql);
  EXPECT_EQ(render_revision_file(f.content, f.backfills), text);
}

TEST(RevisionFileRender, RefusesWhatAFileCannotHold) {
  RevisionContent c;
  c.graph = test::rev("a1", {}, {}, {}, "two\nlines");
  c.upgrade_sql = "SELECT 1;";
  EXPECT_TRUE(catch_error([&] { render_revision_file(c, {}); }));
  c.graph.message = " padded";
  EXPECT_TRUE(catch_error([&] { render_revision_file(c, {}); }));
  c.graph.message = "ok";
  c.upgrade_sql = "SELECT 1;\n-- migrate:downgrade\nSELECT 2;";
  auto e = catch_error([&] { render_revision_file(c, {}); });
  ASSERT_TRUE(e);
  EXPECT_NE(std::string(e->what()).find("section marker"), std::string::npos);
  c.upgrade_sql = "\nSELECT 1;";
  EXPECT_TRUE(catch_error([&] { render_revision_file(c, {}); }));
  c.upgrade_sql = "SELECT 1;";
  EXPECT_TRUE(catch_error([&] { render_revision_file(c, {{"f", "a1", "-- pause: 1s\nUPDATE t SET a = 1;", {}}}); }));
  EXPECT_TRUE(catch_error([&] { render_revision_file(c, {{"f", "a1", "UPDATE t SET a = 1;", {1500, {}, {}}}}); }));
  EXPECT_TRUE(catch_error([&] { render_revision_file(c, {{"f", "zz", "UPDATE t SET a = 1;", {}}}); }));
  c.upgrade_sql = "";
  EXPECT_TRUE(catch_error([&] { render_revision_file(c, {}); })) << "empty upgrade SQL outside a merge";
}

TEST(Durations, ParseAndFormat) {
  EXPECT_EQ(parse_duration_ms("500ms"), 500);
  EXPECT_EQ(parse_duration_ms("2s"), 2000);
  EXPECT_EQ(parse_duration_ms("2 s"), 2000);
  EXPECT_EQ(parse_duration_ms("5min"), 300000);
  EXPECT_EQ(parse_duration_ms("1h"), 3600000);
  EXPECT_EQ(parse_duration_ms("24d"), 2073600000);
  EXPECT_EQ(parse_duration_ms("0"), 0);
  EXPECT_EQ(parse_duration_ms("2147483647ms"), 2147483647);
  EXPECT_FALSE(parse_duration_ms("2147483648ms"));
  EXPECT_FALSE(parse_duration_ms("25d"));
  EXPECT_FALSE(parse_duration_ms("1"));
  EXPECT_FALSE(parse_duration_ms("1m")) << "m is ambiguous: minutes or months";
  for (std::int64_t ms : {0, 1, 999, 1000, 1500, 60000, 90000, 3600000, 86400000, 2147483647})
    EXPECT_EQ(parse_duration_ms(format_duration_ms(ms)), ms) << format_duration_ms(ms);
  EXPECT_EQ(format_duration_ms(300000), "5min");
  EXPECT_EQ(format_duration_ms(1500), "1500ms");
}

TEST(Naming, SlugsAndFileNames) {
  EXPECT_EQ(revision_slug("Add users, and e-mail!"), "add_users_and_e_mail");
  EXPECT_EQ(revision_slug("  café  "), "caf");
  EXPECT_EQ(revision_slug("???"), "");
  EXPECT_EQ(revision_slug("already_snake_case"), "already_snake_case");
  auto long_slug = revision_slug("one two three four five six seven eight nine ten");
  EXPECT_LE(long_slug.size(), 40u);
  EXPECT_EQ(long_slug, "one_two_three_four_five_six_seven_eight");
  EXPECT_EQ(revision_file_name("ae1027a6acf0", "add_users"), "ae1027a6acf0_add_users.sql");
  EXPECT_EQ(revision_file_name("20260221_01_add_users", "add_users"), "20260221_01_add_users.sql");
  EXPECT_EQ(revision_file_name("ae1027a6acf0", ""), "ae1027a6acf0.sql");
}

TEST(Naming, DateIds) {
  EXPECT_EQ(next_date_id("20260221", "add_users", {}), "20260221_01_add_users");
  EXPECT_EQ(next_date_id("20260221", "x", {"20260221_01_a", "20260221_07_b", "20260222_30_c", "ae10"}),
            "20260221_08_x");
  EXPECT_EQ(next_date_id("20260221", "", {"20260221_99"}), "20260221_100");
  EXPECT_EQ(next_date_id("20260221", "x", {"20260221_3x_a"}), "20260221_01_x") << "not a number of that day";
}

// --- a directory -------------------------------------------------------------

std::string file_text(const std::string &id, const std::string &revises, const std::string &extra = {}) {
  return "-- revision: " + id + "\n-- revises: " + revises + "\n" + extra + "\n-- migrate:upgrade\nSELECT 1;\n";
}

std::optional<RevisionFileErrors> directory_refusal(std::vector<SourceFile> files) {
  return catch_error<RevisionFileErrors>([&] { RevisionDirectory d(std::move(files)); });
}

TEST(RevisionDirectory, OrdersParentsFirstThenByPath) {
  RevisionDirectory d({{"v/c.sql", file_text("c1", "b1")},
                       {"v/a.sql", file_text("a1", "b1")},
                       {"v/b.sql", file_text("b1", "")},
                       {"v/d.sql", file_text("d1", "", "-- depends-on: lbl\n")},
                       {"v/e.sql", file_text("e1", "", "-- branch-labels: lbl\n")}});
  EXPECT_EQ(d.ids(), (Strings{"b1", "a1", "c1", "e1", "d1"}));
  EXPECT_EQ(d.graph().size(), 5u);
  EXPECT_EQ(d.file(0).path, "v/b.sql");
  EXPECT_EQ(d.graph().id(0), "b1");
  ASSERT_TRUE(d.find("d1"));
  EXPECT_EQ(d.find("d1")->path, "v/d.sql");
  EXPECT_FALSE(d.find("zz"));
  EXPECT_EQ(test::id_set(d.graph(), d.graph().heads()), (test::IdSet{"a1", "c1", "d1", "e1"}));
}

TEST(RevisionDirectory, EmptyIsFine) {
  RevisionDirectory d({});
  EXPECT_EQ(d.graph().size(), 0u);
}

TEST(RevisionDirectory, RefusesDuplicateIds) {
  auto e = directory_refusal({{"v/b.sql", file_text("a1", "")}, {"v/a.sql", file_text("a1", "")}});
  ASSERT_TRUE(e);
  ASSERT_EQ(e->errors().size(), 1u);
  const auto &err = e->errors()[0];
  EXPECT_EQ(err.file(), "v/b.sql") << "the second by path";
  EXPECT_EQ(err.line(), 1u);
  EXPECT_EQ(err.message(), "revision a1 is defined twice");
  EXPECT_EQ(err.detail(), "It is also defined at v/a.sql:1.");
}

TEST(RevisionDirectory, RefusesUnknownParentsAndDependencies) {
  auto e = directory_refusal({{"v/a.sql", file_text("a1", "zz")},
                              {"v/b.sql", file_text("b1", "", "-- message: m\n-- depends-on: nowhere\n")}});
  ASSERT_TRUE(e);
  ASSERT_EQ(e->errors().size(), 2u);
  EXPECT_EQ(e->errors()[0].file(), "v/a.sql");
  EXPECT_EQ(e->errors()[0].line(), 2u);
  EXPECT_EQ(e->errors()[0].message(), "revision a1 has unknown parent \"zz\"");
  EXPECT_EQ(e->errors()[1].file(), "v/b.sql");
  EXPECT_EQ(e->errors()[1].line(), 4u);
  EXPECT_NE(e->errors()[1].message().find("unknown revision or branch label \"nowhere\""), std::string::npos);
}

TEST(RevisionDirectory, RefusesLabelClashes) {
  auto e = directory_refusal({{"v/a.sql", file_text("a1", "", "-- branch-labels: core\n")},
                              {"v/b.sql", file_text("b1", "", "-- branch-labels: core\n")},
                              {"v/c.sql", file_text("c1", "", "-- branch-labels: a1\n")}});
  ASSERT_TRUE(e);
  ASSERT_EQ(e->errors().size(), 2u);
  EXPECT_EQ(e->errors()[0].file(), "v/b.sql");
  EXPECT_EQ(e->errors()[0].line(), 3u);
  EXPECT_EQ(e->errors()[0].message(), "Branch name 'core' in revision b1 already used by revision a1");
  EXPECT_EQ(e->errors()[1].file(), "v/c.sql");
  EXPECT_NE(e->errors()[1].message().find("is also a revision id"), std::string::npos);
}

TEST(RevisionDirectory, RefusesBackfillClashesAndUnknownGates) {
  auto e = directory_refusal({{"v/a.sql", file_text("a1", "") + "-- migrate:backfill f\nUPDATE t SET a = 1;\n"},
                              {"v/b.sql", file_text("b1", "a1") + "-- migrate:backfill f\nUPDATE t SET a = 2;\n"},
                              {"v/c.sql", file_text("c1", "b1", "-- requires-backfills: f, g\n")}});
  ASSERT_TRUE(e);
  ASSERT_EQ(e->errors().size(), 2u);
  EXPECT_EQ(e->errors()[0].file(), "v/b.sql");
  EXPECT_EQ(e->errors()[0].line(), 6u);
  EXPECT_EQ(e->errors()[0].detail(), "It is also defined at v/a.sql:6.");
  EXPECT_EQ(e->errors()[1].file(), "v/c.sql");
  EXPECT_EQ(e->errors()[1].line(), 3u);
  EXPECT_EQ(e->errors()[1].message(), "revision c1 requires backfill g, which no file defines");
}

TEST(RevisionDirectory, RefusesCyclesAtAFileOnTheCycle) {
  auto e = directory_refusal({{"v/0.sql", file_text("z1", "c1")}, // builds on the cycle, is not on it
                              {"v/a.sql", file_text("a1", "b1")},
                              {"v/b.sql", file_text("b1", "c1")},
                              {"v/c.sql", file_text("c1", "a1")}});
  ASSERT_TRUE(e);
  ASSERT_EQ(e->errors().size(), 1u);
  EXPECT_EQ(e->errors()[0].file(), "v/a.sql");
  EXPECT_EQ(e->errors()[0].line(), 2u);
  EXPECT_NE(e->errors()[0].message().find("Cycle is detected"), std::string::npos) << e->errors()[0].message();
  auto d =
      directory_refusal({{"v/a.sql", file_text("a1", "", "-- depends-on: b1\n")}, {"v/b.sql", file_text("b1", "a1")}});
  ASSERT_TRUE(d);
  EXPECT_EQ(d->errors()[0].file(), "v/a.sql");
  EXPECT_EQ(d->errors()[0].line(), 3u) << "its depends-on line: it has no parents";
  EXPECT_NE(d->errors()[0].message().find("Dependency cycle"), std::string::npos) << d->errors()[0].message();
}

TEST(RevisionDirectory, ReportsEveryFileThatFailsToParse) {
  auto e = directory_refusal({{"v/a.sql", "-- revision: a1\n-- oops: 1\n"},
                              {"v/b.sql", file_text("b1", "")},
                              {"v/c.sql", "-- migrate:upgrade\nSELECT 1;\n"}});
  ASSERT_TRUE(e);
  ASSERT_EQ(e->errors().size(), 2u);
  EXPECT_EQ(std::string(e->errors()[0].what()), "v/a.sql:2: unknown header \"oops\"");
  EXPECT_EQ(e->errors()[1].file(), "v/c.sql");
  EXPECT_NE(std::string(e->what()).find("(and 1 more)"), std::string::npos);
}

TEST(RegistrationOrder, StopsShortOnACycle) {
  EXPECT_EQ(registration_order({test::rev("b", {"a"}), test::rev("a")}), (std::vector<std::size_t>{1, 0}));
  EXPECT_EQ(registration_order({test::rev("a", {"b"}), test::rev("b", {"a"}), test::rev("c")}).size(), 1u);
}

} // namespace
} // namespace migrate
