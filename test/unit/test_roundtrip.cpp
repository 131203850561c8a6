// What migrate.check_roundtrip() says of a revision whose downgrade does not
// put the schema back as it was before its upgrade.
#include "core/roundtrip.hpp"

#include <gtest/gtest.h>

namespace migrate {
namespace {

Fingerprint sorted(Fingerprint f) {
  sort_fingerprint(f);
  return f;
}

const Fingerprint before = sorted({
    {"table", "public.t", "table"},
    {"column", "public.t.id", "integer NOT NULL"},
    {"column", "public.t.v", "text DEFAULT 'a'::text"},
    {"column", "public.t.w", "integer"},
});

TEST(Roundtrip, NothingToSayWhenTheDowngradePutEverythingBack) {
  EXPECT_EQ(roundtrip::describe(before, before), "");
}

TEST(Roundtrip, AForgottenIndexIsLeftBehind) {
  Fingerprint after = before;
  after.push_back({"index", "public.t_v_idx", "CREATE INDEX t_v_idx ON public.t USING btree (v)"});
  EXPECT_EQ(roundtrip::describe(before, sorted(after)),
            "index public.t_v_idx: left behind (now: CREATE INDEX t_v_idx ON public.t USING btree (v))");
}

TEST(Roundtrip, WhatTheDowngradeDroppedTooIsGone) {
  Fingerprint after = before;
  after.erase(after.begin() + 2); // public.t.w
  EXPECT_EQ(roundtrip::describe(before, sorted(after)), "column public.t.w: gone (was: integer)");
}

TEST(Roundtrip, AChangedDefaultIsNamedAsSuch) {
  Fingerprint after = before;
  after[1].definition = "text DEFAULT 'b'::text"; // public.t.v
  ASSERT_EQ(after[1].name, "public.t.v");
  EXPECT_EQ(roundtrip::describe(before, after), "column public.t.v: changed default (was: 'a'::text; now: 'b'::text)");
}

TEST(Roundtrip, OtherChangesShowBothDefinitions) {
  Fingerprint after = before;
  after[1].definition = "text NOT NULL DEFAULT 'a'::text"; // not only the default
  after[2].definition = "bigint";                          // public.t.w
  EXPECT_EQ(roundtrip::describe(before, after),
            "column public.t.v: changed (was: text DEFAULT 'a'::text; now: text NOT NULL DEFAULT 'a'::text)\n"
            "column public.t.w: changed (was: integer; now: bigint)");
}

TEST(Roundtrip, ADefaultAddedOrDroppedIsAChangedDefault) {
  Fingerprint dropped_default = before;
  dropped_default[1].definition = "text";
  EXPECT_EQ(roundtrip::describe(before, dropped_default),
            "column public.t.v: changed default (was: 'a'::text; now: none)");
  EXPECT_EQ(roundtrip::describe(dropped_default, before),
            "column public.t.v: changed default (was: none; now: 'a'::text)");
  Fingerprint retyped = dropped_default;
  retyped[1].definition = "character varying DEFAULT 'a'::text";
  EXPECT_EQ(roundtrip::describe(dropped_default, retyped),
            "column public.t.v: changed (was: text; now: character varying DEFAULT 'a'::text)");
}

TEST(Roundtrip, OneLinePerObjectInFingerprintOrder) {
  Fingerprint after = sorted({
      {"table", "public.t", "table"},
      {"column", "public.t.id", "integer NOT NULL"},
      {"column", "public.t.v", "text DEFAULT 'a'::text"},
      {"column", "public.t.x", "integer"},
      {"index", "public.t_x_idx", "CREATE INDEX t_x_idx ON public.t USING btree (x)"},
  });
  EXPECT_EQ(roundtrip::describe(before, after), "column public.t.w: gone (was: integer)\n"
                                                "column public.t.x: left behind (now: integer)\n"
                                                "index public.t_x_idx: left behind (now: CREATE INDEX t_x_idx ON "
                                                "public.t USING btree (x))");
}

TEST(Roundtrip, FailuresNameThePhaseTheSqlstateAndAShortMessage) {
  EXPECT_EQ(roundtrip::describe_failure(roundtrip::downgrade_phase, "42704", "index \"t_v_idx\" does not exist"),
            "downgrade failed: SQLSTATE 42704: index \"t_v_idx\" does not exist");
  const std::string said = roundtrip::describe_failure(roundtrip::upgrade_again_phase, "42P07", std::string(5000, 'x'));
  EXPECT_EQ(said.rfind("upgrade again failed: SQLSTATE 42P07: xxx", 0), 0u);
  EXPECT_LT(said.size(), 400u);
}

TEST(Roundtrip, RevisionsNotCheckedSayWhy) {
  EXPECT_EQ(roundtrip::not_reached("b2", true), "not checked: revision b2 before it could not be upgraded");
  EXPECT_EQ(roundtrip::not_reached("c3", false),
            "not checked: revision c3 before it is transactional => false and was not run");
  EXPECT_NE(roundtrip::irreversible().find("no downgrade"), std::string::npos);
}

} // namespace
} // namespace migrate
