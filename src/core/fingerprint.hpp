// A schema's fingerprint (migrate.fingerprint()'s rows) and the differences
// between two of them: what migrate.drift() lists against the fingerprint the
// engine's last move left, and what a round-trip check lists between the
// schema before a step and after its upgrade and downgrade.
#pragma once

#include <string>
#include <vector>

namespace migrate {

// One object: kind ("table", "column", "index"...), its qualified name, and
// its definition as PostgreSQL prints it (pg_get_*def, format_type).
struct SchemaObject {
  std::string kind, name, definition;
};

// Sorted by kind, then name, byte by byte (COLLATE "C"), as the SQL returns them.
using Fingerprint = std::vector<SchemaObject>;

void sort_fingerprint(Fingerprint &objects);

// An unambiguous serialization of a sorted fingerprint: what its hash covers.
std::string canonical_form(const Fingerprint &objects);

struct SchemaDifference {
  std::string kind, name;
  std::string change; // "added", "removed" or "changed"
  std::string detail; // the definition added or removed; for a change, what changed
};

// What turns `before` into `after`, sorted like a fingerprint.
std::vector<SchemaDifference> compare(const Fingerprint &before, const Fingerprint &after);

// The rows to delete from a stored `before` and to insert into it to make it
// `after`: a changed object is one of each.
struct FingerprintDelta {
  Fingerprint removed, added;
};
FingerprintDelta delta(const Fingerprint &before, const Fingerprint &after);

// "was: varchar(10); now: text" or, for definitions of several lines, the
// first line that differs. Each side is cut at about 200 characters.
std::string describe_change(const std::string &before, const std::string &after);

} // namespace migrate
