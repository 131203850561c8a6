#include "core/registration.hpp"

#include "core/revision_content.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <map>
#include <random>

namespace migrate {
namespace {

using test::catch_error;
using test::rev;
using test::Strings;

// The catalog as the pg layer sees it through indexed lookups.
class FakeCatalog : public CatalogLookup {
public:
  void add(const RevisionInfo &r) {
    revisions_.push_back(r);
    for (const auto &label : r.branch_labels)
      labels_[label] = r.id;
  }
  bool revision_exists(const std::string &id) const override {
    ++lookups;
    for (const auto &r : revisions_)
      if (r.id == id)
        return true;
    return false;
  }
  std::optional<std::string> label_owner(const std::string &label) const override {
    ++lookups;
    auto it = labels_.find(label);
    if (it == labels_.end())
      return std::nullopt;
    return it->second;
  }
  const std::vector<RevisionInfo> &revisions() const { return revisions_; }
  mutable int lookups = 0;

private:
  std::vector<RevisionInfo> revisions_;
  std::map<std::string, std::string> labels_;
};

class Registration : public ::testing::Test {
protected:
  void SetUp() override {
    catalog.add(rev("a"));
    catalog.add(rev("b", {"a"}, {"feature"}));
    catalog.add(rev("c", {"b"}));
  }
  FakeCatalog catalog;
};

TEST_F(Registration, AcceptsARevisionOnKnownParents) {
  EXPECT_NO_THROW(check_new_revision(rev("d", {"c"}), catalog));
  EXPECT_NO_THROW(check_new_revision(rev("m", {"a", "c"}), catalog));
  EXPECT_NO_THROW(check_new_revision(rev("base2"), catalog));
  EXPECT_NO_THROW(check_new_revision(rev("d", {"c"}, {"other"}, {"a"}), catalog));
  EXPECT_GT(catalog.lookups, 0);
}

TEST_F(Registration, UnknownParent) {
  auto e = catch_error([&] { check_new_revision(rev("d", {"c", "zz"}), catalog); });
  ASSERT_TRUE(e);
  EXPECT_STREQ(e->sqlstate(), "42704");
  EXPECT_STREQ(e->what(), "revision d has unknown parent \"zz\"");
  EXPECT_EQ(e->hint(), "Register a revision's parents before the revision itself.");
}

TEST_F(Registration, ALabelIsNotAParent) {
  // down_revisions name revisions only; depends_on may name a label.
  auto e = catch_error([&] { check_new_revision(rev("d", {"feature"}), catalog); });
  ASSERT_TRUE(e);
  EXPECT_STREQ(e->sqlstate(), "42704");
}

TEST_F(Registration, UnknownDependency) {
  auto e = catch_error([&] { check_new_revision(rev("d", {"c"}, {}, {"nothing"}), catalog); });
  ASSERT_TRUE(e);
  EXPECT_STREQ(e->sqlstate(), "42704");
  EXPECT_STREQ(e->what(), "revision d depends on unknown revision or branch label \"nothing\"");
  EXPECT_FALSE(e->hint().empty());
}

TEST_F(Registration, DependencyOnALabel) {
  EXPECT_NO_THROW(check_new_revision(rev("x", {}, {}, {"feature"}), catalog));
  EXPECT_NO_THROW(check_new_revision(rev("x", {}, {}, {"c"}), catalog));
}

TEST_F(Registration, LabelAlreadyTaken) {
  auto e = catch_error([&] { check_new_revision(rev("d", {"c"}, {"feature"}), catalog); });
  ASSERT_TRUE(e);
  EXPECT_STREQ(e->sqlstate(), "42710");
  EXPECT_STREQ(e->what(), "Branch name 'feature' in revision d already used by revision b");
}

TEST_F(Registration, LabelIsARevision) {
  auto e = catch_error([&] { check_new_revision(rev("d", {"c"}, {"a"}), catalog); });
  ASSERT_TRUE(e);
  EXPECT_STREQ(e->sqlstate(), "42710");
  EXPECT_STREQ(e->what(), "branch label \"a\" of revision d is also a revision id");
  EXPECT_FALSE(e->hint().empty());
}

TEST_F(Registration, IdIsALabel) {
  auto e = catch_error([&] { check_new_revision(rev("feature", {"c"}), catalog); });
  ASSERT_TRUE(e);
  EXPECT_STREQ(e->sqlstate(), "42710");
  EXPECT_STREQ(e->what(), "revision id \"feature\" is already a branch label of revision b");
}

TEST(RegistrationErrors, SharedWithTheGraph) {
  // The graph raises the same refusals as registration, word for word.
  auto graph = catch_error([] { RevisionGraph({rev("a"), rev("b", {"a"}, {"a"})}); });
  ASSERT_TRUE(graph);
  auto shared = label_is_revision("a", "b");
  EXPECT_STREQ(graph->what(), shared.what());
  EXPECT_STREQ(graph->sqlstate(), shared.sqlstate());
  EXPECT_STREQ(unknown_parent("r", "p").sqlstate(), "42704");
  EXPECT_STREQ(unknown_dependency("r", "d").sqlstate(), "42704");
  EXPECT_STREQ(label_taken("l", "r", "o").sqlstate(), "42710");
}

// Registering one revision at a time through check_content and check_new_revision
// (what migrate.revision() does) can never produce a catalog the graph refuses:
// the comment in registration.hpp promises exactly this.
TEST(RegistrationProperty, AcceptedRevisionsAlwaysFormAValidGraph) {
  std::mt19937 random(20260221);
  auto pick = [&](int n) { return static_cast<int>(random() % static_cast<unsigned>(n)); };
  FakeCatalog catalog;
  std::vector<std::string> names;
  int accepted = 0, refused = 0;
  for (int i = 0; i < 400; ++i) {
    // Ids are drawn from a small pool so that labels, ids and references collide often.
    auto name = [&] { return "n" + std::to_string(pick(120)); };
    RevisionContent c;
    c.graph.id = name();
    if (catalog.revision_exists(c.graph.id))
      continue; // re-registration is the pg layer's business
    c.upgrade_sql = "SELECT 1";
    for (int k = pick(3); k > 0; --k)
      c.graph.down_revisions.push_back(name());
    for (int k = pick(3) == 0 ? 1 : 0; k > 0; --k)
      c.graph.depends_on.push_back(name());
    for (int k = pick(4) == 0 ? 1 : 0; k > 0; --k)
      c.graph.branch_labels.push_back(name());
    try {
      check_content(c);
      check_new_revision(c.graph, catalog);
    } catch (const Error &) {
      ++refused;
      continue;
    }
    catalog.add(c.graph);
    ++accepted;
    // The whole catalog must still load.
    ASSERT_NO_THROW(RevisionGraph{catalog.revisions()}) << "after accepting " << c.graph.id;
  }
  EXPECT_GT(accepted, 50);
  EXPECT_GT(refused, 50);
  RevisionGraph g(catalog.revisions());
  for (const auto &r : catalog.revisions())
    for (const auto &label : r.branch_labels)
      EXPECT_EQ(g.id(*g.label_owner(label)), r.id);
}

} // namespace
} // namespace migrate
