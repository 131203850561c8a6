// The statement trigger on migrate.revisions that marks the catalog changed,
// so that graphs cached by other backends (and by this one, after commit) are
// rebuilt. Direct DML by a superuser is covered as well as migrate.revision().
#include "core/error.hpp"
#include "pg/catalog.hpp"
#include "pg/entry.hpp"
#include "pg/spi.hpp"

namespace migrate::pg {

namespace {

Datum catalog_changed(FunctionCallInfo fcinfo) {
  if (!CALLED_AS_TRIGGER(fcinfo))
    throw Error(sqlstate::object_not_in_prerequisite_state, "migrate.note_catalog_change() is a trigger function");
  SpiConnection spi(Volatility::volatile_);
  note_catalog_change();
  spi.finish();
  return PointerGetDatum(nullptr);
}

} // namespace

} // namespace migrate::pg

MIGRATE_SQL_FUNCTION(migrate_note_catalog_change, migrate::pg::catalog_changed)
