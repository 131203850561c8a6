#include "core/identifier.hpp"

#include "test_support.hpp"

#include <gtest/gtest.h>

namespace migrate {
namespace {

using test::catch_error;

TEST(Identifier, ReservedWordsAreTheTargetKeywords) {
  for (const char *word : {"head", "heads", "base", "current"})
    EXPECT_TRUE(is_reserved_word(word)) << word;
  for (const char *word : {"Head", "HEADS", "base1", "currentx", "", "ead"})
    EXPECT_FALSE(is_reserved_word(word)) << word;
}

TEST(Identifier, ValidIdentifiers) {
  EXPECT_TRUE(is_valid_identifier("a"));
  EXPECT_TRUE(is_valid_identifier("ae1027a6acf"));
  EXPECT_TRUE(is_valid_identifier("20260221_01_add_user_tables"));
  EXPECT_TRUE(is_valid_identifier("_"));
  EXPECT_TRUE(is_valid_identifier("ABC_xyz_019"));
  EXPECT_TRUE(is_valid_identifier(std::string(128, 'x')));
}

TEST(Identifier, InvalidIdentifiers) {
  EXPECT_FALSE(is_valid_identifier(""));
  EXPECT_FALSE(is_valid_identifier(std::string(129, 'x')));
  // The characters of the target grammar (@, +, -) and anything else outside [A-Za-z0-9_].
  for (const char *bad : {"a@b", "a+1", "a-1", "a b", "a.b", "a:b", "a/b", "a'b", "a\"b", " a", "a\n", "é", "a\tb"})
    EXPECT_FALSE(is_valid_identifier(bad)) << bad;
  EXPECT_FALSE(is_valid_identifier(std::string("a\0b", 3)));
}

TEST(Identifier, CheckIdentifierRefusesEmpty) {
  auto e = catch_error([] { check_identifier("revision id", ""); });
  ASSERT_TRUE(e);
  EXPECT_STREQ(e->sqlstate(), sqlstate::invalid_parameter_value);
  EXPECT_STREQ(e->what(), "revision id must not be empty");
}

TEST(Identifier, CheckIdentifierRefusesBadCharactersNamingWhat) {
  auto e = catch_error([] { check_identifier("branch label", "my-branch"); });
  ASSERT_TRUE(e);
  EXPECT_STREQ(e->sqlstate(), "22023");
  EXPECT_STREQ(e->what(), "invalid branch label \"my-branch\"");
  EXPECT_NE(e->detail().find("1 to 128 characters"), std::string::npos) << e->detail();
  EXPECT_FALSE(e->hint().empty());
}

TEST(Identifier, CheckIdentifierLengthBoundary) {
  EXPECT_NO_THROW(check_identifier("revision id", std::string(128, 'a')));
  auto e = catch_error([] { check_identifier("revision id", std::string(129, 'a')); });
  ASSERT_TRUE(e);
  EXPECT_STREQ(e->sqlstate(), "22023");
}

TEST(Identifier, CheckIdentifierRefusesReservedWords) {
  for (const char *word : {"head", "heads", "base", "current"}) {
    auto e = catch_error([&] { check_identifier("revision id", word); });
    ASSERT_TRUE(e) << word;
    EXPECT_STREQ(e->sqlstate(), "22023");
    EXPECT_EQ(std::string(e->what()), std::string("revision id \"") + word + "\" is a reserved word");
  }
}

TEST(Identifier, CheckIdentifierAcceptsOrdinaryIds) {
  EXPECT_NO_THROW(check_identifier("revision id", "ae1027a6acf"));
  EXPECT_NO_THROW(check_identifier("branch label", "heads_up"));
  EXPECT_NO_THROW(check_identifier("branch label", "based"));
}

TEST(Identifier, NoDuplicates) {
  EXPECT_NO_THROW(check_no_duplicates("depends_on", {}));
  EXPECT_NO_THROW(check_no_duplicates("depends_on", {"a", "b", "A"}));
  auto e = catch_error([] { check_no_duplicates("branch_labels", {"x", "y", "x"}); });
  ASSERT_TRUE(e);
  EXPECT_STREQ(e->sqlstate(), "22023");
  EXPECT_STREQ(e->what(), "branch_labels lists \"x\" more than once");
}

} // namespace
} // namespace migrate
