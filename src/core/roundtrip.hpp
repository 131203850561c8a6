// What migrate.check_roundtrip() says of each revision it checks: the
// objects its downgrade did not put back as they were before its upgrade,
// one line each, and why a revision was not checked or failed. Built from
// compare() (core/fingerprint.hpp), so that drift() and the round-trip
// check name a difference the same way.
#pragma once

#include "core/fingerprint.hpp"

#include <string>
#include <vector>

namespace migrate::roundtrip {

// `before`: the schema before a revision's upgrade; `after`: after its
// upgrade then its downgrade. One line per object that differs, in
// fingerprint order ("index public.t_v_idx: left behind (now: CREATE INDEX
// ...)", "column public.t.w: gone (was: integer)", "column public.t.v:
// changed default (was: 'a'::text; now: 'b'::text)"); empty when the
// downgrade put everything back.
std::string describe(const std::vector<SchemaDifference> &differences, const Fingerprint &before,
                     const Fingerprint &after);
inline std::string describe(const Fingerprint &before, const Fingerprint &after) {
  return describe(compare(before, after), before, after);
}

// The phases of one revision's check, as a failure names them.
inline constexpr const char *upgrade_phase = "upgrade";
inline constexpr const char *downgrade_phase = "downgrade";
inline constexpr const char *upgrade_again_phase = "upgrade again";

// "downgrade failed: SQLSTATE 42704: index "t_v_idx" does not exist"; the
// message is cut at about 200 characters.
std::string describe_failure(const std::string &phase, const std::string &sqlstate, const std::string &message);

// A revision without downgrade SQL: upgraded, never run down.
std::string irreversible();
// A transactional => false revision: it cannot run in the check's
// transaction (which is always rolled back); neither can what follows it.
std::string not_transactional();
// A revision after one whose upgrade failed (`failed`) or that could not run
// in a transaction: `stopped_at` names it.
std::string not_reached(const std::string &stopped_at, bool failed);

} // namespace migrate::roundtrip
