// The schema's fingerprint read from the catalog, and the one the engine's
// last move left (migrate.schema_fingerprint), for migrate.drift().
#pragma once

#include "core/fingerprint.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace migrate::pg {

// migrate.fingerprint()'s rows, sorted. Read under fixed settings
// (search_path pg_catalog, DateStyle ISO, TimeZone UTC...), so that the same
// schema reads the same whatever the session's settings.
Fingerprint read_fingerprint();

// The same rows with the relation each belongs to (its table, for a column,
// a constraint, an index, a trigger, a policy; itself for a table, a view, a
// sequence), or 0 for what belongs to no relation (schemas, extensions,
// functions, types and their constraints). `relations`: null for every
// relation, or only those (what belongs to no relation is always read).
// Unsorted. For a round-trip check, which reads again only the relations a
// step touched.
struct UnitObject {
  std::int64_t unit = 0;
  SchemaObject object;
};
std::vector<UnitObject> read_fingerprint_units(const std::vector<std::int64_t> *relations);

// Hex SHA-256 of a sorted fingerprint.
std::string fingerprint_hash(const Fingerprint &objects);

struct RecordedFingerprint {
  std::string hash, recorded_at, recorded_by;
  std::vector<std::string> version_rows;
};
std::optional<RecordedFingerprint> recorded_fingerprint();
Fingerprint recorded_objects();

// After a move: stores the fingerprint the database is left with, writing
// only the rows that differ from the one stored (nothing when its hash is
// the same). `version_rows`: the version rows the move left.
void record_fingerprint(const std::vector<std::string> &version_rows);

} // namespace migrate::pg
