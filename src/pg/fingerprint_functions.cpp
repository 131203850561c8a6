// migrate.fingerprint() and migrate.drift(): the schema as rows, and what
// changed in it since the engine last moved the database.
#include "core/error.hpp"
#include "pg/catalog.hpp"
#include "pg/entry.hpp"
#include "pg/fingerprint.hpp"
#include "pg/fmgr_io.hpp"

namespace migrate::pg {

namespace {

Datum fingerprint(FunctionCallInfo fcinfo) {
  SpiConnection spi(Volatility::stable);
  Fingerprint objects = read_fingerprint();
  spi.finish();
  std::size_t i = 0;
  return return_rows(fcinfo, [&](Row &row) {
    if (i == objects.size())
      return false;
    auto &o = objects[i++];
    row = Row{std::move(o.kind), std::move(o.name), std::move(o.definition)};
    return true;
  });
}

Datum drift(FunctionCallInfo fcinfo) {
  SpiConnection spi(Volatility::stable);
  auto recorded = recorded_fingerprint();
  if (!recorded)
    throw Error(sqlstate::object_not_in_prerequisite_state,
                "migrate has not recorded this database's schema yet: there is nothing to compare it with", {},
                "The schema is recorded each time upgrade(), downgrade(), stamp() or CALL migrate.run() moves the "
                "database. To take the schema as it is now as the reference, stamp the database where it is: "
                "SELECT migrate.stamp(version_num) FROM migrate.version.");
  Fingerprint now = read_fingerprint();
  std::vector<SchemaDifference> differences;
  if (fingerprint_hash(now) != recorded->hash)
    differences = compare(recorded_objects(), now);
  spi.finish();
  Rows rows;
  for (auto &d : differences)
    rows.push_back(Row{std::move(d.kind), std::move(d.name), std::move(d.change), std::move(d.detail)});
  return return_rows(fcinfo, rows);
}

} // namespace

} // namespace migrate::pg

MIGRATE_SQL_FUNCTION(migrate_fingerprint, migrate::pg::fingerprint)
MIGRATE_SQL_FUNCTION(migrate_drift, migrate::pg::drift)
