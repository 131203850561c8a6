// The relations DDL touches, as PostgreSQL's own relcache invalidations name
// them: creating, altering or dropping a table, a view or a sequence
// invalidates it; an index, a constraint, a default, a trigger or a policy
// invalidates its table too (an index renamed alone: the index). A
// round-trip check reads the fingerprint of these relations only, instead
// of the whole schema twice per revision (bench/RESULTS.md).
#pragma once

#include <cstdint>
#include <vector>

namespace migrate::pg {

class TouchedRelations {
public:
  // Starts recording (the callback is registered once per backend).
  TouchedRelations();
  // Stops recording; never calls PostgreSQL.
  ~TouchedRelations();
  TouchedRelations(const TouchedRelations &) = delete;
  TouchedRelations &operator=(const TouchedRelations &) = delete;

  // What was recorded since the last take(), sorted and without repeats;
  // starts over. `everything`: set when PostgreSQL invalidated every
  // relation at once (a cache reset) or a record could not be kept: then
  // only a whole read of the schema is safe.
  std::vector<std::int64_t> take(bool &everything);

private:
  std::vector<std::int64_t> relations_;
  bool everything_ = false;
  TouchedRelations *previous_ = nullptr;
  friend void record_touched(std::int64_t relation) noexcept;
};

// Called from the invalidation callback only (-1: every relation).
void record_touched(std::int64_t relation) noexcept;

} // namespace migrate::pg
