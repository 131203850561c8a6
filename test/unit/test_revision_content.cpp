#include "core/revision_content.hpp"

#include "test_support.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <set>

namespace migrate {
namespace {

using test::catch_error;
using test::rev;

RevisionContent content(RevisionInfo info, std::string upgrade = "CREATE TABLE t (id int)",
                        std::optional<std::string> downgrade = std::string("DROP TABLE t")) {
  RevisionContent c;
  c.graph = std::move(info);
  c.upgrade_sql = std::move(upgrade);
  c.downgrade_sql = std::move(downgrade);
  return c;
}

std::optional<Error> refusal(const RevisionContent &c) {
  try {
    check_content(c);
  } catch (const Error &e) {
    return e;
  }
  return std::nullopt;
}

TEST(CheckContent, AcceptsAnOrdinaryRevision) {
  EXPECT_NO_THROW(check_content(content(rev("ae1027a6acf", {"27c6a30d7c24"}, {"core"}, {"other"}, "add t"))));
  EXPECT_NO_THROW(check_content(content(rev("20260221_01_add_user_tables"))));
  EXPECT_NO_THROW(check_content(content(rev("a"), "SELECT 1", std::nullopt)));
  EXPECT_NO_THROW(check_content(content(rev(std::string(128, 'z')))));
}

TEST(CheckContent, RefusesAnEmptyId) {
  auto e = refusal(content(rev("")));
  ASSERT_TRUE(e);
  EXPECT_STREQ(e->sqlstate(), "22023");
  EXPECT_STREQ(e->what(), "revision id must not be empty");
}

TEST(CheckContent, RefusesBadCharactersInTheId) {
  for (const char *id : {"a-b", "a+1", "a@b", "with space", "semi;colon", "quote'", "dot.ted", "ünï"}) {
    auto e = refusal(content(rev(id)));
    ASSERT_TRUE(e) << id;
    EXPECT_STREQ(e->sqlstate(), "22023") << id;
    EXPECT_EQ(std::string(e->what()), std::string("invalid revision id \"") + id + "\"");
  }
}

TEST(CheckContent, RefusesA129CharacterId) {
  auto e = refusal(content(rev(std::string(129, 'a'))));
  ASSERT_TRUE(e);
  EXPECT_STREQ(e->sqlstate(), "22023");
}

TEST(CheckContent, RefusesReservedWords) {
  for (const char *word : {"head", "heads", "base", "current"}) {
    auto as_id = refusal(content(rev(word)));
    ASSERT_TRUE(as_id) << word;
    EXPECT_STREQ(as_id->sqlstate(), "22023");
    EXPECT_EQ(std::string(as_id->what()), std::string("revision id \"") + word + "\" is a reserved word");
    auto as_label = refusal(content(rev("a", {}, {word})));
    ASSERT_TRUE(as_label) << word;
    EXPECT_EQ(std::string(as_label->what()), std::string("branch label \"") + word + "\" is a reserved word");
  }
}

TEST(CheckContent, RefusesBadLabelsParentsAndDependencies) {
  auto label = refusal(content(rev("a", {}, {"my-label"})));
  ASSERT_TRUE(label);
  EXPECT_STREQ(label->what(), "invalid branch label \"my-label\"");
  auto empty_label = refusal(content(rev("a", {}, {""})));
  ASSERT_TRUE(empty_label);
  EXPECT_STREQ(empty_label->what(), "branch label must not be empty");
  auto parent = refusal(content(rev("a", {"p q"})));
  ASSERT_TRUE(parent);
  EXPECT_STREQ(parent->sqlstate(), "22023");
  EXPECT_STREQ(parent->what(), "invalid parent \"p q\" in down_revisions of a");
  auto empty_parent = refusal(content(rev("a", {""})));
  ASSERT_TRUE(empty_parent);
  EXPECT_STREQ(empty_parent->sqlstate(), "22023");
  auto dependency = refusal(content(rev("a", {}, {}, {"x@y"})));
  ASSERT_TRUE(dependency);
  EXPECT_STREQ(dependency->what(), "invalid entry \"x@y\" in depends_on of a");
}

TEST(CheckContent, RefusesSelfReferences) {
  auto loop = refusal(content(rev("a", {"a"})));
  ASSERT_TRUE(loop);
  EXPECT_STREQ(loop->sqlstate(), "42P19");
  EXPECT_STREQ(loop->what(), "Self-loop is detected in revisions (a)");
  auto dependency = refusal(content(rev("a", {}, {}, {"a"})));
  ASSERT_TRUE(dependency);
  EXPECT_STREQ(dependency->sqlstate(), "42P19");
  EXPECT_STREQ(dependency->what(), "Dependency self-loop is detected in revisions (a)");
  auto own_label = refusal(content(rev("a", {}, {"a"})));
  ASSERT_TRUE(own_label);
  EXPECT_STREQ(own_label->sqlstate(), "42710");
}

TEST(CheckContent, RefusesDuplicateArrayEntries) {
  auto parents = refusal(content(rev("m", {"a", "a"})));
  ASSERT_TRUE(parents);
  EXPECT_STREQ(parents->sqlstate(), "22023");
  EXPECT_STREQ(parents->what(), "down_revisions lists \"a\" more than once");
  auto deps = refusal(content(rev("m", {}, {}, {"x", "y", "x"})));
  ASSERT_TRUE(deps);
  EXPECT_STREQ(deps->what(), "depends_on lists \"x\" more than once");
  auto labels = refusal(content(rev("m", {}, {"l", "l"})));
  ASSERT_TRUE(labels);
  EXPECT_STREQ(labels->what(), "branch_labels lists \"l\" more than once");
  // The same name in two different lists is not a duplicate.
  EXPECT_FALSE(refusal(content(rev("m", {"a"}, {}, {"a"}))));
}

TEST(CheckContent, RefusesEmptyUpgradeSql) {
  for (const char *sql : {"", " ", "\n\t  \r\n", "\f\v"}) {
    auto e = refusal(content(rev("a", {"p"}), sql));
    ASSERT_TRUE(e) << '"' << sql << '"';
    EXPECT_STREQ(e->sqlstate(), "22023");
    EXPECT_STREQ(e->what(), "upgrade SQL of revision a is empty");
    EXPECT_FALSE(e->hint().empty());
  }
  // A base with no SQL is refused too.
  EXPECT_TRUE(refusal(content(rev("a"), "")));
}

TEST(CheckContent, AMergeMayHaveNoUpgradeSql) {
  EXPECT_FALSE(refusal(content(rev("m", {"a", "b"}), "", std::nullopt)));
  EXPECT_FALSE(refusal(content(rev("m", {"a", "b", "c"}), "   ")));
  // depends_on does not make a merge.
  EXPECT_TRUE(refusal(content(rev("m", {"a"}, {}, {"b"}), "")));
}

TEST(CanonicalForm, IsStable) {
  auto c = content(rev("a", {"p"}, {"l"}, {"d"}, "message"));
  EXPECT_EQ(canonical_form(c), canonical_form(c));
  auto copy = c;
  EXPECT_EQ(canonical_form(copy), canonical_form(c));
}

TEST(CanonicalForm, DiffersWhenAnyFieldDiffers) {
  const auto original = content(rev("a", {"p"}, {"l"}, {"d"}, "message"), "CREATE TABLE t ()", "DROP TABLE t");
  std::vector<std::pair<const char *, std::function<void(RevisionContent &)>>> changes{
      {"id", [](RevisionContent &c) { c.graph.id = "b"; }},
      {"down_revisions", [](RevisionContent &c) { c.graph.down_revisions = {"q"}; }},
      {"no down_revisions", [](RevisionContent &c) { c.graph.down_revisions.clear(); }},
      {"more down_revisions", [](RevisionContent &c) { c.graph.down_revisions.push_back("q"); }},
      {"depends_on", [](RevisionContent &c) { c.graph.depends_on = {"e"}; }},
      {"branch_labels", [](RevisionContent &c) { c.graph.branch_labels = {"m"}; }},
      {"message", [](RevisionContent &c) { c.graph.message = "other"; }},
      {"empty message", [](RevisionContent &c) { c.graph.message.clear(); }},
      {"upgrade_sql", [](RevisionContent &c) { c.upgrade_sql = "CREATE TABLE u ()"; }},
      {"upgrade_sql whitespace", [](RevisionContent &c) { c.upgrade_sql += " "; }},
      {"downgrade_sql", [](RevisionContent &c) { c.downgrade_sql = "DROP TABLE u"; }},
      {"NULL downgrade_sql", [](RevisionContent &c) { c.downgrade_sql = std::nullopt; }},
      {"empty downgrade_sql", [](RevisionContent &c) { c.downgrade_sql = std::string(); }},
      {"transactional", [](RevisionContent &c) { c.transactional = false; }},
      {"requires_backfills", [](RevisionContent &c) { c.requires_backfills = {"fill"}; }},
      {"two requires_backfills",
       [](RevisionContent &c) {
         c.requires_backfills = {"fill", "more"};
       }},
  };
  std::set<std::string> seen{canonical_form(original)};
  for (const auto &[what, change] : changes) {
    auto changed = original;
    change(changed);
    EXPECT_NE(canonical_form(changed), canonical_form(original)) << what;
    EXPECT_TRUE(seen.insert(canonical_form(changed)).second) << what << " serializes like another change";
  }
}

TEST(CanonicalForm, RevisionsWithoutGatesKeepTheirFormerChecksums) {
  // The v1 form as it was before requires_backfills existed.
  auto c = content(rev("a", {}, {}, {}, "m"), "SELECT 1", std::nullopt);
  EXPECT_EQ(canonical_form(c), "migrate-revision-v1;1:a;[0][0][0]1:m;8:SELECT 1;NT");
}

TEST(RevisionContent, RequiredBackfillsAreNamesListedOnce) {
  auto c = content(rev("a"));
  c.requires_backfills = {"fill_x", "fill_y"};
  EXPECT_FALSE(refusal(c));
  c.requires_backfills = {"fill x"};
  ASSERT_TRUE(refusal(c));
  EXPECT_STREQ(refusal(c)->sqlstate(), "22023");
  c.requires_backfills = {"head"};
  EXPECT_TRUE(refusal(c));
  c.requires_backfills = {"f", "f"};
  ASSERT_TRUE(refusal(c));
  EXPECT_EQ(std::string(refusal(c)->what()), "requires_backfills lists \"f\" more than once");
}

TEST(CanonicalForm, NullAndEmptyDowngradeDiffer) {
  auto null_downgrade = content(rev("a"), "SELECT 1", std::nullopt);
  auto empty_downgrade = content(rev("a"), "SELECT 1", std::string());
  EXPECT_NE(canonical_form(null_downgrade), canonical_form(empty_downgrade));
}

TEST(CanonicalForm, FieldBoundariesAreUnambiguous) {
  // Moving text from one field to the next must change the form.
  EXPECT_NE(canonical_form(content(rev("a", {}, {}, {}, "xy"), "z")),
            canonical_form(content(rev("a", {}, {}, {}, "x"), "yz")));
  // Lists: one element "ab" versus two elements "a", "b"; and an element moved between lists.
  EXPECT_NE(canonical_form(content(rev("m", {"ab"}))), canonical_form(content(rev("m", {"a", "b"}))));
  EXPECT_NE(canonical_form(content(rev("m", {"a"}, {}, {}))), canonical_form(content(rev("m", {}, {}, {"a"}))));
  EXPECT_NE(canonical_form(content(rev("m", {}, {"a"}, {}))), canonical_form(content(rev("m", {}, {}, {"a"}))));
  // Order matters: down_revisions are kept as declared.
  EXPECT_NE(canonical_form(content(rev("m", {"a", "b"}))), canonical_form(content(rev("m", {"b", "a"}))));
  // Text that looks like the encoding itself.
  EXPECT_NE(canonical_form(content(rev("a", {}, {}, {}, "1:x;"), "")),
            canonical_form(content(rev("a", {}, {}, {}, ""), "1:x;")));
}

TEST(CanonicalForm, EmbeddedNulBytesCount) {
  auto with_nul = content(rev("a"), std::string("SELECT 1\0", 9));
  auto without = content(rev("a"), "SELECT 1");
  EXPECT_NE(canonical_form(with_nul), canonical_form(without));
}

} // namespace
} // namespace migrate
