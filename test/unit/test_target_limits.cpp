// What every entry point that reads a target or range does with text no real
// target looks like: too long (22023, before any parsing), non-ASCII (22023),
// a step beyond a long (22003), and errors that quote at most ~200 bytes of it.
#include "core/history.hpp"
#include "core/identifier.hpp"
#include "core/planner.hpp"
#include "core/revision_content.hpp"

#include "test_support.hpp"

#include <gtest/gtest.h>

#include <functional>

namespace migrate {
namespace {

using test::catch_error;
using test::rev;
using test::Strings;

// a - b - c - e (merge of c and d), b - d (label "lab"); f depends on d.
RevisionGraph graph() {
  return RevisionGraph({rev("a"), rev("b", {"a"}), rev("c", {"b"}), rev("d", {"b"}, {"lab"}), rev("e", {"c", "d"}),
                        rev("f", {"e"}, {}, {"d"})});
}

// Every way a user's target or range reaches the core.
std::vector<std::pair<std::string, std::function<void(const std::string &)>>> entry_points(const RevisionGraph &g) {
  return {
      {"upgrade", [&](const std::string &t) { Planner(g).upgrade({"b"}, t); }},
      {"downgrade", [&](const std::string &t) { Planner(g).downgrade({"e"}, t); }},
      {"stamp", [&](const std::string &t) { Planner(g).stamp({"c"}, {t}); }},
      {"show/merge", [&](const std::string &t) { TargetResolver(g).revisions(Spec{t}); }},
      {"history start", [&](const std::string &t) { history(g, t + ":", {"c"}); }},
      {"history end", [&](const std::string &t) { history(g, ":" + t, {"c"}); }},
  };
}

TEST(TargetLimits, ALongTargetIsRefusedBeforeParsing) {
  // This one overflowed the stack inside libstdc++'s regex (signal 11 in the server).
  const std::string target = std::string(30000, 'a') + "+1";
  auto g = graph();
  for (const auto &[name, call] : entry_points(g)) {
    auto e = catch_error([&] { call(target); });
    ASSERT_TRUE(e) << name;
    EXPECT_STREQ(e->sqlstate(), "22023") << name;
    const bool range = name.rfind("history", 0) == 0;
    const std::string what = range ? "history range" : "target";
    const std::string shown = name == "history end" ? ":" + std::string(199, 'a') : std::string(200, 'a');
    const std::string bytes = range ? "30003" : "30002";
    EXPECT_EQ(std::string(e->what()), what + " \"" + shown + "... (" + bytes + " bytes)\" is too long")
        << name << ": " << e->what();
  }
}

TEST(TargetLimits, TheCapLeavesRoomForRealTargets) {
  auto g = graph();
  // 1024 bytes pass the cap and are then read as a target (here: not found).
  auto e = catch_error<ResolutionFailure>([&] { Planner(g).upgrade({}, std::string(1024, 'z')); });
  ASSERT_TRUE(e);
  auto range = catch_error<ResolutionFailure>([&] { history(g, std::string(1023, 'z') + ":", {}); });
  ASSERT_TRUE(range);
  auto over = catch_error([&] { history(g, std::string(1024, 'z') + ":", {}); });
  ASSERT_TRUE(over);
  EXPECT_STREQ(over->sqlstate(), "22023");
}

TEST(TargetLimits, NonAsciiIsRefused) {
  auto g = graph();
  for (const auto &[name, call] : entry_points(g)) {
    // Python reads U+0663 ARABIC-INDIC DIGIT THREE as 3: Alembic walks three steps here.
    auto e = catch_error([&, &call = call] { call("b+\xd9\xa3"); });
    ASSERT_TRUE(e) << name;
    EXPECT_STREQ(e->sqlstate(), "22023") << name;
    EXPECT_NE(std::string(e->what()).find("contains a character outside ASCII"), std::string::npos) << e->what();
  }
}

TEST(TargetLimits, MinusLongMinIs22003NotNothing) {
  // labs(LONG_MIN) is undefined: this downgrade used to plan nothing.
  auto g = graph();
  auto e = catch_error([&] { Planner(g).downgrade({"e"}, "-9223372036854775808"); });
  ASSERT_TRUE(e);
  EXPECT_STREQ(e->sqlstate(), "22003");
  EXPECT_STREQ(e->what(), "relative step in target \"-9223372036854775808\" is out of range");
  // Every relative form, wherever Alembic reads it as a number.
  for (const char *target : {"-9223372036854775808", "c-9223372036854775808", "+9223372036854775808",
                             "lab@+99999999999999999999", "-0000099999999999999999999", "lab@c-99999999999999999999"}) {
    for (auto call : std::vector<std::function<void()>>{
             [&] { Planner(g).upgrade({"b"}, target); }, [&] { Planner(g).downgrade({"e"}, target); },
             [&] { history(g, std::string("c:") + target, {}); }, // the upper side of a range is a target
         }) {
      auto refusal = catch_error(call);
      ASSERT_TRUE(refusal) << target;
      EXPECT_STREQ(refusal->sqlstate(), "22003") << target << ": " << refusal->what();
    }
  }
  // get_revisions' int(): stamp and show read a negative id as a walk from the heads.
  for (const char *target : {"-9223372036854775808", "lab@-99999999999999999999"}) {
    auto stamp = catch_error([&] { Planner(g).stamp({}, {target}); });
    ASSERT_TRUE(stamp);
    EXPECT_STREQ(stamp->sqlstate(), "22003") << target;
    auto lower = catch_error([&] { history(g, std::string(target) + ":", {}); });
    ASSERT_TRUE(lower);
    EXPECT_STREQ(lower->sqlstate(), "22003") << target;
  }
}

TEST(TargetLimits, NegativeNumbersBeyondALongInAnIdAre22003) {
  // get_revisions walks int(id) down from the heads when it is negative.
  auto g = graph();
  for (const char *target : {"-99999999999999999999", "lab@-9223372036854775808", " -1_000_000_000_000_000_000_000 "}) {
    auto e = catch_error([&] { TargetResolver(g).revisions(Spec{std::string(target)}); });
    ASSERT_TRUE(e) << target;
    EXPECT_STREQ(e->sqlstate(), "22003") << target;
  }
  // A positive one is an id like any other (ids may be all digits).
  auto e =
      catch_error<ResolutionFailure>([&] { TargetResolver(g).revisions(Spec{std::string("99999999999999999999")}); });
  ASSERT_TRUE(e);
}

TEST(TargetLimits, TheLargestStepsWalkToTheEnd) {
  RevisionGraph g({rev("a"), rev("b", {"a"}), rev("c", {"b"})});
  auto up = catch_error([&] { Planner(g).upgrade({}, "+9223372036854775807"); });
  ASSERT_TRUE(up);
  EXPECT_STREQ(up->what(), "Relative revision +9223372036854775807 didn't produce 9223372036854775807 migrations");
  auto down = catch_error([&] { Planner(g).downgrade({"c"}, "-9223372036854775807"); });
  ASSERT_TRUE(down);
  EXPECT_STREQ(down->what(), "Relative revision -9223372036854775807 didn't produce 9223372036854775807 migrations");
  // Alembic's stamp -N on an empty database walks down from every head: past the base, nothing.
  EXPECT_TRUE(Planner(g).stamp({}, {"-9223372036854775807"}).empty());
}

// Whatever the target, no message or detail echoes more than an excerpt of it.
TEST(TargetLimits, ErrorsQuoteAtMostAnExcerpt) {
  auto g = graph();
  const std::string z(1000, 'z'), d(1000, '0');
  const std::vector<std::string> targets = {
      z,                  // Can't locate revision identified by '...'
      z + "@head",        // No such branch
      "lab@" + z,         // No such revision or branch
      "a@" + z,           // not a member of branch
      z + "-1",           // relative from an unknown symbol
      "lab@+0" + d,       // Relative revision +000... didn't produce 0 migrations
      "+" + d,            //
      "-" + d + "1",      //
      z + "@-" + d + "1", // relative downgrade on an unknown branch
      z + ":" + z,        // a range where a target is expected
      "e:" + z,           //
  };
  for (const auto &target : targets)
    for (const auto &[name, call] : entry_points(g)) {
      if (name.rfind("history", 0) == 0 && target.size() > 1023)
        continue;
      try {
        call(target);
      } catch (const Error &e) {
        EXPECT_LE(std::string(e.what()).size(), 600u) << name << ": " << e.what();
        EXPECT_LE(e.detail().size(), 600u) << name << ": " << e.detail();
        EXPECT_EQ(std::string(e.what()).find(std::string(201, 'z')), std::string::npos) << name;
      }
    }
}

TEST(TargetLimits, IdentifierErrorsQuoteAnExcerpt) {
  const std::string huge(10 << 20, 'x');
  auto e = catch_error([&] { check_identifier("revision id", huge + "-"); });
  ASSERT_TRUE(e);
  EXPECT_EQ(std::string(e->what()), "invalid revision id \"" + std::string(200, 'x') + "... (10485761 bytes)\"");
  RevisionContent c;
  c.graph.id = "r1";
  c.upgrade_sql = "SELECT 1";
  c.graph.down_revisions = {huge};
  auto parent = catch_error([&] { check_content(c); });
  ASSERT_TRUE(parent);
  EXPECT_LT(std::string(parent->what()).size(), 300u);
  c.graph.down_revisions = {};
  c.graph.depends_on = {"a b" + huge};
  auto dep = catch_error([&] { check_content(c); });
  ASSERT_TRUE(dep);
  EXPECT_LT(std::string(dep->what()).size(), 300u);
}

} // namespace
} // namespace migrate
