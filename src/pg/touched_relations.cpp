#include "pg/touched_relations.hpp"

#include "pg/guard.hpp"

#include <algorithm>

namespace migrate::pg {

namespace {

TouchedRelations *recording = nullptr; // the innermost active recorder

// PostgreSQL calls it for each relcache invalidation it processes (our own
// at each command's end, other sessions' when it reads the queue), with
// InvalidOid for "every relation". Plain C: no PostgreSQL call, no exception out.
void on_relcache_invalidation(Datum, Oid relation) {
  if (recording)
    record_touched(OidIsValid(relation) ? static_cast<std::int64_t>(relation) : -1);
}

} // namespace

void record_touched(std::int64_t relation) noexcept {
  TouchedRelations *r = recording;
  if (relation < 0) {
    r->everything_ = true;
    return;
  }
  try {
    r->relations_.push_back(relation);
  } catch (...) {
    r->everything_ = true;
  }
}

TouchedRelations::TouchedRelations() {
  static bool registered = false;
  if (!registered) {
    pg_call([] { CacheRegisterRelcacheCallback(on_relcache_invalidation, Datum(0)); });
    registered = true;
  }
  previous_ = recording;
  recording = this;
}

TouchedRelations::~TouchedRelations() {
  recording = previous_;
}

std::vector<std::int64_t> TouchedRelations::take(bool &everything) {
  std::vector<std::int64_t> out;
  out.swap(relations_);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  everything = everything_;
  everything_ = false;
  return out;
}

} // namespace migrate::pg
