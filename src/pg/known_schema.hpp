// What a round-trip check knows of the schema between its reads.
#pragma once

#include "core/fingerprint.hpp"

#include <cstdint>
#include <map>
#include <vector>

namespace migrate::pg {

// The schema's fingerprint as the check knows it, kept per relation (unit
// 0: what belongs to no relation). Reading the whole schema twice per
// revision costs more than the revisions themselves once the schema has a
// few hundred tables (bench/RESULTS.md): after a step only the relations it
// touched (TouchedRelations) and those whose definitions name them (views,
// foreign keys, defaults, owned sequences: pg_depend) are read again.
// When anything that belongs to no relation changed (a schema, a type, a
// function, an extension: their names appear in relations' definitions),
// or PostgreSQL invalidated every relation at once, everything is.
class KnownSchema {
public:
  // Rows read again in the current state: those of `units` (and unit 0),
  // or of everything (`all`).
  struct Reread {
    bool all = false;
    std::vector<std::int64_t> units; // sorted
    std::map<std::int64_t, Fingerprint> rows;
  };

  // The whole schema, as it is now.
  void read_all();

  // Reads again, in the current state, what `touched` (relations) names and
  // what names them, and what belongs to no relation; everything when that
  // changed or `everything`.
  Reread reread(std::vector<std::int64_t> touched, bool everything) const;

  // The known rows of what `r` read again, sorted.
  Fingerprint objects(const Reread &r) const;
  // What `r` read, sorted.
  static Fingerprint objects_read(const Reread &r);

  // Takes what `r` read as known.
  void apply(Reread r);

private:
  std::map<std::int64_t, Fingerprint> units_;
};

} // namespace migrate::pg
