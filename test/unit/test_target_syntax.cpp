// The scanners that read targets and history ranges (core/target_syntax.hpp),
// and the excerpt that error messages quote. Every expectation on
// match_relative, python_int and split_history_range was checked against
// Alembic 1.8.1's `_relative_destination.match`, Python 3.11's int() and
// `alembic.command.history`'s `strip().split(":")`; test/alembic_diff/syntax_diff.py
// compares the three on random strings.
#include "core/target_syntax.hpp"
#include "core/text.hpp"

#include "test_support.hpp"

#include <gtest/gtest.h>

#include <climits>

namespace migrate {
namespace {

using test::catch_error;

struct Match {
  std::string branch, symbol, relative; // "~" for no group
  long steps;
};

std::optional<Match> match(const std::string &target) {
  auto r = match_relative(target);
  if (!r)
    return std::nullopt;
  return Match{r->branch.value_or("~"), r->symbol.value_or("~"), r->relative, r->steps};
}

void expect_match(const std::string &target, const std::string &branch, const std::string &symbol,
                  const std::string &relative, long steps) {
  auto m = match(target);
  ASSERT_TRUE(m) << target;
  EXPECT_EQ(m->branch, branch) << target;
  EXPECT_EQ(m->symbol, symbol) << target;
  EXPECT_EQ(m->relative, relative) << target;
  EXPECT_EQ(m->steps, steps) << target;
}

TEST(MatchRelative, PlainSteps) {
  expect_match("+1", "~", "~", "+1", 1);
  expect_match("-2", "~", "~", "-2", -2);
  expect_match("+0", "~", "~", "+0", 0);
  expect_match("-0", "~", "~", "-0", 0);
  expect_match("+007", "~", "~", "+007", 7);
}

TEST(MatchRelative, SymbolAndBranch) {
  expect_match("ae10+2", "~", "ae10", "+2", 2);
  expect_match("head-1", "~", "head", "-1", -1);
  expect_match("12+3", "~", "12", "+3", 3); // digits are word characters too
  expect_match("a_b9-1", "~", "a_b9", "-1", -1);
  expect_match("left@+1", "left", "~", "+1", 1);
  expect_match("left@c3-2", "left", "c3", "-2", -2);
}

TEST(MatchRelative, AnchoredAtTheStartOnly) {
  // re.match: what follows the digits is ignored.
  expect_match("abc+1x", "~", "abc", "+1", 1);
  expect_match("+1+2", "~", "~", "+1", 1);
  expect_match("-1 ", "~", "~", "-1", -1);
  expect_match("a-1@b", "~", "a", "-1", -1); // the start matches before any branch is needed
  EXPECT_FALSE(match(" +1"));
  EXPECT_FALSE(match("x.y+1"));
}

TEST(MatchRelative, NoMatch) {
  for (const char *target : {"@+1", "a@", "+", "-", "", "@", "head", "a+", "a+-1", "a@+", "+x1", "a b+1"})
    EXPECT_FALSE(match(target)) << target;
}

TEST(MatchRelative, TheBranchIsTheShortestPrefixThatLetsTheRestMatch) {
  expect_match("a@b@+1", "a@b", "~", "+1", 1); // after the first @, "b@+1" does not match
  expect_match("a@@+1", "a@", "~", "+1", 1);
  expect_match("a@b+1@c+2", "a", "b", "+1", 1);
  expect_match("x y@+1", "x y", "~", "+1", 1); // the branch is any text
  expect_match("a\r@+1", "a\r", "~", "+1", 1);
}

TEST(MatchRelative, TheBranchHasNoNewline) {
  // `.` matches anything but a newline.
  EXPECT_FALSE(match("a\n@+1"));
  EXPECT_FALSE(match("\n@+1"));
  EXPECT_FALSE(match("x@\n+1"));
  expect_match("a+1\n", "~", "a", "+1", 1);
}

TEST(MatchRelative, WordBoundaries) {
  // \w is [A-Za-z0-9_] here; everything else ends a symbol.
  for (const char *target : {"a.b+1", "a:b+1", "a/b-1", "a'b+1", "a\tb+1"})
    EXPECT_FALSE(match(target)) << target;
  expect_match("_+1", "~", "_", "+1", 1);
  expect_match("Z9_z-3", "~", "Z9_z", "-3", -3);
}

TEST(MatchRelative, TheLargestSteps) {
  expect_match("+9223372036854775807", "~", "~", "+9223372036854775807", LONG_MAX);
  expect_match("x-9223372036854775807", "~", "x", "-9223372036854775807", -LONG_MAX);
  expect_match("+0000000000000000000000001", "~", "~", "+0000000000000000000000001", 1);
}

TEST(MatchRelative, AStepBeyondALongIs22003) {
  for (const char *target : {"-9223372036854775808", "+9223372036854775808", "a@b+99999999999999999999999",
                             "-1"
                             "0000000000000000000"}) {
    auto e = catch_error([&] { match_relative(target); });
    ASSERT_TRUE(e) << target;
    EXPECT_STREQ(e->sqlstate(), "22003");
    EXPECT_EQ(std::string(e->what()), "relative step in target \"" + std::string(target) + "\" is out of range");
    EXPECT_EQ(e->detail(), "A step is at most 9223372036854775807 revisions either way.");
  }
}

TEST(MatchRelative, LongTextIsOnePassWithoutRecursion) {
  // libstdc++'s regex overflowed the stack here; the scanner is linear.
  std::string word(1 << 20, 'a');
  expect_match(word + "+1", "~", word, "+1", 1);
  std::string ats(1 << 20, '@');
  EXPECT_FALSE(match(ats));
  expect_match(ats + "x+1", ats.substr(0, ats.size() - 1), "x", "+1", 1);
  auto e = catch_error([&] { match_relative("+" + std::string(1 << 20, '9')); });
  ASSERT_TRUE(e);
  EXPECT_STREQ(e->sqlstate(), "22003");
  EXPECT_LT(std::string(e->what()).size(), 300u);
}

TEST(PythonInt, WhatIntAccepts) {
  struct Case {
    const char *text;
    long value;
    bool negative;
  };
  for (const Case &c : {Case{"0", 0, false}, Case{"-1", -1, true}, Case{"+5", 5, false}, Case{" -1 ", -1, true},
                        Case{"\t\n\v\f\r7\r\n", 7, false}, Case{"-0", 0, false}, Case{"-000", 0, false},
                        Case{"1_000", 1000, false}, Case{"-1_0_0", -100, true}, Case{"0_0", 0, false},
                        Case{"9223372036854775807", LONG_MAX, false}, Case{"-9223372036854775807", -LONG_MAX, true}}) {
    auto n = python_int(c.text);
    ASSERT_TRUE(n) << c.text;
    EXPECT_FALSE(n->out_of_range) << c.text;
    EXPECT_EQ(n->value, c.value) << c.text;
    EXPECT_EQ(n->negative, c.negative) << c.text;
  }
}

TEST(PythonInt, WhatIntRefuses) {
  // \x1c-\x1f are whitespace to str.strip() but not to int().
  for (const char *text : {"", " ", "-", "+", "1__0", "_1", "1_", "+_1", "- 1", "--1", "+-1", "1 2", "0x10", "1.0",
                           "\x1c"
                           "5",
                           "5\x1f", "a1", "1a"})
    EXPECT_FALSE(python_int(text)) << text;
  EXPECT_FALSE(python_int(std::string("1\0", 2)));
}

TEST(PythonInt, BeyondALongIsOutOfRangeNotAnotherNumber) {
  auto big = python_int("9223372036854775808");
  ASSERT_TRUE(big);
  EXPECT_TRUE(big->out_of_range);
  EXPECT_FALSE(big->negative);
  auto low = python_int(" -9223372036854775808");
  ASSERT_TRUE(low);
  EXPECT_TRUE(low->out_of_range);
  EXPECT_TRUE(low->negative);
  auto huge = python_int("-" + std::string(5000, '9'));
  ASSERT_TRUE(huge);
  EXPECT_TRUE(huge->out_of_range && huge->negative);
}

TEST(SplitHistoryRange, Sides) {
  auto r = split_history_range("a:b");
  EXPECT_EQ(r.lower, "a");
  EXPECT_EQ(r.upper, "b");
  r = split_history_range(":");
  EXPECT_EQ(r.lower, "");
  EXPECT_EQ(r.upper, "");
  r = split_history_range("x@-1:");
  EXPECT_EQ(r.lower, "x@-1");
  EXPECT_EQ(r.upper, "");
}

TEST(SplitHistoryRange, OnlyTheOuterBlanksGo) {
  // str.strip(): also \x1c-\x1f, but only around the whole range.
  auto r = split_history_range(" \t\x1c"
                               "a:b\x1f\n ");
  EXPECT_EQ(r.lower, "a");
  EXPECT_EQ(r.upper, "b");
  r = split_history_range(" a :\tb ");
  EXPECT_EQ(r.lower, "a ");
  EXPECT_EQ(r.upper, "\tb");
  r = split_history_range("\x1c:\x1f");
  EXPECT_EQ(r.lower, "");
  EXPECT_EQ(r.upper, "");
}

TEST(SplitHistoryRange, OneColonExactly) {
  for (const char *range : {"", "a", "  ", "a:b:c", "::", " a::"}) {
    auto e = catch_error([&] { split_history_range(range); });
    ASSERT_TRUE(e) << range;
    EXPECT_STREQ(e->sqlstate(), "22023");
    EXPECT_STREQ(e->what(), "History range requires [start]:[end], [start]:, or :[end]");
    EXPECT_EQ(e->detail(), "Got '" + std::string(range) + "'.");
  }
  auto e = catch_error([&] { split_history_range(std::string(5000, 'x')); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->detail(), "Got '" + std::string(200, 'x') + "... (5000 bytes)'.");
}

TEST(CheckTargetText, TheCapIs1024Bytes) {
  EXPECT_NO_THROW(check_target_text("target", std::string(1024, 'a')));
  auto e = catch_error([] { check_target_text("target", std::string(30000, 'a') + "+1"); });
  ASSERT_TRUE(e);
  EXPECT_STREQ(e->sqlstate(), "22023");
  EXPECT_EQ(std::string(e->what()), "target \"" + std::string(200, 'a') + "... (30002 bytes)\" is too long");
  EXPECT_EQ(e->detail(), "A target is at most 1024 bytes; this one is 30002.");
  auto range = catch_error([] { check_target_text("history range", std::string(1025, ':')); });
  ASSERT_TRUE(range);
  EXPECT_EQ(range->detail(), "A history range is at most 1024 bytes; this one is 1025.");
}

TEST(CheckTargetText, OnlyAscii) {
  EXPECT_NO_THROW(check_target_text("target", "\x01\t\n\x1c\x7f a@+1"));
  for (const char *text : {"é+1", "+1\xd9\xa3", "\xff", "ab\x80"}) {
    auto e = catch_error([&] { check_target_text("target", text); });
    ASSERT_TRUE(e) << text;
    EXPECT_STREQ(e->sqlstate(), "22023");
    EXPECT_EQ(std::string(e->what()), "target \"" + std::string(text) + "\" contains a character outside ASCII");
  }
}

TEST(Excerpt, ShortTextIsWhole) {
  EXPECT_EQ(excerpt(""), "");
  EXPECT_EQ(excerpt("abc"), "abc");
  EXPECT_EQ(excerpt(std::string(200, 'x')), std::string(200, 'x'));
}

TEST(Excerpt, LongTextIsItsStartAndLength) {
  EXPECT_EQ(excerpt(std::string(201, 'x')), std::string(200, 'x') + "... (201 bytes)");
  EXPECT_EQ(excerpt(std::string(10 << 20, 'x')).size(), 200u + std::string("... (10485760 bytes)").size());
}

TEST(Excerpt, NeverCutsACharacter) {
  // 199 ASCII bytes, then two-byte characters: the cut moves back to the last ASCII byte.
  std::string mixed = std::string(199, 'a');
  for (int i = 0; i < 100; ++i)
    mixed += "\xc3\xa9"; // é
  EXPECT_EQ(excerpt(mixed), std::string(199, 'a') + "... (399 bytes)");
  // No ASCII at all: UTF-8 character boundaries.
  std::string accents;
  for (int i = 0; i < 101; ++i)
    accents += "\xc3\xa9";
  std::string cut = excerpt(accents);
  EXPECT_EQ(cut.substr(0, 200), accents.substr(0, 200));
  EXPECT_EQ(cut.substr(200), "... (202 bytes)");
  std::string three; // three-byte characters: 200 is not a boundary, 198 is
  for (int i = 0; i < 100; ++i)
    three += "\xe2\x82\xac"; // €
  EXPECT_EQ(excerpt(three), three.substr(0, 198) + "... (300 bytes)");
}

} // namespace
} // namespace migrate
