#include "pg/known_schema.hpp"

#include "pg/fingerprint.hpp"
#include "pg/spi.hpp"

#include <algorithm>
#include <string>

namespace migrate::pg {

namespace {

// The relations whose fingerprint rows name one of $1 (an index's table;
// a view, foreign key, default, trigger, policy or owned sequence that
// refers to one of them).
const char *dependents_sql = R"SQL(
SELECT i.indrelid::pg_catalog.int8 FROM pg_catalog.pg_index i
WHERE i.indexrelid = ANY ($1::pg_catalog.text[]::pg_catalog.oid[])
UNION
SELECT CASE d.classid
  WHEN 'pg_catalog.pg_class'::pg_catalog.regclass THEN d.objid
  WHEN 'pg_catalog.pg_rewrite'::pg_catalog.regclass THEN
    (SELECT w.ev_class FROM pg_catalog.pg_rewrite w WHERE w.oid = d.objid)
  WHEN 'pg_catalog.pg_constraint'::pg_catalog.regclass THEN
    (SELECT c.conrelid FROM pg_catalog.pg_constraint c WHERE c.oid = d.objid)
  WHEN 'pg_catalog.pg_attrdef'::pg_catalog.regclass THEN
    (SELECT a.adrelid FROM pg_catalog.pg_attrdef a WHERE a.oid = d.objid)
  WHEN 'pg_catalog.pg_trigger'::pg_catalog.regclass THEN
    (SELECT t.tgrelid FROM pg_catalog.pg_trigger t WHERE t.oid = d.objid)
  WHEN 'pg_catalog.pg_policy'::pg_catalog.regclass THEN
    (SELECT p.polrelid FROM pg_catalog.pg_policy p WHERE p.oid = d.objid)
  END::pg_catalog.int8
FROM pg_catalog.pg_depend d
WHERE d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass
  AND d.refobjid = ANY ($1::pg_catalog.text[]::pg_catalog.oid[]))SQL";

KnownSchema::Reread read_everything() {
  KnownSchema::Reread r;
  r.all = true;
  for (auto &row : read_fingerprint_units(nullptr))
    r.rows[row.unit].push_back(std::move(row.object));
  for (auto &[unit, objects] : r.rows)
    sort_fingerprint(objects);
  return r;
}

// Unit 0 and `units` (every unit when null), sorted.
Fingerprint gather(const std::map<std::int64_t, Fingerprint> &from, const std::vector<std::int64_t> *units) {
  Fingerprint out;
  auto add = [&](std::int64_t unit) {
    if (auto it = from.find(unit); it != from.end())
      out.insert(out.end(), it->second.begin(), it->second.end());
  };
  if (!units) {
    for (const auto &[unit, objects] : from)
      out.insert(out.end(), objects.begin(), objects.end());
  } else {
    add(0);
    for (auto unit : *units)
      if (unit != 0)
        add(unit);
  }
  sort_fingerprint(out);
  return out;
}

std::vector<std::string> as_text(const std::vector<std::int64_t> &oids) {
  std::vector<std::string> out;
  for (auto oid : oids)
    out.push_back(std::to_string(oid));
  return out;
}

} // namespace

void KnownSchema::read_all() {
  units_ = read_everything().rows;
}

KnownSchema::Reread KnownSchema::reread(std::vector<std::int64_t> touched, bool everything) const {
  if (everything)
    return read_everything();
  // No relation touched still reads what belongs to none (CREATE FUNCTION
  // invalidates no relation).
  for (const auto &row : query(dependents_sql, {as_text(touched)}))
    if (auto unit = optional_integer(row[0]))
      touched.push_back(*unit);
  Reread r;
  std::sort(touched.begin(), touched.end());
  touched.erase(std::unique(touched.begin(), touched.end()), touched.end());
  for (auto &row : read_fingerprint_units(&touched))
    r.rows[row.unit].push_back(std::move(row.object));
  for (auto &[unit, objects] : r.rows)
    sort_fingerprint(objects);
  const auto known_global = units_.find(0);
  if (!compare(known_global == units_.end() ? Fingerprint{} : known_global->second, r.rows[0]).empty())
    return read_everything(); // a schema, type or function: their names are in relations' definitions
  r.units = std::move(touched);
  return r;
}

Fingerprint KnownSchema::objects(const Reread &r) const {
  return gather(units_, r.all ? nullptr : &r.units);
}

Fingerprint KnownSchema::objects_read(const Reread &r) {
  return gather(r.rows, r.all ? nullptr : &r.units);
}

void KnownSchema::apply(Reread r) {
  if (r.all) {
    units_ = std::move(r.rows);
    return;
  }
  for (auto unit : r.units)
    units_.erase(unit);
  for (auto &[unit, objects] : r.rows)
    units_[unit] = std::move(objects);
}

} // namespace migrate::pg
