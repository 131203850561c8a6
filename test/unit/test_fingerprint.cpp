// Comparing schema fingerprints: what drift() and the round-trip check list.
#include "core/fingerprint.hpp"

#include <gtest/gtest.h>

namespace migrate {
namespace {

Fingerprint sorted(Fingerprint f) {
  sort_fingerprint(f);
  return f;
}

const Fingerprint before = sorted({
    {"table", "public.orders", "table"},
    {"column", "public.orders.id", "bigint NOT NULL"},
    {"column", "public.orders.note", "character varying(10)"},
    {"index", "public.orders_note_idx", "CREATE INDEX orders_note_idx ON public.orders USING btree (note)"},
});

TEST(Fingerprint, SortsByKindThenNameByteByByte) {
  Fingerprint f = sorted({{"table", "b", ""}, {"column", "z", ""}, {"table", "B", ""}, {"table", "a", ""}});
  std::vector<std::string> order;
  for (const auto &o : f)
    order.push_back(o.kind + ":" + o.name);
  EXPECT_EQ(order, (std::vector<std::string>{"column:z", "table:B", "table:a", "table:b"}));
}

TEST(Fingerprint, TheSameSchemaHasNoDifference) {
  EXPECT_TRUE(compare(before, before).empty());
  EXPECT_EQ(canonical_form(before), canonical_form(sorted(before)));
}

TEST(Fingerprint, NamesWhatWasAddedRemovedAndChanged) {
  Fingerprint after = before;
  after.erase(after.begin() + 2); // the index
  after[1].definition = "text";   // public.orders.note
  after.push_back({"column", "public.orders.total", "numeric(12,2)"});
  after = sorted(after);
  auto d = compare(before, after);
  ASSERT_EQ(d.size(), 3u);
  EXPECT_EQ(d[0].name, "public.orders.note");
  EXPECT_EQ(d[0].change, "changed");
  EXPECT_EQ(d[0].detail, "was: character varying(10); now: text");
  EXPECT_EQ(d[1].name, "public.orders.total");
  EXPECT_EQ(d[1].change, "added");
  EXPECT_EQ(d[1].detail, "now: numeric(12,2)");
  EXPECT_EQ(d[2].kind, "index");
  EXPECT_EQ(d[2].change, "removed");
  EXPECT_NE(d[2].detail.find("was: CREATE INDEX orders_note_idx"), std::string::npos);
}

TEST(Fingerprint, TheDeltaTurnsTheStoredRowsIntoTheNewOnes) {
  Fingerprint after = sorted({{"table", "public.orders", "table"},
                              {"column", "public.orders.id", "integer NOT NULL"},
                              {"column", "public.orders.total", "numeric"}});
  FingerprintDelta d = delta(before, after);
  Fingerprint applied;
  for (const auto &o : before) {
    bool removed = false;
    for (const auto &r : d.removed)
      removed |= r.kind == o.kind && r.name == o.name && r.definition == o.definition;
    if (!removed)
      applied.push_back(o);
  }
  applied.insert(applied.end(), d.added.begin(), d.added.end());
  EXPECT_EQ(canonical_form(sorted(applied)), canonical_form(after));
  EXPECT_EQ(d.removed.size(), 3u); // id changed, note and the index gone
  EXPECT_EQ(d.added.size(), 2u);   // id changed, total new
  EXPECT_TRUE(delta(after, after).removed.empty());
  EXPECT_TRUE(delta(after, after).added.empty());
}

TEST(Fingerprint, ACanonicalFormTellsFieldsApart) {
  EXPECT_NE(canonical_form({{"a", "bc", ""}}), canonical_form({{"a", "b", "c"}}));
  EXPECT_NE(canonical_form({}), canonical_form({{"", "", ""}}));
}

TEST(Fingerprint, ALongChangeNamesTheFirstLineThatDiffers) {
  std::string old_def = "CREATE FUNCTION f()\n RETURNS int\nAS $$SELECT 1$$";
  std::string new_def = "CREATE FUNCTION f()\n RETURNS int\nAS $$SELECT 2$$";
  EXPECT_EQ(describe_change(old_def, new_def), "line 3 was: AS $$SELECT 1$$; now: AS $$SELECT 2$$");
  EXPECT_EQ(describe_change("a\nb", "a\nb\nc"), "line 3 was: (no such line); now: c");
  std::string long_text(500, 'x');
  EXPECT_LT(describe_change(long_text, "y").size(), 230u);
  // Cut at a character boundary: "é" is two bytes.
  std::string accents;
  for (int i = 0; i < 150; ++i)
    accents += "\xc3\xa9";
  std::string cut = describe_change(accents, "y");
  EXPECT_EQ(cut.find("\xc3..."), std::string::npos);
}

} // namespace
} // namespace migrate
